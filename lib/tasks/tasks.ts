/**
 * Task read models: the pools' tasks the user may view (those about objects they may view, and those they
 * started), running ones first, finished ones kept for a while (lib/xapi/task-history.ts), in words: what, on
 * which objects, started by whom when XenDeck started it, progress, elapsed time and estimated end, the result
 * or the error. Steps of a bigger operation (an evacuation's migrations) are counted under it, not listed.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { canViewWholePool } from "@/lib/access/pool-shortcuts";
import { hostSecurable, networkSecurable, poolSecurable, srSecurable, taskSecurable, vdiSecurable, vmSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { refNamer, srLabel } from "@/lib/pools/names";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import { describeXapiError, isTaskRunning, NULL_REF, XapiError, type PoolCache, type PoolConnection, type TaskEntry, type TaskObjectLink } from "@/lib/xapi";
import { estimatedEnd, isRoutineTask, taskVerb } from "./task-text";

export type TaskState = "running" | "cancelling" | "succeeded" | "failed" | "cancelled" | "ended";

export interface TaskObjectDto {
  kind: "vm" | "host" | "sr" | "vdi" | "network" | "pool";
  uuid: string;
  name: string;
  href: string | null;
}

export interface TaskDto {
  uuid: string;
  /** "Copy web-01". */
  title: string;
  /** XAPI's name (`Async.VM.copy`). */
  name: string;
  state: TaskState;
  /** 0..1. */
  progress: number;
  pool: { id: string; label: string };
  /** The host the task runs on, when the user may view it. */
  host: { uuid: string; name: string } | null;
  /** What it works on, among the objects the user may view. */
  objects: TaskObjectDto[];
  /** The XenDeck user who started it. */
  startedBy: string | null;
  /** ISO times; `ended` null while it runs. */
  created: string;
  ended: string | null;
  /** Running time so far, or its whole duration once ended (ms). */
  elapsedMs: number;
  estimatedEnd: string | null;
  /** The error in words (failed), or what it made (succeeded). */
  error: string | null;
  result: string | null;
  /** Steps it is made of (subtasks). */
  steps: number;
  routine: boolean;
  /** May the user cancel it, and does XAPI allow it now? */
  cancel: { allowed: boolean } | null;
}

const OBJECT_KIND = { VM: "vm", host: "host", SR: "sr", VDI: "vdi", network: "network", pool: "pool" } as const;

function stateOf(entry: TaskEntry): TaskState {
  const status = entry.record!.status;
  if (isTaskRunning(status)) return entry.goneAt ? "ended" : status === "cancelling" ? "cancelling" : "running";
  return status === "success" ? "succeeded" : status === "failure" ? "failed" : "cancelled";
}

/** An object the task ran on, named and linked when the user may view it; null otherwise. */
function objectDto(user: CurrentUser, view: PoolView, cache: PoolCache, link: TaskObjectLink): TaskObjectDto | null {
  const kind = OBJECT_KIND[link.cls];
  switch (link.cls) {
    case "VM": {
      const vm = cache.get("VM", link.ref);
      if (!vm || vm.is_control_domain) return null;
      if (!can(user, "vm.view", vmSecurable(view.uuid, cache, vm))) return null;
      return { kind, uuid: vm.uuid, name: vm.name_label, href: isOrdinaryVm(vm) ? `/vms/${vm.uuid}` : null };
    }
    case "host": {
      const host = cache.get("host", link.ref);
      return host && can(user, "host.view", hostSecurable(view.uuid, host))
        ? { kind, uuid: host.uuid, name: host.name_label, href: `/hosts/${host.uuid}` }
        : null;
    }
    case "SR": {
      const sr = cache.get("SR", link.ref);
      return sr && can(user, "sr.view", srSecurable(view.uuid, sr)) ? { kind, uuid: sr.uuid, name: srLabel(cache, sr), href: `/storage/${sr.uuid}` } : null;
    }
    case "network": {
      const network = cache.get("network", link.ref);
      return network && can(user, "network.view", networkSecurable(view.uuid, network))
        ? { kind, uuid: network.uuid, name: network.name_label, href: `/networks/${network.uuid}` }
        : null;
    }
    case "VDI": {
      const vdi = cache.get("VDI", link.ref);
      return vdi && can(user, "vdi.view", vdiSecurable(view.uuid, cache, vdi)) ? { kind, uuid: vdi.uuid, name: vdi.name_label || "Disk", href: null } : null;
    }
    case "pool":
      return can(user, "pool.view", poolSecurable(view.uuid)) ? { kind, uuid: view.uuid, name: view.label, href: `/pools/${view.id}` } : null;
  }
}

/** A successful task's result in words: what it created, when that is an object of the pool. */
function resultOf(entry: TaskEntry, nameOf: (ref: string) => string | undefined): string | null {
  const ref = /OpaqueRef:[0-9a-fA-F-]+/.exec(entry.record!.result)?.[0];
  const name = ref ? nameOf(ref) : undefined;
  return name ? `Made “${name}”` : null;
}

