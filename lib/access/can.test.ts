import { describe, expect, it } from "vitest";
import {
  can,
  effectiveRole,
  explainAccess,
  GLOBAL_ACTIONS,
  OBJECT_ACTIONS,
  ROLES,
  type AccessSubject,
  type AclObjectKind,
  type Action,
  type Grant,
  type GrantSource,
  type ObjectAction,
  type Role,
  type Securable,
} from "./can";

// A small world: pool P1 (hosts H1/H2, SRs S1/S2, network N1/N2, VMs V1/V2, a snapshot of V1) and pool P2.
const P1 = "pool-1";
const P2 = "pool-2";
const pool1: Securable = { kind: "pool", uuid: P1 };
const pool2: Securable = { kind: "pool", uuid: P2 };
const host1: Securable = { kind: "host", uuid: "host-1", poolUuid: P1 };
const host2: Securable = { kind: "host", uuid: "host-2", poolUuid: P1 };
const sr1: Securable = { kind: "sr", uuid: "sr-1", poolUuid: P1 };
const sr2: Securable = { kind: "sr", uuid: "sr-2", poolUuid: P1 };
const net1: Securable = { kind: "network", uuid: "net-1", poolUuid: P1 };
const net2: Securable = { kind: "network", uuid: "net-2", poolUuid: P1 };
const vm1: Securable = { kind: "vm", uuid: "vm-1", poolUuid: P1 };
const vm2: Securable = { kind: "vm", uuid: "vm-2", poolUuid: P1 };
const snap1: Securable = { kind: "vm", uuid: "snap-1", poolUuid: P1, snapshotOf: "vm-1" };
const disk1: Securable = { kind: "vdi", uuid: "vdi-1", poolUuid: P1, srUuid: "sr-1", vms: [{ uuid: "vm-1" }] };
const snapDisk1: Securable = { kind: "vdi", uuid: "vdi-1s", poolUuid: P1, srUuid: "sr-1", vms: [{ uuid: "snap-1", snapshotOf: "vm-1" }] };
const disk2: Securable = { kind: "vdi", uuid: "vdi-2", poolUuid: P1, srUuid: "sr-2", vms: [{ uuid: "vm-2" }] };
const sharedDisk: Securable = { kind: "vdi", uuid: "vdi-shared", poolUuid: P1, srUuid: "sr-2", vms: [{ uuid: "vm-2" }, { uuid: "vm-1" }] };
const orphanDisk: Securable = { kind: "vdi", uuid: "vdi-orphan", poolUuid: P1, srUuid: null, vms: [] };
const vbd1: Securable = { kind: "vbd", uuid: "vbd-1", poolUuid: P1, vm: { uuid: "vm-1" } };
const snapVbd1: Securable = { kind: "vbd", uuid: "vbd-1s", poolUuid: P1, vm: { uuid: "snap-1", snapshotOf: "vm-1" } };
const vif1: Securable = { kind: "vif", uuid: "vif-1", poolUuid: P1, vm: { uuid: "vm-1" }, networkUuid: "net-1" };
const vif2: Securable = { kind: "vif", uuid: "vif-2", poolUuid: P1, vm: { uuid: "vm-2" }, networkUuid: "net-2" };
const pif1: Securable = { kind: "pif", uuid: "pif-1", poolUuid: P1, networkUuid: "net-1" };
const vmInPool2: Securable = { kind: "vm", uuid: "vm-9", poolUuid: P2 };
const hostInPool2: Securable = { kind: "host", uuid: "host-9", poolUuid: P2 };
const taskOnVm1: Securable = { kind: "task", uuid: "task-1", poolUuid: P1, appliesTo: [vm1], startedBy: null };
const taskOnHost1: Securable = { kind: "task", uuid: "task-2", poolUuid: P1, appliesTo: [host1], startedBy: null };
const startedTask: Securable = { kind: "task", uuid: "task-3", poolUuid: P1, appliesTo: [], startedBy: "user-7" };
const alertOnVm1: Securable = { kind: "alert", uuid: "alert-1", poolUuid: P1, about: vm1 };
const alertOnSr1: Securable = { kind: "alert", uuid: "alert-2", poolUuid: P1, about: sr1 };
const alertOnPool1: Securable = { kind: "alert", uuid: "alert-3", poolUuid: P1, about: null };

