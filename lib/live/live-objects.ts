/**
 * What a change in a pool's cache is about, for the live stream: the object a user must be allowed to view to
 * hear about it (`securable`), and the uuid pages know it by. Metrics and consoles are reported as the VM or host
 * they belong to; disks and interfaces name their VM in `related`. A task is reported as itself (for the tasks
 * page and the shell's indicator) and as the VM it runs on (for the VM's page); an alert as itself, naming the
 * object it is about in `related`.
 *
 * `PoolLiveObjects` remembers every object's answer, so that a deletion (whose record is already gone from the
 * cache) is still checked against the object it was.
 */
import { OBJECT_ACTIONS, type ObjectAction, type Securable, type SecurableKind } from "@/lib/access/can";
import type { CachedClass } from "@/lib/xapi/cached-fields";
import type { CacheChange, PoolCache } from "@/lib/xapi/cache";
import type { TaskHistory } from "@/lib/xapi/task-history";
import {
  alertSecurable,
  hostSecurable,
  networkSecurable,
  pifSecurable,
  poolSecurable,
  srSecurable,
  taskSecurable,
  vbdSecurable,
  vdiSecurable,
  vifSecurable,
  vmSecurable,
} from "@/lib/access/securables";

/** One changed object as the browser hears of it. */
export interface LiveObject {
  kind: SecurableKind;
  uuid: string;
  /** Uuids of the VMs or hosts it belongs to (a disk's VM, an interface's VM, a PIF's host). */
  related?: string[];
}

/** A change with the object that decides who may hear of it. */
export interface ResolvedChange {
  object: LiveObject;
  securable: Securable;
}

/** The `*.view` action for each kind of securable. */
export const VIEW_ACTION = Object.fromEntries(
  (Object.entries(OBJECT_ACTIONS) as [ObjectAction, { kind: SecurableKind }][])
    .filter(([action]) => action.endsWith(".view"))
    .map(([action, rule]) => [rule.kind, action]),
) as Record<SecurableKind, ObjectAction>;

/** Classes whose records tell which other records belong to them (so they are resolved first in a batch). */
const OWNER_CLASSES: ReadonlySet<CachedClass> = new Set(["VM", "host"]);

