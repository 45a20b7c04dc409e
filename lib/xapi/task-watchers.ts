/**
 * The tasks `callAsync` waits for, and who tells it how they move. XAPI reports a task's progress and end as
 * events of the `task` class; whoever receives those events delivers them here (a `TaskFeed`):
 * - a live `PoolConnection`: its one `event.from` loop already keeps tasks in the cache, and it forwards the
 *   watched ones (`cached-task-feed.ts`);
 * - a client on its own (registration probe, tests, tools): `own-task-events.ts`, an `event.from(["task"])` long
 *   poll of its own, only while a task is watched.
 */
import type { XapiClient, XapiLogger } from "./client";
import { recordDecoder } from "./codec";
import { XapiError } from "./errors";
import type { Ref, TaskRecord } from "./model/records.generated";

export const TASK_FIELDS = ["uuid", "name_label", "status", "progress", "result", "error_info"] as const;
export type TaskSnapshot = Pick<TaskRecord, (typeof TASK_FIELDS)[number]>;

export const decodeTask = recordDecoder("task", TASK_FIELDS) as (raw: unknown, where?: string) => TaskSnapshot;

export interface TaskWatch {
  /** Resolves with the task once it is no longer pending or cancelling. */
  done: Promise<TaskSnapshot>;
  /** True once `done` resolved (the task can be destroyed). */
  readonly finished: boolean;
  /** Stops following (does not cancel the task). */
  stop(): void;
}

/** What `callAsync` follows a task through. */
export interface TaskFeed {
  watch(ref: Ref, onUpdate: (task: TaskSnapshot) => void): TaskWatch;
  /** The client is closing: every watch still pending rejects with `error`. */
  close(error: XapiError): void;
}

interface Entry {
  onUpdate: (task: TaskSnapshot) => void;
  resolve: (task: TaskSnapshot) => void;
  reject: (error: unknown) => void;
  finished: boolean;
}

const isTerminal = (task: TaskSnapshot) => task.status !== "pending" && task.status !== "cancelling";

/** The watches per task, and the delivery of a task's new state (or its disappearance) to them. */
export class TaskWatchers {
  private readonly watched = new Map<Ref, Set<Entry>>();

  constructor(
    private readonly logger: XapiLogger,
    private readonly label: string,
  ) {}

  get size(): number {
    return this.watched.size;
  }

  has(ref: Ref): boolean {
    return this.watched.has(ref);
  }

  refs(): Ref[] {
    return [...this.watched.keys()];
  }

  watch(ref: Ref, onUpdate: (task: TaskSnapshot) => void): TaskWatch {
    let entry!: Entry;
    const done = new Promise<TaskSnapshot>((resolve, reject) => {
      entry = { onUpdate, resolve, reject, finished: false };
    });
    let set = this.watched.get(ref);
    if (!set) this.watched.set(ref, (set = new Set()));
    set.add(entry);
    return {
      done,
      get finished() {
        return entry.finished;
      },
      stop: () => this.remove(ref, entry),
    };
  }

  /** A watched task's current state: progress for every watch, and the end for all when it is over. */
  update(ref: Ref, task: TaskSnapshot): void {
    const set = this.watched.get(ref);
    if (!set) return;
    for (const entry of [...set]) {
      try {
        entry.onUpdate(task);
      } catch (error) {
        this.logger.warn(`[xapi ${this.label}] task progress listener failed: ${String(error)}`);
      }
      if (isTerminal(task)) {
        entry.finished = true;
        entry.resolve(task);
        this.remove(ref, entry);
      }
    }
  }

  /** The task no longer exists: its watches reject. */
  destroyed(ref: Ref, error: unknown = new XapiError("HANDLE_INVALID", ["task", ref], { message: "the task was destroyed before it finished" })): void {
    for (const entry of [...(this.watched.get(ref) ?? [])]) {
      entry.reject(error);
      this.remove(ref, entry);
    }
  }

  /** Every watch rejects with `error`. */
  failAll(error: unknown): void {
    for (const ref of this.refs()) this.destroyed(ref, error);
  }

  /**
   * Reads a watched task once, for when its changes may have gone by unseen (it was created before the events
   * being followed start, or while they were interrupted). A task that no longer exists fails its watches.
   */
  refresh(client: XapiClient, ref: Ref): void {
    client
      .request("task.get_record", [ref], { decode: false, plan: { keep: new Set<string>(TASK_FIELDS) } })
      .then((raw) => this.update(ref, decodeTask(raw)))
      .catch((error) => {
        if (error instanceof XapiError && error.code === "HANDLE_INVALID") this.destroyed(ref, error);
        else this.logger.debug(`[xapi ${this.label}] task.get_record: ${String(error)}`);
      });
  }

  private remove(ref: Ref, entry: Entry): void {
    const set = this.watched.get(ref);
    if (!set) return;
    set.delete(entry);
    if (set.size === 0) this.watched.delete(ref);
  }
}