const everything = [
  pool1,
  pool2,
  host1,
  host2,
  sr1,
  sr2,
  net1,
  net2,
  vm1,
  vm2,
  snap1,
  disk1,
  snapDisk1,
  disk2,
  sharedDisk,
  orphanDisk,
  vbd1,
  snapVbd1,
  vif1,
  vif2,
  pif1,
  vmInPool2,
  hostInPool2,
  taskOnVm1,
  taskOnHost1,
  startedTask,
  alertOnVm1,
  alertOnSr1,
  alertOnPool1,
];

let aclCounter = 0;
function grant(objectKind: AclObjectKind, objectUuid: string, role: Role, via: GrantSource = { type: "user" }): Grant {
  return { aclId: `acl-${++aclCounter}`, objectKind, objectUuid, objectLabel: objectUuid, role, via };
}
const user = (...grants: Grant[]): AccessSubject => ({ isAdmin: false, grants });
const admin: AccessSubject = { isAdmin: true, grants: [] };
const viewAction = (target: Securable) => `${target.kind}.view` as ObjectAction;
const visible = (subject: AccessSubject) => everything.filter((target) => can(subject, viewAction(target), target));

const objectActions = Object.keys(OBJECT_ACTIONS) as ObjectAction[];
const targetOfKind = (kind: string) => everything.find((target) => target.kind === kind && target !== pool2)!;

describe("the action catalogue", () => {
  it("maps the VM lifecycle and snapshot to operator, the rest of VM management to admin", () => {
    const operatorActions = [
      "vm.start",
      "vm.start_on",
      "vm.shutdown.clean",
      "vm.shutdown.hard",
      "vm.reboot.clean",
      "vm.reboot.hard",
      "vm.suspend",
      "vm.resume",
      "vm.pause",
      "vm.unpause",
      "vm.snapshot",
      "vm.console",
      "vm.cd",
      "vm.edit.tags",
    ];
    const adminActions = ["vm.delete", "vm.clone", "vm.copy", "vm.migrate", "vm.revert", "vm.edit", "vm.edit.hardware"];
    const vmActions = objectActions.filter((action) => action.startsWith("vm."));
    expect(vmActions.sort()).toEqual(["vm.view", ...operatorActions, ...adminActions].sort());
    expect(OBJECT_ACTIONS["vm.view"].role).toBe("viewer");
    for (const action of operatorActions) expect(OBJECT_ACTIONS[action as ObjectAction].role, action).toBe("operator");
    for (const action of adminActions) expect(OBJECT_ACTIONS[action as ObjectAction].role, action).toBe("admin");
  });

  it("lets viewers see every kind of object and keeps management to admins", () => {
    for (const kind of ["pool", "host", "sr", "network", "vm", "vdi", "vbd", "vif", "pif", "task", "alert"]) {
      expect(OBJECT_ACTIONS[`${kind}.view` as ObjectAction]).toEqual({ kind, role: "viewer" });
    }
    const adminOnly = [
      "pool.manage",
      "pool.vm.create",
      "host.manage",
      "host.console",
      "host.maintenance",
      "host.power",
      "sr.manage",
      "sr.scan",
      "network.manage",
      "vdi.manage",
    ] as const;
    for (const action of [...adminOnly, "task.cancel", "alert.dismiss"] as const) {
      expect(OBJECT_ACTIONS[action].role).toBe("admin");
    }
  });

  it.each(ROLES)("grants exactly the actions whose minimal role a %s meets, on every kind of object", (role) => {
    const subject = user(grant("pool", P1, role));
    const rank = { viewer: 1, operator: 2, admin: 3 };
    for (const action of objectActions) {
      const target = targetOfKind(OBJECT_ACTIONS[action].kind);
      expect(can(subject, action, target), `${role} ${action}`).toBe(rank[role] >= rank[OBJECT_ACTIONS[action].role]);
    }
  });

  it("grants nothing to a user without ACLs", () => {
    const nobody = user();
    for (const action of objectActions) expect(can(nobody, action, targetOfKind(OBJECT_ACTIONS[action].kind)), action).toBe(false);
    expect(visible(nobody)).toEqual([]);
  });

  it("lets global admins do every action on every object without ACLs", () => {
    for (const action of objectActions) {
      for (const target of everything.filter((candidate) => candidate.kind === OBJECT_ACTIONS[action].kind)) {
        expect(can(admin, action, target), `${action} ${target.uuid}`).toBe(true);
      }
    }
  });

  it("keeps global actions to global admins, except reading one's own audit entries", () => {
    const operatorEverywhere = user(grant("pool", P1, "admin"), grant("pool", P2, "admin"));
    for (const action of Object.keys(GLOBAL_ACTIONS) as (keyof typeof GLOBAL_ACTIONS)[]) {
      expect(can(admin, action), action).toBe(true);
      expect(can(operatorEverywhere, action), action).toBe(action === "audit.read.own");
    }
  });

  it("refuses a missing user, a missing target, a target of the wrong kind, and unknown actions", () => {
    const poolAdmin = user(grant("pool", P1, "admin"));
    expect(can(null, "vm.view", vm1)).toBe(false);
    expect(can(undefined, "audit.read.own")).toBe(false);
    expect(can(poolAdmin, "vm.start" as Action)).toBe(false);
    expect(can(poolAdmin, "vm.start", host1)).toBe(false);
    expect(can(admin, "host.manage", vm1)).toBe(false);
    expect(can(admin, "vm.explode" as Action, vm1)).toBe(false);
    expect(can(admin, "toString" as Action, vm1)).toBe(false);
  });
});

