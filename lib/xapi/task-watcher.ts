/**
 * Follows tasks through the event stream for `callAsync`: one `event.from(["task"])` long poll per client,
 * running only while some task is watched.
 *
 * No update can be missed: a task is read once (`task.get_record`) right after it is registered, and every
 * watched task is read again each time the loop takes a fresh token, so a change is either in such a read
 * or in an event after the token.
 */
import type { XapiClient, XapiLogger } from "./client";
import { decodeAs, recordDecoder, type RawEventBatch } from "./codec";
import { XapiError } from "./errors";
import type { Ref, TaskRecord } from "./model/records.generated";

const TASK_FIELDS = ["uuid", "name_label", "status", "progress", "result", "error_info"] as const;
export type TaskSnapshot = Pick<TaskRecord, (typeof TASK_FIELDS)[number]>;

const decodeTask = recordDecoder("task", TASK_FIELDS) as (raw: unknown) => TaskSnapshot;
const TASK_PLAN = { members: { events: { each: { members: { snapshot: { keep: new Set<string>(TASK_FIELDS) } } } } } };

export interface TaskWatch {
  /** Resolves with the task once it is no longer pending or cancelling. */
  done: Promise<TaskSnapshot>;
  /** True once `done` resolved (the task can be destroyed). */
  readonly finished: boolean;
  /** Stops following (does not cancel the task). */
  stop(): void;
}

interface Entry {
  onUpdate: (task: TaskSnapshot) => void;
  resolve: (task: TaskSnapshot) => void;
  reject: (error: unknown) => void;
  finished: boolean;
}

const RETRY_DELAY_MS = 1_000;

export class TaskWatcher {
  private readonly watched = new Map<Ref, Set<Entry>>();
  private loopRunning = false;
  private controller: AbortController | null = null;

  constructor(
    private readonly client: XapiClient,
    private readonly eventTimeoutS: number,
    private readonly logger: XapiLogger,
    private readonly label: string,
  ) {}

  watch(ref: Ref, onUpdate: (task: TaskSnapshot) => void): TaskWatch {
    let entry!: Entry;
    const done = new Promise<TaskSnapshot>((resolve, reject) => {
      entry = { onUpdate, resolve, reject, finished: false };
    });
    let set = this.watched.get(ref);
    if (!set) this.watched.set(ref, (set = new Set()));
    set.add(entry);
    this.ensureLoop(ref);
    this.read(ref);
    return {
      done,
      get finished() {
        return entry.finished;
      },
      stop: () => this.remove(ref, entry),
    };
  }

  /** Stops everything (client closing): pending watches reject. */
  stopAll(): void {
    for (const [ref, entries] of this.watched) {
      for (const entry of entries)
        entry.reject(new XapiError("XENDECK_CLIENT_CLOSED", [ref], { kind: "closed", message: "the client was closed while a task was running" }));
    }
    this.watched.clear();
    this.controller?.abort();
  }

  private remove(ref: Ref, entry: Entry): void {
    const set = this.watched.get(ref);
    if (!set) return;
    set.delete(entry);
    if (set.size === 0) this.watched.delete(ref);
    if (this.watched.size === 0) this.controller?.abort();
  }

  private deliver(ref: Ref, task: TaskSnapshot): void {
    const set = this.watched.get(ref);
    if (!set) return;
    const terminal = task.status !== "pending" && task.status !== "cancelling";
    for (const entry of [...set]) {
      try {
        entry.onUpdate(task);
      } catch (error) {
        this.logger.warn(`[xapi ${this.label}] task progress listener failed: ${String(error)}`);
      }
      if (terminal) {
        entry.finished = true;
        entry.resolve(task);
        this.remove(ref, entry);
      }
    }
  }

  private fail(ref: Ref, error: unknown): void {
    const set = this.watched.get(ref);
    if (!set) return;
    for (const entry of [...set]) {
      entry.reject(error);
      this.remove(ref, entry);
    }
  }

  /** One `task.get_record`; a task that no longer exists fails its watchers. */
  private read(ref: Ref): void {
    this.client
      .request("task.get_record", [ref], { decode: false, plan: { keep: new Set<string>(TASK_FIELDS) } })
      .then((raw) => this.deliver(ref, decodeTask(raw)))
      .catch((error) => {
        if (error instanceof XapiError && error.code === "HANDLE_INVALID") this.fail(ref, error);
        else this.logger.debug(`[xapi ${this.label}] task.get_record: ${String(error)}`);
      });
  }

  private ensureLoop(anyRef: Ref): void {
    if (this.loopRunning) return;
    this.loopRunning = true;
    this.loop(anyRef)
      .catch((error) => this.logger.error(`[xapi ${this.label}] task watcher stopped: ${String(error)}`))
      .finally(() => {
        this.loopRunning = false;
        // A task registered while the loop was winding down.
        const next = this.watched.keys().next();
        if (!next.done && !this.client.isClosed) this.ensureLoop(next.value);
      });
  }

  private async loop(firstRef: Ref): Promise<void> {
    let token: string | null = null;
    while (this.watched.size > 0 && !this.client.isClosed) {
      const controller = (this.controller = new AbortController());
      try {
        if (token === null) {
          const ref: Ref = this.watched.keys().next().value ?? firstRef;
          token = await this.client.request<string>("event.inject", ["task", ref], { signal: controller.signal });
          for (const watchedRef of this.watched.keys()) this.read(watchedRef);
        }
        const raw = await this.client.request("event.from", [["task"], token, this.eventTimeoutS], {
          longPoll: true,
          signal: controller.signal,
          timeoutMs: this.eventTimeoutS * 1000 + 15_000,
          decode: false,
          plan: TASK_PLAN,
        });
        const batch = decodeAs("an event batch", raw, "event.from") as RawEventBatch;
        token = batch.token;
        for (const event of batch.events) {
          if (event.class !== "task" || !this.watched.has(event.ref)) continue;
          if (event.operation === "del")
            this.fail(event.ref, new XapiError("HANDLE_INVALID", ["task", event.ref], { message: "the task was destroyed before it finished" }));
          else this.deliver(event.ref, decodeTask(event.snapshot));
        }
      } catch (error) {
        if (controller.signal.aborted || this.client.isClosed) return;
        this.logger.warn(`[xapi ${this.label}] task events failed (${error instanceof Error ? error.message : String(error)}); retrying`);
        token = null;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      } finally {
        if (this.controller === controller) this.controller = null;
      }
    }
  }
}
