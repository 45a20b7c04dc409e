/**
 * The task feed of a client without a live connection (the registration probe, tests, tools): one
 * `event.from(["task"])` long poll of its own, running only while a task is watched. A `PoolConnection` gives its
 * client `cached-task-feed.ts` instead, so that a pool has one event loop.
 *
 * No update is missed: a task is read once right after it is watched (its changes before the loop's token went
 * by unwatched), and every change after the token is an event. A failed long poll fails the watches: a client
 * on its own has nobody to resynchronise it.
 */
import type { XapiClient, XapiLogger } from "./client";
import { decodeAs, type RawEventBatch } from "./codec";
import type { Ref } from "./model/records.generated";
import { decodeTask, TASK_FIELDS, TaskWatchers, type TaskFeed, type TaskSnapshot, type TaskWatch } from "./task-watchers";
import type { XapiError } from "./errors";

const TASK_EVENTS_PLAN = { members: { events: { each: { members: { snapshot: { keep: new Set<string>(TASK_FIELDS) } } } } } };

export class OwnTaskEvents implements TaskFeed {
  private readonly watchers: TaskWatchers;
  private running = false;

  constructor(
    private readonly client: XapiClient,
    private readonly eventTimeoutS: number,
    private readonly logger: XapiLogger,
    private readonly label: string,
  ) {
    this.watchers = new TaskWatchers(logger, label);
  }

  watch(ref: Ref, onUpdate: (task: TaskSnapshot) => void): TaskWatch {
    const watch = this.watchers.watch(ref, onUpdate);
    this.watchers.refresh(this.client, ref);
    this.follow();
    return watch;
  }

  close(error: XapiError): void {
    this.watchers.failAll(error);
  }

  private follow(): void {
    if (this.running) return;
    this.running = true;
    this.loop()
      .catch((error) => {
        if (this.client.isClosed) return;
        this.logger.warn(`[xapi ${this.label}] task events failed: ${error instanceof Error ? error.message : String(error)}`);
        this.watchers.failAll(error);
      })
      .finally(() => {
        this.running = false;
        // A task watched while the loop was ending.
        if (this.watchers.size > 0 && !this.client.isClosed) this.follow();
      });
  }

  private async loop(): Promise<void> {
    // The empty token starts from the tasks as they are now (XAPI sends them all first).
    let token = "";
    while (this.watchers.size > 0 && !this.client.isClosed) {
      const raw = await this.client.request("event.from", [["task"], token, this.eventTimeoutS], {
        longPoll: true,
        timeoutMs: this.eventTimeoutS * 1000 + 15_000,
        decode: false,
        plan: TASK_EVENTS_PLAN,
      });
      const batch = decodeAs("an event batch", raw, "event.from") as RawEventBatch;
      token = batch.token;
      for (const event of batch.events) {
        if (event.class !== "task" || !this.watchers.has(event.ref)) continue;
        if (event.operation === "del") this.watchers.destroyed(event.ref);
        else this.watchers.update(event.ref, decodeTask(event.snapshot));
      }
    }
  }
}
