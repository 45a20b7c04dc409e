/**
 * `TaskHistory`: the tasks of one pool as XenDeck has seen them, kept for a while after they end. A pool keeps a
 * finished task only until its client destroys it (XenDeck destroys its own at once, as Xen Orchestra does), so
 * without this a finished copy or a failed migration would vanish from the tasks page the moment it ends.
 *
 * Besides the task record, each entry remembers:
 * - the objects it ran on: XAPI names a running task in the `current_operations` of the VM, host, SR, VDI,
 *   network or pool it works on (Xen Orchestra links tasks to objects the same way). Links are kept after the
 *   operation ends, so a finished task still says what it was about (and who may see it);
 * - who started it, when XenDeck did: the connection writes the user into the task's `other_config` (visible to
 *   every XenDeck instance) and notes it here at once;
 * - its final state as `callAsync` saw it (`noteSnapshot`), for a task read once outside the event stream (after a
 *   resync, `cached-task-feed.ts`) whose events may then arrive coalesced into a single deletion.
 *
 * Fed by `PoolConnection` after every batch it applies to the cache (`observe`) and every full load (`reload`).
 */
import type { CacheChange, PoolCache, XapiObject } from "./cache";
import type { CachedRecord } from "./cached-fields";
import { NULL_REF } from "./codec";
import type { Ref } from "./model/records.generated";
import type { TaskSnapshot } from "./task-watchers";

/** Classes whose `current_operations` name the tasks running on them. */
export const TASK_OBJECT_CLASSES = ["pool", "host", "SR", "VDI", "VM", "network"] as const;
export type TaskObjectClass = (typeof TASK_OBJECT_CLASSES)[number];
const LINKED = new Set<string>(TASK_OBJECT_CLASSES);

/** `other_config` keys naming the XenDeck user who started a task. */
export const STARTED_BY_ID_KEY = "xendeck_user_id";
export const STARTED_BY_NAME_KEY = "xendeck_username";

export interface TaskStarter {
  id: string;
  username: string;
}

/** An object a task ran on, as it was when the task ran. */
export interface TaskObjectLink {
  cls: TaskObjectClass;
  ref: Ref;
  uuid: string;
  /** The operation the object listed for the task (`clean_shutdown`, `scan`...). */
  operation: string;
}

export type TaskFields = CachedRecord<"task"> & { readonly $ref: Ref };

export interface TaskEntry {
  ref: Ref;
  /** The last state seen (null until the task's own record arrives). */
  record: TaskFields | null;
  objects: TaskObjectLink[];
  startedBy: TaskStarter | null;
  /** When it left the pool (destroyed), null while it is there. */
  goneAt: Date | null;
  /** When XenDeck first heard of it (ms). */
  firstSeen: number;
}

export interface TaskHistoryOptions {
  /** How long a task is kept once it has left the pool. */
  keepMs?: number;
  /** At most this many tasks that left the pool are kept (the oldest go first). */
  maxGone?: number;
  now?: () => number;
}

const DEFAULT_KEEP_MS = 60 * 60_000;
const DEFAULT_MAX_GONE = 300;
/** A task named by an object but never seen itself (a synchronous call's) is forgotten after this. */
const UNSEEN_TASK_MS = 60_000;

export const isTaskRunning = (status: string | undefined) => status === "pending" || status === "cancelling";

export class TaskHistory {
  private readonly entries = new Map<Ref, TaskEntry>();
  private readonly keepMs: number;
  private readonly maxGone: number;
  private readonly now: () => number;
  private changed = 0;

  constructor(
    private readonly cache: PoolCache,
    options: TaskHistoryOptions = {},
  ) {
    this.keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
    this.maxGone = options.maxGone ?? DEFAULT_MAX_GONE;
    this.now = options.now ?? Date.now;
  }

  /** Grows whenever an entry changes (read models memoise on it together with the cache's version). */
  get version(): number {
    return this.changed;
  }

  /** Every task known, present or recently gone (pruned first). */
  list(): TaskEntry[] {
    this.prune();
    return [...this.entries.values()].filter((entry) => entry.record !== null);
  }

  get(ref: Ref): TaskEntry | undefined {
    const entry = this.entries.get(ref);
    return entry?.record ? entry : undefined;
  }

  /** After a full load of the cache: tasks no longer there are gone; every task and link is read again. */
  reload(): void {
    const goneAt = new Date(this.now());
    for (const entry of this.entries.values()) {
      if (!entry.goneAt && !this.cache.get("task", entry.ref)) entry.goneAt = goneAt;
    }
    for (const task of this.cache.list("task")) this.seen(task);
    for (const cls of TASK_OBJECT_CLASSES) for (const record of this.cache.list(cls)) this.link(cls, record);
    this.changed++;
  }

