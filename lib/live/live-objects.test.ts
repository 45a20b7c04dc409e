/**
 * Which object a cache change concerns, and who may hear of it: metrics and tasks count as their VM, disks and
 * interfaces name their VM, and a deletion is judged on the object as it was.
 */
import { describe, expect, it } from "vitest";
import type { AccessSubject, Grant } from "@/lib/access/can";
import { PoolCache, type CacheChange, type CacheUpdate } from "@/lib/xapi/cache";
import { TaskHistory } from "@/lib/xapi/task-history";
import { visibleObjects } from "./hub";
import { PoolLiveObjects } from "./live-objects";

const NULL = "OpaqueRef:NULL";
const add = (cls: CacheUpdate["class"], ref: string, record: Record<string, unknown>): CacheUpdate => ({ class: cls, ref, operation: "add", record });
const vm = (ref: string, uuid: string, extra: Record<string, unknown> = {}) =>
  add("VM", ref, {
    uuid,
    name_label: uuid,
    is_a_template: false,
    is_a_snapshot: false,
    is_control_domain: false,
    snapshot_of: NULL,
    metrics: `${ref}-metrics`,
    guest_metrics: `${ref}-guest`,
    current_operations: {},
    ...extra,
  });

function pool(): { cache: PoolCache; live: PoolLiveObjects } {
  const cache = new PoolCache();
  cache.apply([
    add("pool", "p", { uuid: "pool-uuid" }),
    add("host", "h1", { uuid: "host-uuid", metrics: "h1-metrics" }),
    add("host_metrics", "h1-metrics", { uuid: "host-metrics-uuid" }),
    vm("v1", "vm-mine"),
    vm("v2", "vm-other", { current_operations: { "task-1": "start" } }),
    add("VM_metrics", "v1-metrics", { uuid: "vm-mine-metrics" }),
    add("VM_guest_metrics", "v2-guest", { uuid: "vm-other-guest" }),
    add("task", "task-1", { uuid: "task-uuid", progress: 0.5 }),
    add("SR", "sr", { uuid: "sr-uuid" }),
    add("VDI", "d1", { uuid: "vdi-mine", SR: "sr" }),
    add("VBD", "b1", { uuid: "vbd-mine", VM: "v1", VDI: "d1" }),
    add("network", "n", { uuid: "net-uuid" }),
    add("VIF", "i2", { uuid: "vif-other", VM: "v2", network: "n" }),
  ]);
  return { cache, live: new PoolLiveObjects(cache, () => "pool-uuid") };
}

const grant = (objectKind: Grant["objectKind"], objectUuid: string): Grant => ({
  aclId: objectUuid,
  objectKind,
  objectUuid,
  objectLabel: "",
  role: "viewer",
  via: { type: "user" },
});
const owner: AccessSubject = { isAdmin: false, grants: [grant("vm", "vm-mine")] };
const admin: AccessSubject = { isAdmin: true, grants: [] };
const change = (cls: CacheChange["class"], ref: string, uuid: string, operation: CacheChange["operation"] = "mod"): CacheChange => ({
  class: cls,
  ref,
  uuid,
  operation,
});

describe("PoolLiveObjects", () => {
  it("reports metrics, guest metrics and tasks as the VM or host they belong to", () => {
    const { live } = pool();
    const resolved = live.resolve([
      change("VM_metrics", "v1-metrics", "vm-mine-metrics"),
      change("VM_guest_metrics", "v2-guest", "vm-other-guest"),
      change("task", "task-1", "task-uuid"),
      change("host_metrics", "h1-metrics", "host-metrics-uuid"),
    ]);
    expect(resolved.map((r) => r.object)).toEqual([
      { kind: "vm", uuid: "vm-mine" },
      { kind: "vm", uuid: "vm-other" },
      { kind: "vm", uuid: "vm-other" },
      { kind: "host", uuid: "host-uuid" },
    ]);
  });

  it("names the VM of a disk, a VBD and an interface", () => {
    const { live } = pool();
    const resolved = live.resolve([change("VBD", "b1", "vbd-mine"), change("VDI", "d1", "vdi-mine"), change("VIF", "i2", "vif-other")]);
    expect(resolved.map((r) => r.object)).toEqual([
      { kind: "vbd", uuid: "vbd-mine", related: ["vm-mine"] },
      { kind: "vdi", uuid: "vdi-mine", related: ["vm-mine"] },
      { kind: "vif", uuid: "vif-other", related: ["vm-other"] },
    ]);
  });

  it("judges a deletion on the object as it was, once", () => {
    const { cache, live } = pool();
    cache.apply([{ class: "VM", ref: "v2", operation: "del" }]);
    const [deleted] = live.resolve([change("VM", "v2", "vm-other", "del")]);
    expect(deleted!.securable).toEqual({ kind: "vm", uuid: "vm-other", poolUuid: "pool-uuid", snapshotOf: null });
    expect(live.resolve([change("VM", "v2", "vm-other", "del")])).toEqual([]);
  });

  it("follows new VMs added after it was built, and their metrics in the same batch", () => {
    const { cache, live } = pool();
    cache.apply([vm("v3", "vm-new"), add("VM_metrics", "v3-metrics", { uuid: "vm-new-metrics" })]);
    const resolved = live.resolve([change("VM_metrics", "v3-metrics", "vm-new-metrics", "add"), change("VM", "v3", "vm-new", "add")]);
    expect(resolved.map((r) => r.object.uuid)).toEqual(["vm-new", "vm-new"]);
  });
});

