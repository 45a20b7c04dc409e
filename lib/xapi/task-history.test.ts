/**
 * The task history of a pool connection: tasks stay listed for a while after they leave the pool, remember the
 * objects they ran on (from those objects' current_operations) and who started them, and keep the final state
 * XenDeck's watcher saw even when the pool's events were coalesced into a deletion.
 */
import { describe, expect, it } from "vitest";
import { PoolCache, type CacheUpdate } from "./cache";
import { STARTED_BY_ID_KEY, STARTED_BY_NAME_KEY, TaskHistory } from "./task-history";

const NULL = "OpaqueRef:NULL";
const task = (ref: string, fields: Record<string, unknown> = {}): CacheUpdate => ({
  class: "task",
  ref,
  operation: "add",
  record: {
    uuid: `${ref}-uuid`,
    name_label: "Async.VM.copy",
    status: "pending",
    progress: 0.2,
    created: new Date(1_000),
    finished: new Date(0),
    result: "",
    error_info: [],
    resident_on: NULL,
    subtask_of: NULL,
    other_config: {},
    allowed_operations: ["cancel"],
    current_operations: {},
    ...fields,
  },
});
const vm = (ref: string, operations: Record<string, string>): CacheUpdate => ({
  class: "VM",
  ref,
  operation: "mod",
  record: { uuid: `${ref}-uuid`, current_operations: operations },
});
const del = (cls: CacheUpdate["class"], ref: string): CacheUpdate => ({ class: cls, ref, operation: "del" });

function pool(options: { keepMs?: number; maxGone?: number } = {}) {
  let now = 10_000;
  const cache = new PoolCache();
  const history = new TaskHistory(cache, { ...options, now: () => now });
  const apply = (...updates: CacheUpdate[]) => history.observe(cache.apply(updates));
  return { cache, history, apply, advance: (ms: number) => (now += ms) };
}

describe("TaskHistory", () => {
  it("links a task to the objects that list it and keeps the link after the operation ends", () => {
    const { history, apply } = pool();
    apply(vm("vm1", { t1: "copy" }), task("t1"));
    apply(vm("vm1", {}));
    expect(history.get("t1")!.objects).toEqual([{ cls: "VM", ref: "vm1", uuid: "vm1-uuid", operation: "copy" }]);
  });

  it("takes XenDeck's word for what a task it started works on, even when the events never showed it", () => {
    const { history, apply } = pool();
    history.noteObject("t1", { cls: "VM", ref: "vm1", uuid: "vm1-uuid", operation: "snapshot" });
    apply(task("t1", { name_label: "Async.VM.snapshot" }), vm("vm1", {}));
    apply(vm("vm1", { t1: "snapshot" }));
    expect(history.get("t1")!.objects).toEqual([{ cls: "VM", ref: "vm1", uuid: "vm1-uuid", operation: "snapshot" }]);
  });

  it("keeps a task that left the pool for a while, then forgets it", () => {
    const { history, apply, advance } = pool({ keepMs: 60_000 });
    apply(task("t1"));
    apply(task("t1", { status: "success", progress: 1, finished: new Date(5_000) }));
    apply(del("task", "t1"));
    expect(history.list().map((entry) => [entry.ref, entry.record!.status, entry.goneAt !== null])).toEqual([["t1", "success", true]]);
    advance(61_000);
    expect(history.list()).toEqual([]);
  });

  it("keeps the final state its watcher saw when the pool's events came coalesced into a deletion", () => {
    const { history, apply } = pool();
    apply(task("t1"));
    history.noteSnapshot("t1", {
      uuid: "t1-uuid",
      name_label: "Async.VM.copy",
      status: "failure",
      progress: 0.4,
      result: "",
      error_info: ["SR_FULL", "1", "2"],
    });
    apply(del("task", "t1"));
    const entry = history.get("t1")!;
    expect(entry.record).toMatchObject({ status: "failure", error_info: ["SR_FULL", "1", "2"], finished: new Date(10_000) });
    // An older event of the same task does not take the outcome back.
    apply(task("t1", { status: "pending" }));
    expect(history.get("t1")!.record!.status).toBe("failure");
  });

  it("knows who started a task: noted by XenDeck at once, or read from the task's other_config", () => {
    const { history, apply } = pool();
    apply(task("mine"));
    history.noteStarter("mine", { id: "u1", username: "olivia" });
    apply(task("theirs", { other_config: { [STARTED_BY_ID_KEY]: "u2", [STARTED_BY_NAME_KEY]: "sam" } }), task("xo"));
    expect(history.get("mine")!.startedBy).toEqual({ id: "u1", username: "olivia" });
    expect(history.get("theirs")!.startedBy).toEqual({ id: "u2", username: "sam" });
    expect(history.get("xo")!.startedBy).toBeNull();
  });

  it("marks tasks missing after a full reload as gone, and keeps at most maxGone of those", () => {
    const { cache, history, apply, advance } = pool({ maxGone: 1 });
    apply(task("t1"), task("t2"));
    cache.load([]);
    history.reload();
    advance(1);
    expect(history.list().filter((entry) => entry.goneAt)).toHaveLength(1);
  });

  it("forgets a task an object named but that never showed up itself (a synchronous call's)", () => {
    const { history, apply, advance } = pool();
    apply(vm("vm1", { sync: "start" }));
    expect(history.get("sync")).toBeUndefined();
    advance(61_000);
    history.list();
    apply(task("sync"));
    expect(history.get("sync")!.objects).toEqual([]);
  });
});
