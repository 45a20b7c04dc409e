/**
 * Alert read models: the alerts (XAPI messages) of every object the user may view, newest first, in words; those
 * about one object (its page); and how many critical or major ones arrived since the user last looked (the
 * navigation's badge). Who sees an alert is decided by `can("alert.view")` on what it is about.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { canViewWholePool, seesNothing } from "@/lib/access/pool-shortcuts";
import { alertSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { srLabel } from "@/lib/pools/names";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import type { PoolCache, XapiObject } from "@/lib/xapi";
import { describeAlert, isUrgent, priorityOf, PRIORITY_LABELS, type Priority } from "./alert-text";

export type AlertObjectKind = "vm" | "host" | "sr" | "pool" | "vdi" | "other";

export interface AlertDto {
  uuid: string;
  /** XAPI's code (`ALARM`, `VM_CRASHED`...). */
  name: string;
  title: string;
  details: string | null;
  priority: Priority;
  priorityLabel: string;
  /** ISO time the pool raised it. */
  time: string;
  pool: { id: string; label: string };
  object: { kind: AlertObjectKind; uuid: string; name: string | null; href: string | null };
  canDismiss: boolean;
}

const KIND_BY_CLASS: Record<string, AlertObjectKind> = { VM: "vm", Host: "host", SR: "sr", Pool: "pool", VDI: "vdi" };

/** What the alert is about, named and linked as far as the cache knows it. */
function alertObject(view: PoolView, cache: PoolCache, message: XapiObject<"message">): AlertDto["object"] {
  const kind = KIND_BY_CLASS[message.cls] ?? "other";
  const uuid = message.obj_uuid;
  switch (kind) {
    case "vm": {
      const vm = cache.getByUuid("VM", uuid);
      if (vm?.is_control_domain) {
        const host = cache.get("host", vm.resident_on);
        return { kind, uuid, name: host ? `Control domain of ${host.name_label}` : vm.name_label, href: host ? `/hosts/${host.uuid}` : null };
      }
      return { kind, uuid, name: vm?.name_label ?? null, href: vm && isOrdinaryVm(vm) ? `/vms/${uuid}` : null };
    }
    case "host": {
      const host = cache.getByUuid("host", uuid);
      return { kind, uuid, name: host?.name_label ?? null, href: host ? `/hosts/${uuid}` : null };
    }
    case "sr": {
      const sr = cache.getByUuid("SR", uuid);
      return { kind, uuid, name: sr ? srLabel(cache, sr) : null, href: sr ? `/storage/${uuid}` : null };
    }
    case "vdi": {
      const vdi = cache.getByUuid("VDI", uuid);
      const sr = vdi ? cache.get("SR", vdi.SR) : undefined;
      return { kind, uuid, name: vdi?.name_label ?? null, href: sr ? `/storage/${sr.uuid}` : null };
    }
    case "pool":
      return { kind, uuid, name: view.label, href: `/pools/${view.id}` };
    default:
      return { kind, uuid, name: null, href: null };
  }
}

function alertDto(user: CurrentUser, view: PoolView, cache: PoolCache, message: XapiObject<"message">, wholePoolAdmin: boolean): AlertDto {
  const priority = priorityOf(message.priority);
  const { title, details } = describeAlert(message.name, message.body);
  return {
    uuid: message.uuid,
    name: message.name,
    title,
    details,
    priority,
    priorityLabel: PRIORITY_LABELS[priority],
    time: message.timestamp.toISOString(),
    pool: { id: view.id, label: view.label },
    object: alertObject(view, cache, message),
    canDismiss: wholePoolAdmin || can(user, "alert.dismiss", alertSecurable(view.uuid, cache, message)),
  };
}

/** The messages of a pool the user may view. */
function visibleMessages(user: CurrentUser, view: PoolView, cache: PoolCache): XapiObject<"message">[] {
  const messages = cache.list("message");
  if (canViewWholePool(user, view.uuid)) return [...messages];
  if (seesNothing(user)) return [];
  return messages.filter((message) => can(user, "alert.view", alertSecurable(view.uuid, cache, message)));
}

const newestFirst = (a: AlertDto, b: AlertDto) => b.time.localeCompare(a.time) || a.uuid.localeCompare(b.uuid);

/** Every alert the user may view, newest first; `about`: only those about this object (its uuid). */
export async function visibleAlerts(user: CurrentUser, options: { views?: PoolView[]; about?: string } = {}): Promise<AlertDto[]> {
  const out: AlertDto[] = [];
  for (const view of options.views ?? (await loadPoolViews())) {
    const cache = view.connection?.cache;
    if (!cache) continue;
    const poolAdmin = can(user, "pool.manage", { kind: "pool", uuid: view.uuid });
    for (const message of visibleMessages(user, view, cache)) {
      if (options.about !== undefined && message.obj_uuid !== options.about) continue;
      out.push(alertDto(user, view, cache, message, poolAdmin));
    }
  }
  return out.sort(newestFirst);
}

/** Critical and major alerts the user may view that are newer than `seenAt` (all of them when never seen). */
export async function unreadUrgentAlertCount(user: CurrentUser, seenAt: Date | null, views?: PoolView[]): Promise<number> {
  let count = 0;
  for (const view of views ?? (await loadPoolViews())) {
    const cache = view.connection?.cache;
    if (!cache) continue;
    const wholePool = canViewWholePool(user, view.uuid);
    if (!wholePool && seesNothing(user)) continue;
    for (const message of cache.list("message")) {
      if (!isUrgent(message.priority) || (seenAt && message.timestamp <= seenAt)) continue;
      if (wholePool || can(user, "alert.view", alertSecurable(view.uuid, cache, message))) count++;
    }
  }
  return count;
}
