/**
 * The `Securable` of a cached XAPI object: what `can()` needs to decide access to it (its pool, and for disks
 * and interfaces the VMs, SR and network they hang off). Built from the live cache on the server, never from
 * anything a browser sent. Pure: no I/O.
 */
import type { Securable, VmAnchor } from "@/lib/access/can";
import type { PoolCache, XapiObject } from "@/lib/xapi/cache";
import { NULL_REF } from "@/lib/xapi/codec";
import type { TaskEntry, TaskObjectLink } from "@/lib/xapi/task-history";

const refUuid = (cache: PoolCache, cls: "VM" | "SR" | "network", ref: string | null | undefined): string | null =>
  ref && ref !== NULL_REF ? (cache.get(cls, ref)?.uuid ?? null) : null;

export function poolSecurable(poolUuid: string): Securable {
  return { kind: "pool", uuid: poolUuid };
}

export function vmAnchor(cache: PoolCache, vm: XapiObject<"VM">): VmAnchor {
  return { uuid: vm.uuid, snapshotOf: vm.is_a_snapshot ? refUuid(cache, "VM", vm.snapshot_of) : null };
}

export function vmSecurable(poolUuid: string, cache: PoolCache, vm: XapiObject<"VM">): Securable {
  return { kind: "vm", poolUuid, ...vmAnchor(cache, vm) };
}

export function hostSecurable(poolUuid: string, host: XapiObject<"host">): Securable {
  return { kind: "host", uuid: host.uuid, poolUuid };
}

export function srSecurable(poolUuid: string, sr: XapiObject<"SR">): Securable {
  return { kind: "sr", uuid: sr.uuid, poolUuid };
}

export function networkSecurable(poolUuid: string, network: XapiObject<"network">): Securable {
  return { kind: "network", uuid: network.uuid, poolUuid };
}

export function vdiSecurable(poolUuid: string, cache: PoolCache, vdi: XapiObject<"VDI">): Securable {
  const vms: VmAnchor[] = [];
  for (const vbd of cache.vbdsByVdi(vdi.$ref)) {
    const vm = cache.get("VM", vbd.VM);
    if (vm) vms.push(vmAnchor(cache, vm));
  }
  return { kind: "vdi", uuid: vdi.uuid, poolUuid, srUuid: refUuid(cache, "SR", vdi.SR), vms };
}

/** A VBD, or null when its VM is not in the cache (it is being deleted). */
export function vbdSecurable(poolUuid: string, cache: PoolCache, vbd: XapiObject<"VBD">): Securable | null {
  const vm = cache.get("VM", vbd.VM);
  return vm ? { kind: "vbd", uuid: vbd.uuid, poolUuid, vm: vmAnchor(cache, vm) } : null;
}

/** A VIF, or null when its VM is not in the cache. */
export function vifSecurable(poolUuid: string, cache: PoolCache, vif: XapiObject<"VIF">): Securable | null {
  const vm = cache.get("VM", vif.VM);
  return vm ? { kind: "vif", uuid: vif.uuid, poolUuid, vm: vmAnchor(cache, vm), networkUuid: refUuid(cache, "network", vif.network) } : null;
}

export function pifSecurable(poolUuid: string, cache: PoolCache, pif: XapiObject<"PIF">): Securable {
  return { kind: "pif", uuid: pif.uuid, poolUuid, networkUuid: refUuid(cache, "network", pif.network) };
}

/** An object a task ran on; from its cached record when it is still there, else from what the task remembers. */
function taskObjectSecurable(poolUuid: string, cache: PoolCache, link: TaskObjectLink): Securable {
  switch (link.cls) {
    case "pool":
      return poolSecurable(poolUuid);
    case "VM": {
      const vm = cache.get("VM", link.ref);
      return vm ? vmSecurable(poolUuid, cache, vm) : { kind: "vm", uuid: link.uuid, poolUuid };
    }
    case "VDI": {
      const vdi = cache.get("VDI", link.ref);
      return vdi ? vdiSecurable(poolUuid, cache, vdi) : { kind: "vdi", uuid: link.uuid, poolUuid, srUuid: null, vms: [] };
    }
    case "host":
      return { kind: "host", uuid: link.uuid, poolUuid };
    case "SR":
      return { kind: "sr", uuid: link.uuid, poolUuid };
    case "network":
      return { kind: "network", uuid: link.uuid, poolUuid };
  }
}

/** A task, seen through the objects it ran on (and its parent's, for a step of a bigger operation). */
export function taskSecurable(poolUuid: string, cache: PoolCache, task: Pick<TaskEntry, "ref" | "objects" | "startedBy">, parent?: TaskEntry): Securable {
  const links = parent ? [...task.objects, ...parent.objects] : task.objects;
  return {
    kind: "task",
    uuid: task.ref,
    poolUuid,
    appliesTo: links.map((link) => taskObjectSecurable(poolUuid, cache, link)),
    startedBy: task.startedBy?.id ?? parent?.startedBy?.id ?? null,
  };
}

/** The object an alert is about, when XenDeck knows it (a VM, host, SR, disk or the pool itself). */
export function alertSubject(poolUuid: string, cache: PoolCache, message: XapiObject<"message">): Securable | null {
  switch (message.cls) {
    case "Pool":
      return poolSecurable(poolUuid);
    case "VM": {
      const vm = cache.getByUuid("VM", message.obj_uuid);
      return vm ? vmSecurable(poolUuid, cache, vm) : null;
    }
    case "Host": {
      const host = cache.getByUuid("host", message.obj_uuid);
      return host ? hostSecurable(poolUuid, host) : null;
    }
    case "SR": {
      const sr = cache.getByUuid("SR", message.obj_uuid);
      return sr ? srSecurable(poolUuid, sr) : null;
    }
    case "VDI": {
      const vdi = cache.getByUuid("VDI", message.obj_uuid);
      return vdi ? vdiSecurable(poolUuid, cache, vdi) : null;
    }
    default:
      return null;
  }
}

export function alertSecurable(poolUuid: string, cache: PoolCache, message: XapiObject<"message">): Securable {
  return { kind: "alert", uuid: message.uuid, poolUuid, about: alertSubject(poolUuid, cache, message) };
}