  /** After a batch of changes was applied to the cache. */
  observe(changes: readonly CacheChange[]): void {
    let touched = false;
    for (const change of changes) {
      if (change.class === "task") {
        touched = true;
        if (change.operation === "del") this.left(change.ref);
        else {
          const task = this.cache.get("task", change.ref);
          if (task) this.seen(task);
        }
      } else if (LINKED.has(change.class) && change.operation !== "del") {
        const record = this.cache.get(change.class as TaskObjectClass, change.ref);
        if (record && this.link(change.class as TaskObjectClass, record)) touched = true;
      }
    }
    if (touched) this.changed++;
  }

  /** XenDeck started this task for `starter` (known before the pool's copy of other_config comes back). */
  noteStarter(ref: Ref, starter: TaskStarter): void {
    this.entry(ref).startedBy = starter;
    this.changed++;
  }

  /**
   * XenDeck started this task on this object: linked at once (a short task may start and end between two event
   * batches, and the object's current_operations then never shows it).
   */
  noteObject(ref: Ref, link: TaskObjectLink): void {
    const entry = this.entry(ref);
    if (!entry.objects.some((object) => object.ref === link.ref)) entry.objects.push(link);
    this.changed++;
  }

  /** The task as `callAsync` saw it: its final state survives even if its events were coalesced away. */
  noteSnapshot(ref: Ref, snapshot: Readonly<Partial<TaskSnapshot>>): void {
    if (snapshot.status === undefined) return;
    const entry = this.entry(ref);
    const base: TaskFields = entry.record ?? this.cache.get("task", ref) ?? blankTask(ref, snapshot, new Date(this.now()));
    const ended = !isTaskRunning(snapshot.status) && isTaskRunning(base.status);
    entry.record = Object.freeze({
      ...base,
      status: snapshot.status,
      progress: snapshot.progress ?? base.progress,
      result: snapshot.result ?? base.result,
      error_info: snapshot.error_info ?? base.error_info,
      ...(ended ? { finished: new Date(this.now()), allowed_operations: [] } : {}),
    });
    this.changed++;
  }

  private entry(ref: Ref): TaskEntry {
    let entry = this.entries.get(ref);
    if (!entry) this.entries.set(ref, (entry = { ref, record: null, objects: [], startedBy: null, goneAt: null, firstSeen: this.now() }));
    return entry;
  }

  private seen(task: XapiObject<"task">): void {
    const entry = this.entry(task.$ref);
    // A state our watcher already saw end is not taken back by an older event of the same task.
    if (!(entry.record && !isTaskRunning(entry.record.status) && isTaskRunning(task.status))) entry.record = task;
    entry.goneAt = null;
    const id = task.other_config[STARTED_BY_ID_KEY];
    if (id && !entry.startedBy) entry.startedBy = { id, username: task.other_config[STARTED_BY_NAME_KEY] ?? "" };
  }

  private left(ref: Ref): void {
    const entry = this.entries.get(ref);
    if (!entry) return;
    entry.goneAt = new Date(this.now());
  }

  /** Notes the tasks an object runs; true when a new link was made. */
  private link(cls: TaskObjectClass, record: { $ref: Ref; uuid: string; current_operations: Readonly<Record<string, string>> }): boolean {
    let linked = false;
    for (const [taskRef, operation] of Object.entries(record.current_operations ?? {})) {
      const entry = this.entry(taskRef);
      if (entry.objects.some((object) => object.ref === record.$ref)) continue;
      entry.objects.push({ cls, ref: record.$ref, uuid: record.uuid, operation });
      linked = true;
    }
    return linked;
  }

  private prune(): void {
    const horizon = this.now() - this.keepMs;
    const gone: TaskEntry[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.record && entry.firstSeen < this.now() - UNSEEN_TASK_MS && !this.cache.get("task", entry.ref)) {
        this.entries.delete(entry.ref);
        continue;
      }
      if (!entry.goneAt) continue;
      if (entry.goneAt.getTime() < horizon || !entry.record) this.entries.delete(entry.ref);
      else gone.push(entry);
    }
    if (gone.length > this.maxGone) {
      gone.sort((a, b) => a.goneAt!.getTime() - b.goneAt!.getTime());
      for (const entry of gone.slice(0, gone.length - this.maxGone)) this.entries.delete(entry.ref);
    }
  }
}

/** A task known only from `callAsync`'s reading of it (its pool record never reached the cache). */
function blankTask(ref: Ref, snapshot: Readonly<Partial<TaskSnapshot>>, now: Date): TaskFields {
  return Object.freeze({
    $ref: ref,
    uuid: snapshot.uuid ?? "",
    name_label: snapshot.name_label ?? "",
    name_description: "",
    status: snapshot.status ?? "pending",
    progress: snapshot.progress ?? 0,
    created: now,
    finished: new Date(0),
    result: snapshot.result ?? "",
    error_info: snapshot.error_info ?? [],
    resident_on: NULL_REF,
    subtask_of: NULL_REF,
    other_config: {},
    allowed_operations: [],
    current_operations: {},
  });
}