export class PoolLiveObjects {
  /** Last resolution of every object, by ref. */
  private readonly known = new Map<string, ResolvedChange>();
  /** Metrics, guest metrics and running tasks → the VM or host they belong to. */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly cache: PoolCache,
    private readonly poolUuid: () => string,
    private readonly tasks?: TaskHistory,
  ) {
    this.rebuild();
  }

  /** Forgets everything and resolves every cached object again (after a full resync). */
  rebuild(): void {
    this.known.clear();
    this.owners.clear();
    const cache = this.cache;
    for (const vm of cache.list("VM")) this.noteOwnedBy(vm.$ref, "VM");
    for (const host of cache.list("host")) this.noteOwnedBy(host.$ref, "host");
    for (const cls of RESOLVED_CLASSES) {
      for (const record of cache.list(cls)) {
        const resolved = this.resolveRecord(cls, record.$ref);
        if (resolved) this.known.set(record.$ref, resolved);
      }
    }
  }

  /** The objects a batch of changes concerns, each with its securable; unknown or uninteresting ones are left out. */
  resolve(changes: readonly CacheChange[]): ResolvedChange[] {
    const ordered = [...changes.filter((c) => OWNER_CLASSES.has(c.class)), ...changes.filter((c) => !OWNER_CLASSES.has(c.class))];
    const out: ResolvedChange[] = [];
    for (const change of ordered) {
      if (change.operation === "del") {
        // A task that left the pool is still in the history: those who saw it hear that it is gone.
        const task = change.class === "task" ? this.resolveTask(change.ref) : null;
        if (task) out.push(task);
        const previous = this.known.get(change.ref);
        this.known.delete(change.ref);
        this.owners.delete(change.ref);
        if (previous) out.push(previous);
        continue;
      }
      if (OWNER_CLASSES.has(change.class)) this.noteOwnedBy(change.ref, change.class as "VM" | "host");
      if (change.class === "task") {
        const task = this.resolveTask(change.ref);
        if (task) out.push(task);
      }
      const resolved = this.resolveRecord(change.class, change.ref);
      if (!resolved) continue;
      if (RESOLVED_CLASSES.includes(change.class)) this.known.set(change.ref, resolved);
      out.push(resolved);
    }
    return out;
  }

  private resolveTask(ref: string): ResolvedChange | null {
    const entry = this.tasks?.get(ref);
    if (!entry?.record) return null;
    const parent = this.tasks?.get(entry.record.subtask_of);
    return {
      object: { kind: "task", uuid: entry.record.uuid, related: entry.objects.map((object) => object.uuid) },
      securable: taskSecurable(this.poolUuid(), this.cache, entry, parent),
    };
  }

  private noteOwnedBy(ref: string, cls: "VM" | "host"): void {
    const record = cls === "VM" ? this.cache.get("VM", ref) : this.cache.get("host", ref);
    if (!record) return;
    this.owners.set(record.metrics, ref);
    if (cls === "VM") {
      const vm = this.cache.get("VM", ref)!;
      this.owners.set(vm.guest_metrics, ref);
      for (const task of Object.keys(vm.current_operations)) this.owners.set(task, ref);
    }
  }

  private resolveRecord(cls: CachedClass, ref: string): ResolvedChange | null {
    const cache = this.cache;
    const poolUuid = this.poolUuid();
    const vmChange = (vmRef: string | undefined): ResolvedChange | null => {
      const vm = vmRef ? cache.get("VM", vmRef) : undefined;
      return vm ? { object: { kind: "vm", uuid: vm.uuid }, securable: vmSecurable(poolUuid, cache, vm) } : null;
    };
    const hostChange = (hostRef: string | undefined): ResolvedChange | null => {
      const host = hostRef ? cache.get("host", hostRef) : undefined;
      return host ? { object: { kind: "host", uuid: host.uuid }, securable: hostSecurable(poolUuid, host) } : null;
    };
    switch (cls) {
      case "pool": {
        const pool = cache.get("pool", ref);
        return pool ? { object: { kind: "pool", uuid: pool.uuid }, securable: poolSecurable(poolUuid) } : null;
      }
      case "VM":
        return vmChange(ref);
      case "VM_metrics":
      case "VM_guest_metrics":
      case "task":
        return vmChange(this.owners.get(ref));
      case "console":
        return vmChange(cache.get("console", ref)?.VM);
      case "host":
        return hostChange(ref);
      case "host_metrics":
        return hostChange(this.owners.get(ref));
      case "SR": {
        const sr = cache.get("SR", ref);
        return sr ? { object: { kind: "sr", uuid: sr.uuid }, securable: srSecurable(poolUuid, sr) } : null;
      }
      case "PBD": {
        const pbd = cache.get("PBD", ref);
        const sr = pbd ? cache.get("SR", pbd.SR) : undefined;
        const host = pbd ? cache.get("host", pbd.host) : undefined;
        return sr ? { object: { kind: "sr", uuid: sr.uuid, related: host ? [host.uuid] : undefined }, securable: srSecurable(poolUuid, sr) } : null;
      }
      case "network": {
        const network = cache.get("network", ref);
        return network ? { object: { kind: "network", uuid: network.uuid }, securable: networkSecurable(poolUuid, network) } : null;
      }
      case "VDI": {
        const vdi = cache.get("VDI", ref);
        if (!vdi) return null;
        const securable = vdiSecurable(poolUuid, cache, vdi);
        const vms = securable.kind === "vdi" ? securable.vms.map((vm) => vm.uuid) : [];
        return { object: { kind: "vdi", uuid: vdi.uuid, related: vms }, securable };
      }
      case "VBD": {
        const vbd = cache.get("VBD", ref);
        const securable = vbd ? vbdSecurable(poolUuid, cache, vbd) : null;
        return vbd && securable?.kind === "vbd" ? { object: { kind: "vbd", uuid: vbd.uuid, related: [securable.vm.uuid] }, securable } : null;
      }
      case "VIF": {
        const vif = cache.get("VIF", ref);
        const securable = vif ? vifSecurable(poolUuid, cache, vif) : null;
        return vif && securable?.kind === "vif" ? { object: { kind: "vif", uuid: vif.uuid, related: [securable.vm.uuid] }, securable } : null;
      }
      case "PIF": {
        const pif = cache.get("PIF", ref);
        if (!pif) return null;
        const host = cache.get("host", pif.host);
        return { object: { kind: "pif", uuid: pif.uuid, related: host ? [host.uuid] : undefined }, securable: pifSecurable(poolUuid, cache, pif) };
      }
      case "message": {
        const message = cache.get("message", ref);
        return message
          ? { object: { kind: "alert", uuid: message.uuid, related: [message.obj_uuid] }, securable: alertSecurable(poolUuid, cache, message) }
          : null;
      }
    }
  }
}

/** Classes whose objects are remembered for deletions (metrics go with their owner; tasks stay in the history). */
const RESOLVED_CLASSES: CachedClass[] = ["pool", "VM", "host", "SR", "PBD", "network", "VDI", "VBD", "VIF", "PIF", "console", "message"];