function taskDto(user: CurrentUser, view: PoolView, connection: PoolConnection, entry: TaskEntry, now: number, mayCancel: boolean): TaskDto {
  const cache = connection.cache;
  const record = entry.record!;
  const state = stateOf(entry);
  const nameOf = refNamer(cache);
  const objects = entry.objects.map((link) => objectDto(user, view, cache, link)).filter((object) => object !== null);
  const created = record.created.getTime();
  const endedAt =
    state === "running" || state === "cancelling" ? null : record.finished.getTime() > 0 ? record.finished.getTime() : (entry.goneAt?.getTime() ?? now);
  const host = cache.get("host", record.resident_on);
  const verb = taskVerb(record.name_label);
  const subject = objects.find((object) => object.kind === "vm") ?? objects[0];
  const end = state === "running" ? estimatedEnd(created, record.progress, now) : null;
  return {
    uuid: record.uuid,
    title: subject && !verb.includes(" host") ? `${verb} ${subject.name}` : verb,
    name: record.name_label,
    state,
    progress: state === "succeeded" ? 1 : Math.min(1, Math.max(0, record.progress)),
    pool: { id: view.id, label: view.label },
    host: host && can(user, "host.view", hostSecurable(view.uuid, host)) ? { uuid: host.uuid, name: host.name_label } : null,
    objects,
    startedBy: entry.startedBy?.username || null,
    created: record.created.toISOString(),
    ended: endedAt === null ? null : new Date(endedAt).toISOString(),
    elapsedMs: Math.max(0, (endedAt ?? now) - created),
    estimatedEnd: end === null ? null : new Date(end).toISOString(),
    error: state === "failed" && record.error_info.length > 0 ? describeXapiError(XapiError.fromDescription(record.error_info), { nameOf }) : null,
    result: state === "succeeded" ? resultOf(entry, nameOf) : null,
    steps: 0,
    routine: isRoutineTask(record.name_label) && !entry.startedBy,
    cancel: mayCancel ? { allowed: !entry.goneAt && record.status === "pending" && record.allowed_operations.includes("cancel") } : null,
  };
}

/** Tasks of a pool the user may view, with their parents (for subtasks). */
function visibleEntries(user: CurrentUser, view: PoolView, connection: PoolConnection): { entry: TaskEntry; mayCancel: boolean }[] {
  const entries = connection.tasks.list();
  const byRef = new Map(entries.map((entry) => [entry.ref, entry]));
  const wholePool = canViewWholePool(user, view.uuid);
  const out: { entry: TaskEntry; mayCancel: boolean }[] = [];
  for (const entry of entries) {
    const parent = entry.record!.subtask_of !== NULL_REF ? byRef.get(entry.record!.subtask_of) : undefined;
    const securable = taskSecurable(view.uuid, connection.cache, entry, parent);
    if (!wholePool && !can(user, "task.view", securable)) continue;
    out.push({ entry, mayCancel: can(user, "task.cancel", securable) });
  }
  return out;
}

const runningFirst = (a: TaskDto, b: TaskDto) => {
  const running = (task: TaskDto) => (task.ended === null ? 0 : 1);
  return running(a) - running(b) || (b.ended ?? b.created).localeCompare(a.ended ?? a.created);
};

/** Every task the user may view (steps of another task left out, counted on it), running first, newest first. */
export async function visibleTasks(user: CurrentUser, options: { views?: PoolView[]; now?: number } = {}): Promise<TaskDto[]> {
  const now = options.now ?? Date.now();
  const out: TaskDto[] = [];
  for (const view of options.views ?? (await loadPoolViews())) {
    const connection = view.connection;
    if (!connection) continue;
    const visible = visibleEntries(user, view, connection);
    const refs = new Set(visible.map(({ entry }) => entry.ref));
    const steps = new Map<string, number>();
    for (const { entry } of visible) {
      const parent = entry.record!.subtask_of;
      if (parent !== NULL_REF && refs.has(parent)) steps.set(parent, (steps.get(parent) ?? 0) + 1);
    }
    for (const { entry, mayCancel } of visible) {
      if (entry.record!.subtask_of !== NULL_REF && refs.has(entry.record!.subtask_of)) continue;
      out.push({ ...taskDto(user, view, connection, entry, now, mayCancel), steps: steps.get(entry.ref) ?? 0 });
    }
  }
  return out.sort(runningFirst);
}

/** How many of the user's visible tasks run now (routine ones left out): the shell's indicator. */
export async function runningTaskCount(user: CurrentUser, views?: PoolView[]): Promise<number> {
  let count = 0;
  for (const view of views ?? (await loadPoolViews())) {
    const connection = view.connection;
    if (!connection) continue;
    for (const { entry } of visibleEntries(user, view, connection)) {
      const record = entry.record!;
      if (entry.goneAt || !isTaskRunning(record.status) || record.subtask_of !== NULL_REF) continue;
      if (isRoutineTask(record.name_label) && !entry.startedBy) continue;
      count++;
    }
  }
  return count;
}
