import { describe, expect, it } from "vitest";
import { PoolCache, type CacheUpdate } from "./cache";
import { CachedTaskFeed } from "./cached-task-feed";
import type { XapiClient } from "./client";
import { XapiError } from "./errors";
import type { TaskSnapshot } from "./task-watchers";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const task = (ref: string, status: TaskSnapshot["status"], progress: number, extra: Partial<TaskSnapshot> = {}) => ({
  uuid: `uuid-${ref}`,
  name_label: "Async.VM.start",
  status,
  progress,
  result: "",
  error_info: [],
  ...extra,
});
const update = (ref: string, record?: Record<string, unknown>): CacheUpdate => ({ class: "task", ref, operation: record ? "mod" : "del", record });

/** A cache fed as the connection feeds it, and the feed watching it; `read` answers the one `task.get_record`. */
function setup(read: (ref: string) => Promise<unknown> = () => Promise.reject(new Error("not read"))) {
  const cache = new PoolCache();
  const reads: string[] = [];
  const client = {
    request: (method: string, params: string[]) => {
      reads.push(`${method} ${params[0]}`);
      return read(params[0]!);
    },
  } as unknown as XapiClient;
  const feed = new CachedTaskFeed(cache, () => client, quiet, "test");
  return { cache, feed, reads, apply: (...updates: CacheUpdate[]) => feed.applied(cache.apply(updates)) };
}

describe("CachedTaskFeed", () => {
  it("reports a watched task's progress and end from the batches the connection applies", async () => {
    const { feed, apply, reads } = setup();
    const progress: number[] = [];
    apply(update("t1", task("t1", "pending", 0)));
    const watch = feed.watch("t1", (t) => progress.push(t.progress));
    apply(update("t1", task("t1", "pending", 0.5)), update("other", task("other", "success", 1)));
    expect(watch.finished).toBe(false);
    apply(update("t1", task("t1", "success", 1, { result: "<value>OpaqueRef:vm</value>" })));
    await expect(watch.done).resolves.toMatchObject({ status: "success", result: "<value>OpaqueRef:vm</value>" });
    expect(watch.finished).toBe(true);
    expect(progress).toEqual([0, 0.5, 1]);
    expect(reads).toEqual([]); // nothing read besides the cache
  });

  it("takes a task that already ended from the cache when it is watched", async () => {
    const { feed, apply } = setup();
    apply(update("t1", task("t1", "failure", 1, { error_info: ["VM_BAD_POWER_STATE"] })));
    await expect(feed.watch("t1", () => {}).done).resolves.toMatchObject({ status: "failure", error_info: ["VM_BAD_POWER_STATE"] });
  });

  it("fails the watch of a task destroyed before it ended", async () => {
    const { feed, apply } = setup();
    apply(update("t1", task("t1", "pending", 0)));
    const watch = feed.watch("t1", () => {});
    apply(update("t1"));
    await expect(watch.done).rejects.toMatchObject({ code: "HANDLE_INVALID" });
  });

  it("after a full load, takes watched tasks from the cache, and reads once those missing from it", async () => {
    const gone = new XapiError("HANDLE_INVALID", ["task", "t2"]);
    const { cache, feed, reads } = setup((ref) => (ref === "t3" ? Promise.resolve(task("t3", "success", 1)) : Promise.reject(gone)));
    const kept = feed.watch("t1", () => {});
    const vanished = feed.watch("t2", () => {});
    const createdAfterTheLoad = feed.watch("t3", () => {});
    cache.load([{ class: "task", ref: "t1", record: task("t1", "cancelled", 0.3) }]);
    feed.reloaded();
    await expect(kept.done).resolves.toMatchObject({ status: "cancelled" });
    await expect(vanished.done).rejects.toBe(gone);
    await expect(createdAfterTheLoad.done).resolves.toMatchObject({ status: "success" });
    expect(reads).toEqual(["task.get_record t2", "task.get_record t3"]);
  });

  it("fails every pending watch when the client closes, and stops reporting to a stopped watch", async () => {
    const { feed, apply } = setup();
    apply(update("t1", task("t1", "pending", 0)), update("t2", task("t2", "pending", 0)));
    const stopped: number[] = [];
    const first = feed.watch("t1", (t) => stopped.push(t.progress));
    first.stop();
    apply(update("t1", task("t1", "pending", 0.9)));
    expect(stopped).toEqual([0]);
    const second = feed.watch("t2", () => {});
    const closed = new XapiError("XENDECK_CLIENT_CLOSED", [], { kind: "closed" });
    feed.close(closed);
    await expect(second.done).rejects.toBe(closed);
  });
});