describe("scope rules", () => {
  it("a pool ACL covers every object in the pool and nothing in another pool", () => {
    const subject = user(grant("pool", P1, "viewer"));
    expect(visible(subject)).toEqual(everything.filter((target) => (target.kind === "pool" ? target.uuid === P1 : target.poolUuid === P1)));
    expect(can(subject, "vm.view", vmInPool2)).toBe(false);
    expect(can(subject, "pool.view", pool2)).toBe(false);
  });

  it("a VM ACL covers the VM, its snapshots, its disks and attachments, and its interfaces only", () => {
    const subject = user(grant("vm", "vm-1", "operator"));
    expect(visible(subject)).toEqual([vm1, snap1, disk1, snapDisk1, sharedDisk, vbd1, snapVbd1, vif1, taskOnVm1, alertOnVm1]);
    expect(can(subject, "vm.start", vm1)).toBe(true);
    expect(can(subject, "vm.snapshot", snap1)).toBe(true);
    expect(can(subject, "vm.delete", vm1)).toBe(false);
  });

  it("a snapshot's own ACL does not reach the VM it was taken from", () => {
    const subject = user(grant("vm", "snap-1", "admin"));
    expect(visible(subject)).toEqual([snap1, snapDisk1, snapVbd1]);
  });

  it("a host ACL covers the host only: not its pool, its VMs, its interfaces or the other hosts", () => {
    const subject = user(grant("host", "host-1", "admin"));
    expect(visible(subject)).toEqual([host1, taskOnHost1]);
    expect(can(subject, "host.manage", host1)).toBe(true);
  });

  it("an SR ACL covers the SR and its disks, not the VMs using them", () => {
    const subject = user(grant("sr", "sr-1", "viewer"));
    expect(visible(subject)).toEqual([sr1, disk1, snapDisk1, alertOnSr1]);
  });

  it("a network ACL covers the network and the interfaces on it, not the VMs", () => {
    const subject = user(grant("network", "net-1", "viewer"));
    expect(visible(subject)).toEqual([net1, vif1, pif1]);
  });

  it("access follows the ACL's object: a VM keeps it wherever it runs, and a host ACL never gives its VMs", () => {
    const vmOperator = user(grant("vm", "vm-1", "operator"));
    const hostAdmin = user(grant("host", "host-1", "admin"));
    // The same VM, now moved to pool 2: the VM ACL still applies, host ACLs never did.
    const migrated: Securable = { kind: "vm", uuid: "vm-1", poolUuid: P2 };
    expect(can(vmOperator, "vm.start", migrated)).toBe(true);
    expect(can(hostAdmin, "vm.view", vm1)).toBe(false);
    expect(can(user(grant("pool", P1, "viewer")), "vm.view", migrated)).toBe(false);
    expect(can(user(grant("pool", P2, "viewer")), "vm.view", migrated)).toBe(true);
  });

  it("the strongest applicable role wins, whichever ACL gives it", () => {
    const group: GrantSource = { type: "group", groupId: "g1", groupName: "ops" };
    const subject = user(grant("pool", P1, "viewer"), grant("vm", "vm-1", "operator", group), grant("sr", "sr-1", "admin"));
    expect(effectiveRole(subject, vm1)).toBe("operator");
    expect(effectiveRole(subject, vm2)).toBe("viewer");
    expect(effectiveRole(subject, disk1)).toBe("admin");
    expect(effectiveRole(subject, host1)).toBe("viewer");
    expect(effectiveRole(subject, vmInPool2)).toBeNull();
    expect(can(subject, "vm.shutdown.hard", vm1)).toBe(true);
    expect(can(subject, "vm.shutdown.hard", vm2)).toBe(false);
    expect(can(subject, "vdi.manage", disk1)).toBe(true);
    // A weaker ACL on the object itself does not lower a stronger pool ACL.
    const both = user(grant("pool", P1, "admin"), grant("vm", "vm-1", "viewer"));
    expect(can(both, "vm.delete", vm1)).toBe(true);
  });

  it("group ACLs count like direct ones", () => {
    const subject = user(grant("vm", "vm-2", "admin", { type: "group", groupId: "g1", groupName: "ops" }));
    expect(can(subject, "vm.delete", vm2)).toBe(true);
    expect(can(subject, "vm.view", vm1)).toBe(false);
  });
});