describe("tasks and alerts", () => {
  function withHistory() {
    const cache = new PoolCache();
    const history = new TaskHistory(cache);
    const apply = (updates: CacheUpdate[]) => {
      const changes = cache.apply(updates);
      history.observe(changes);
      return changes;
    };
    apply([
      add("pool", "p", { uuid: "pool-uuid" }),
      vm("v1", "vm-mine", { current_operations: { t1: "copy" } }),
      vm("v2", "vm-other"),
      add("task", "t1", { uuid: "task-uuid", name_label: "Async.VM.copy", status: "pending", subtask_of: NULL, other_config: {} }),
      add("message", "m1", { uuid: "alert-mine", cls: "VM", obj_uuid: "vm-mine", name: "ALARM", body: "", priority: 3 }),
      add("message", "m2", { uuid: "alert-other", cls: "VM", obj_uuid: "vm-other", name: "VM_CRASHED", body: "", priority: 2 }),
    ]);
    return { cache, apply, live: new PoolLiveObjects(cache, () => "pool-uuid", history) };
  }

  it("reports a task as itself, naming what it runs on, and as its VM; an alert as itself, naming its object", () => {
    const { live } = withHistory();
    const resolved = live.resolve([change("task", "t1", "task-uuid"), change("message", "m1", "alert-mine")]);
    expect(resolved.map((r) => r.object)).toEqual([
      { kind: "task", uuid: "task-uuid", related: ["vm-mine"] },
      { kind: "vm", uuid: "vm-mine" },
      { kind: "alert", uuid: "alert-mine", related: ["vm-mine"] },
    ]);
    expect(visibleObjects(owner, live.resolve([change("message", "m2", "alert-other")]))).toEqual([]);
  });

  it("tells those who saw a task or an alert that it is gone, and nobody else", () => {
    const { apply, live } = withHistory();
    const changes = apply([
      { class: "task", ref: "t1", operation: "del" },
      { class: "message", ref: "m1", operation: "del" },
      { class: "message", ref: "m2", operation: "del" },
    ]);
    const resolved = live.resolve(changes);
    expect(visibleObjects(owner, resolved).map((object) => object.uuid)).toEqual(["task-uuid", "alert-mine"]);
    expect(visibleObjects(admin, resolved)).toHaveLength(3);
  });
});

describe("visibleObjects", () => {
  it("passes a restricted user only the changes of objects they may view, once each", () => {
    const { live } = pool();
    const resolved = live.resolve([
      change("VM", "v1", "vm-mine"),
      change("VM_metrics", "v1-metrics", "vm-mine-metrics"),
      change("VM", "v2", "vm-other"),
      change("VIF", "i2", "vif-other"),
      change("host", "h1", "host-uuid"),
      change("VBD", "b1", "vbd-mine"),
      change("SR", "sr", "sr-uuid"),
    ]);
    expect(visibleObjects(owner, resolved)).toEqual([
      { kind: "vm", uuid: "vm-mine" },
      { kind: "vbd", uuid: "vbd-mine", related: ["vm-mine"] },
    ]);
    expect(visibleObjects({ isAdmin: false, grants: [] }, resolved)).toEqual([]);
    expect(visibleObjects(admin, resolved)).toHaveLength(6);
  });
});
