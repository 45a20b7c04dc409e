/** Hand-built pool caches for the tests of the ACL object search and of the access pages. */
import { PoolCache, type CacheUpdate } from "@/lib/xapi/cache";
import type { AclObjectSource } from "@/lib/inventory/acl-objects";

const add = (cls: CacheUpdate["class"], ref: string, record: Record<string, unknown>): CacheUpdate => ({ class: cls, ref, operation: "add", record });

const vm = (ref: string, uuid: string, name: string, extra: Record<string, unknown> = {}) =>
  add("VM", ref, { uuid, name_label: name, is_a_template: false, is_a_snapshot: false, is_control_domain: false, snapshot_of: "OpaqueRef:NULL", ...extra });

/** Fresh records every call: a cache freezes what it is given. */
export const labUpdates = (): CacheUpdate[] => [
  add("pool", "p1", { uuid: "pool-lab-uuid", name_label: "lab" }),
  add("host", "h1", { uuid: "host-1-uuid", name_label: "lab-host-1" }),
  add("host", "h2", { uuid: "host-2-uuid", name_label: "lab-host-2" }),
  vm("v1", "vm-web-01-uuid", "web-01"),
  vm("v2", "vm-web-02-uuid", "web-02"),
  vm("v3", "vm-db-01-uuid", "db-01"),
  vm("t1", "tpl-uuid", "Debian Bookworm 12", { is_a_template: true }),
  vm("s1", "snap-uuid", "web-01 before upgrade", { is_a_snapshot: true, snapshot_of: "v1" }),
  vm("d0", "dom0-uuid", "Control domain on host: lab-host-1", { is_control_domain: true }),
  add("SR", "sr1", { uuid: "sr-local-uuid", name_label: "Local storage" }),
  add("network", "n1", { uuid: "net-0-uuid", name_label: "Pool-wide network associated with eth0" }),
];

export function labPool(): AclObjectSource {
  const cache = new PoolCache();
  cache.apply(labUpdates());
  return { poolId: "db-lab", poolLabel: "Lab", cache };
}

export function productionPool(): AclObjectSource {
  const cache = new PoolCache();
  cache.apply([
    add("pool", "p1", { uuid: "pool-prod-uuid", name_label: "" }),
    add("host", "h1", { uuid: "prod-host-uuid", name_label: "prod-host-1" }),
    vm("v1", "vm-web-10-uuid", "web-10"),
  ]);
  return { poolId: "db-prod", poolLabel: "Production", cache };
}

/** A pool whose first sync has not finished: nothing can be listed from it yet. */
export function loadingPool(): AclObjectSource {
  const cache = new PoolCache();
  cache.apply([vm("v1", "vm-early-uuid", "early")]);
  return { poolId: "db-loading", poolLabel: "Loading", cache };
}

/** Lab and production loaded, a third pool still loading. */
export const sources = () => [labPool(), productionPool(), loadingPool()];