describe("tasks and alerts", () => {
  it("are seen through what they are about, and handled by admins of it", () => {
    const vmViewer = user(grant("vm", "vm-1", "viewer"));
    const vmAdmin = user(grant("vm", "vm-1", "admin"));
    expect(can(vmViewer, "task.view", taskOnVm1)).toBe(true);
    expect(can(vmViewer, "task.cancel", taskOnVm1)).toBe(false);
    expect(can(vmAdmin, "task.cancel", taskOnVm1)).toBe(true);
    expect(can(vmViewer, "alert.dismiss", alertOnVm1)).toBe(false);
    expect(can(vmAdmin, "alert.dismiss", alertOnVm1)).toBe(true);
    expect(can(vmAdmin, "alert.view", alertOnSr1)).toBe(false);
    expect(can(vmAdmin, "task.view", taskOnHost1)).toBe(false);
  });

  it("about nothing known: only for those who see the whole pool", () => {
    expect(can(user(grant("vm", "vm-1", "admin")), "alert.view", alertOnPool1)).toBe(false);
    expect(can(user(grant("pool", P1, "viewer")), "alert.view", alertOnPool1)).toBe(true);
    expect(can(user(grant("pool", P1, "viewer")), "alert.dismiss", alertOnPool1)).toBe(false);
    expect(can(user(grant("pool", P1, "admin")), "alert.dismiss", alertOnPool1)).toBe(true);
  });

  it("a task is its starter's to see and cancel, without any ACL; nobody else's by that", () => {
    const starter: AccessSubject = { id: "user-7", isAdmin: false, grants: [] };
    const other: AccessSubject = { id: "user-8", isAdmin: false, grants: [] };
    expect(can(starter, "task.view", startedTask)).toBe(true);
    expect(can(starter, "task.cancel", startedTask)).toBe(true);
    expect(can(other, "task.view", startedTask)).toBe(false);
    expect(can(starter, "task.cancel", taskOnVm1)).toBe(false);
  });

  it("explain their access by what they are about", () => {
    const vmViewer = grant("vm", "vm-1", "viewer");
    expect(explainAccess(user(vmViewer), alertOnVm1).reasons).toEqual([{ grant: vmViewer, scope: "what it is about" }]);
  });
});

describe("explainAccess", () => {
  it("names every ACL that applies and why, strongest first", () => {
    const poolViewer = grant("pool", P1, "viewer");
    const vmOperator = grant("vm", "vm-1", "operator", { type: "group", groupId: "g1", groupName: "ops" });
    const netViewer = grant("network", "net-1", "viewer");
    const unrelated = grant("host", "host-1", "admin");
    const subject = user(poolViewer, vmOperator, netViewer, unrelated);

    expect(explainAccess(subject, vif1)).toEqual({
      role: "operator",
      isGlobalAdmin: false,
      reasons: [
        { grant: vmOperator, scope: "its VM" },
        { grant: poolViewer, scope: "its pool" },
        { grant: netViewer, scope: "its network" },
      ],
    });
    expect(explainAccess(subject, snap1).reasons.map((reason) => reason.scope)).toEqual(["the VM it is a snapshot of", "its pool"]);
    expect(explainAccess(subject, sharedDisk).reasons.map((reason) => reason.scope)).toEqual(["a VM using it", "its pool"]);
    expect(explainAccess(subject, host1).reasons.map((reason) => reason.scope)).toEqual(["the object itself", "its pool"]);
  });

  it("reports no access, and global admins as admin without ACLs", () => {
    expect(explainAccess(user(), vm1)).toEqual({ role: null, isGlobalAdmin: false, reasons: [] });
    expect(explainAccess(admin, vm1)).toEqual({ role: "admin", isGlobalAdmin: true, reasons: [] });
  });
});
