/**
 * VM management operations for real users against the simulator over HTTP: what each leaves in the pool
 * (snapshot linked to its VM, a clone with its own disks, a copy on the chosen SR, a migrated VM, a revert, a
 * rename, a delete that takes the VM's own disks and snapshots but not the ISO), who may run them (operator:
 * taking and deleting snapshots; admin through a VM's ACL: everything on that VM), and the audit entries they leave.
 */
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { vmManagementView } from "@/lib/inventory/vm-management";
import { inventoryEnvironmentForFile, type SimVm } from "@/lib/dev/test/pool-environment";
import type { VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { getPoolRegistry } from "@/lib/xapi/registry";
import { runAction } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { HOST_NOT_FOUND } from "./lifecycle-actions";
import { SNAPSHOT_NOT_FOUND, VM_NOT_FOUND } from "./locate";
import { SR_NOT_FOUND, vmManagement } from "./management-actions";

const runVmManagement = (actor: CurrentUser | null, input: unknown) => runAction(vmManagement, { actor, input: input as never });

// Enough halted VMs for each test to take its own.
const env = inventoryEnvironmentForFile({ vmsPerPool: 40 });

const vmRecord = (key: string) => env().sim.inspect.vm(key);
const vdi = (ref: string) => env().sim.inspect.get<VdiRecord>("VDI", ref);
const vbd = (ref: string) => env().sim.inspect.get<VbdRecord>("VBD", ref)!.record;
/** The VDIs behind a VM's Disk VBDs. */
const diskVdis = (vm: VmRecord) =>
  vm.VBDs.map(vbd)
    .filter((device) => device.type === "Disk")
    .map((device) => device.VDI);

async function lastAuditEntry() {
  return (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;
}

/** Each test takes VMs no other test touched (the environment lives for the whole file). */
const taken = new Set<string>();
function freshVm(pool: string, state: string): SimVm {
  const found = env()
    .vms(pool)
    .find((vm) => vm.powerState === state && !taken.has(vm.uuid) && diskVdis(vmRecord(vm.uuid)!.record).length > 0);
  if (!found) throw new Error(`no unused ${state} VM with disks left in ${pool}`);
  taken.add(found.uuid);
  return found;
}

describe("operators", () => {
  it("snapshot a VM of their pool: the snapshot is linked to it, audited with its task, and listed on the VM page", async () => {
    const { pools, user } = env();
    const operator = await user("lab-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const vm = freshVm("lab", "Running");
    const outcome = await runVmManagement(operator, { operation: "snapshot", vm: vm.uuid, name: "before upgrade" });
    expect(outcome).toMatchObject({ ok: true, operation: "snapshot", vm: { uuid: vm.uuid }, message: `Snapshot “before upgrade” of ${vm.name} taken` });
    const created = outcome.ok ? outcome.created! : null;
    const snapshot = vmRecord(created!.uuid)!;
    expect(snapshot.record).toMatchObject({ is_a_snapshot: true, snapshot_of: vm.ref, name_label: "before upgrade" });
    expect(vmRecord(vm.uuid)!.record.snapshots).toContain(snapshot.ref);
    expect(await lastAuditEntry()).toMatchObject({
      actorUsername: "lab-operator",
      action: "vm.snapshot",
      objectUuid: vm.uuid,
      outcome: "ok",
      poolId: pools.lab!.id,
    });
    expect((await lastAuditEntry()).taskRef).toMatch(/^[0-9a-f-]{36}$/);

    // The page offers the operator the snapshot and nothing of an admin's; on the new snapshot, its deletion only.
    const view = (await vmManagementView(operator, vm.uuid))!;
    expect(view.operations.map((state) => state.id)).toEqual(["snapshot"]);
    expect(view.snapshotOperations[created!.uuid]!.map((state) => state.id)).toEqual(["delete_snapshot"]);
    expect(view.deletion).toBeNull();
  });

  it("delete the snapshots of the VMs they operate (audited as such), but may not revert to them", async () => {
    const { pools, user } = env();
    const operator = await user("lab-operator-3", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const vm = freshVm("lab", "Running");
    const snapshotted = await runVmManagement(operator, { operation: "snapshot", vm: vm.uuid, name: "before upgrade" });
    const snapshot = vmRecord(snapshotted.ok ? snapshotted.created!.uuid : "")!;
    const diskBefore = diskVdis(vmRecord(vm.uuid)!.record);

    expect(await runVmManagement(operator, { operation: "revert", snapshot: snapshot.record.uuid })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.revert", outcome: "refused", objectUuid: snapshot.record.uuid });
    expect(diskVdis(vmRecord(vm.uuid)!.record)).toEqual(diskBefore);

    const snapshotDisks = diskVdis(snapshot.record);
    expect(await runVmManagement(operator, { operation: "delete_snapshot", snapshot: snapshot.record.uuid })).toMatchObject({ ok: true });
    expect(await lastAuditEntry()).toMatchObject({
      actorUsername: "lab-operator-3",
      action: "vm.snapshot.delete",
      outcome: "ok",
      objectUuid: snapshot.record.uuid,
    });
    expect(vmRecord(snapshot.ref)).toBeUndefined();
    for (const ref of snapshotDisks) expect(vdi(ref)).toBeUndefined();
    expect(diskVdis(vmRecord(vm.uuid)!.record)).toEqual(diskBefore);

    // A viewer of the same pool may not.
    const viewer = await user("lab-viewer-3", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    const again = await runVmManagement(operator, { operation: "snapshot", vm: vm.uuid, name: "second" });
    const second = again.ok ? again.created!.uuid : "";
    expect(await runVmManagement(viewer, { operation: "delete_snapshot", snapshot: second })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(vmRecord(second)).toBeDefined();
  });

  it("are refused every admin operation (audited, nothing changes), and VMs outside their rights do not exist for them", async () => {
    const { pools, user } = env();
    const operator = await user("lab-operator-2", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const halted = freshVm("lab", "Halted");
    const before = vmRecord(halted.uuid)!.record;
    for (const input of [
      { operation: "delete", vm: halted.uuid, confirmName: halted.name },
      { operation: "clone", vm: halted.uuid, name: "stolen" },
      { operation: "edit", vm: halted.uuid, name: "renamed", description: "" },
    ]) {
      expect(await runVmManagement(operator, input)).toMatchObject({ ok: false, error: "You are not allowed to do this.", code: "NOT_ALLOWED" });
      expect(await lastAuditEntry()).toMatchObject({ actorUsername: "lab-operator-2", outcome: "refused", errorCode: "NOT_ALLOWED", objectUuid: halted.uuid });
    }
    expect(vmRecord(halted.uuid)!.record).toMatchObject({ name_label: before.name_label, VBDs: before.VBDs });

    const foreign = freshVm("production", "Halted");
    const refused = await runVmManagement(operator, { operation: "snapshot", vm: foreign.uuid, name: "x" });
    expect(refused).toEqual({ ok: false, error: VM_NOT_FOUND, code: "NOT_FOUND" });
    expect(await runVmManagement(operator, { operation: "snapshot", vm: "00000000-0000-0000-0000-000000000000", name: "x" })).toEqual(refused);
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.snapshot", outcome: "refused", errorCode: "NOT_FOUND", objectLabel: null });
    expect(vmRecord(foreign.uuid)!.record.snapshots).toEqual([]);
  });

  it("without a session nothing runs", async () => {
    const vm = freshVm("lab", "Halted");
    expect(await runVmManagement(null, { operation: "delete", vm: vm.uuid, confirmName: vm.name })).toMatchObject({
      ok: false,
      error: "Your session has ended. Please sign in again.",
    });
    expect(vmRecord(vm.uuid)).toBeDefined();
  });
});

describe("admins", () => {
  it("clone a halted VM into a new VM with its own disks; a running one is refused in words", async () => {
    const { admin } = env();
    const vm = freshVm("lab", "Halted");
    const outcome = await runVmManagement(admin, { operation: "clone", vm: vm.uuid, name: `${vm.name} (clone)` });
    expect(outcome).toMatchObject({ ok: true, message: `${vm.name} cloned as “${vm.name} (clone)”` });
    const clone = vmRecord(outcome.ok ? outcome.created!.uuid : "")!.record;
    expect(clone).toMatchObject({ name_label: `${vm.name} (clone)`, is_a_snapshot: false, power_state: "Halted" });
    const own = diskVdis(clone);
    expect(own.length).toBe(diskVdis(vmRecord(vm.uuid)!.record).length);
    for (const ref of own) expect(diskVdis(vmRecord(vm.uuid)!.record)).not.toContain(ref);

    const running = freshVm("lab", "Running");
    const refused = await runVmManagement(admin, { operation: "clone", vm: running.uuid, name: "nope" });
    expect(refused).toMatchObject({ ok: false, code: "VM_BAD_POWER_STATE", error: `The VM “${running.name}” is running; it must be halted to clone it` });
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.clone", outcome: "error", errorCode: "VM_BAD_POWER_STATE", objectUuid: running.uuid });
  });

  it("copy a VM onto a chosen SR of its pool, and only of its pool", async () => {
    const { admin, sim } = env();
    const vm = freshVm("lab", "Halted");
    const labSrs = sim.inspect.all<{ uuid: string; content_type: string; name_label: string }>("SR", 0).filter((sr) => sr.record.content_type !== "iso");
    const target = labSrs.find((sr) => !diskVdis(vmRecord(vm.uuid)!.record).every((ref) => vdi(ref)!.record.SR === sr.ref)) ?? labSrs[0]!;
    const outcome = await runVmManagement(admin, { operation: "copy", vm: vm.uuid, name: "full copy", sr: target.record.uuid });
    expect(outcome).toMatchObject({ ok: true, operation: "copy" });
    const copy = vmRecord(outcome.ok ? outcome.created!.uuid : "")!.record;
    expect(diskVdis(copy).length).toBeGreaterThan(0);
    for (const ref of diskVdis(copy)) expect(vdi(ref)!.record.SR).toBe(target.ref);

    const productionSr = sim.inspect.all<{ uuid: string; content_type: string }>("SR", 1).find((sr) => sr.record.content_type !== "iso")!;
    expect(await runVmManagement(admin, { operation: "copy", vm: vm.uuid, name: "elsewhere", sr: productionSr.record.uuid })).toMatchObject({
      ok: false,
      error: SR_NOT_FOUND,
      fieldErrors: { sr: [SR_NOT_FOUND] },
    });
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.copy", outcome: "refused", errorCode: "SR_NOT_FOUND" });
  });

  it("migrate a running VM to another host of its pool; a host of another pool is refused", async () => {
    const { admin, sim } = env();
    const vm = freshVm("lab", "Running");
    const from = vmRecord(vm.uuid)!.record.resident_on;
    const to = sim.pools[0]!.hosts.find((host) => host.ref !== from)!;
    const outcome = await runVmManagement(admin, { operation: "migrate", vm: vm.uuid, host: to.uuid });
    expect(outcome).toMatchObject({ ok: true, message: `${vm.name} migrated to ${to.name}` });
    expect(vmRecord(vm.uuid)!.record).toMatchObject({ resident_on: to.ref, power_state: "Running" });
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.migrate", outcome: "ok" });
    expect(JSON.parse((await lastAuditEntry()).params)).toMatchObject({ operation: "migrate", host: to.uuid });

    const elsewhere = sim.pools[1]!.hosts[0]!;
    expect(await runVmManagement(admin, { operation: "migrate", vm: vm.uuid, host: elsewhere.uuid })).toMatchObject({ ok: false, error: HOST_NOT_FOUND });
    expect(vmRecord(vm.uuid)!.record.resident_on).toBe(to.ref);
  });

  it("rename a VM and change its description; bad input says what is wrong and changes nothing", async () => {
    const { admin, catchUp } = env();
    const vm = freshVm("production", "Halted");
    expect(await runVmManagement(admin, { operation: "edit", vm: vm.uuid, name: "  ledger-db  ", description: "Accounting database" })).toMatchObject({
      ok: true,
      message: "ledger-db saved",
    });
    expect(vmRecord(vm.uuid)!.record).toMatchObject({ name_label: "ledger-db", name_description: "Accounting database" });
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.edit", outcome: "ok", objectLabel: vm.name });

    expect(await runVmManagement(admin, { operation: "edit", vm: vm.uuid, name: "", description: "x" })).toMatchObject({
      ok: false,
      error: "Enter a name",
      fieldErrors: { name: ["Enter a name"] },
    });
    await catchUp();
    expect(vmRecord(vm.uuid)!.record).toMatchObject({ name_label: "ledger-db", name_description: "Accounting database" });
  });

  it("with admin on one VM only: revert it to its snapshot and delete the snapshot with its disks; other VMs stay out of reach", async () => {
    const { user, sim } = env();
    const vm = freshVm("production", "Halted");
    const owner = await user("vm-admin", [{ kind: "vm", uuid: vm.uuid, role: "admin" }]);
    const snapshotted = await runVmManagement(owner, { operation: "snapshot", vm: vm.uuid, name: "known good" });
    const snapshot = vmRecord(snapshotted.ok ? snapshotted.created!.uuid : "")!;
    const disksBefore = diskVdis(vmRecord(vm.uuid)!.record);

    const view = (await vmManagementView(owner, vm.uuid))!;
    expect(view.operations.map((state) => state.id)).toEqual(["snapshot", "clone", "copy", "migrate", "edit", "delete"]);
    expect(view.snapshotOperations[snapshot.record.uuid]!.map((state) => [state.id, state.unavailableReason])).toEqual([
      ["revert", null],
      ["delete_snapshot", null],
    ]);

    expect(await runVmManagement(owner, { operation: "revert", snapshot: snapshot.record.uuid })).toMatchObject({
      ok: true,
      message: `${vm.name} reverted to “known good”`,
    });
    const reverted = vmRecord(vm.uuid)!.record;
    expect(reverted.parent).toBe(snapshot.ref);
    expect(diskVdis(reverted)).toHaveLength(disksBefore.length);
    for (const ref of diskVdis(reverted)) expect(disksBefore).not.toContain(ref);
    for (const ref of disksBefore) expect(vdi(ref)).toBeUndefined();
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.revert", outcome: "ok", objectUuid: snapshot.record.uuid });

    const snapshotDisks = diskVdis(snapshot.record);
    expect(await runVmManagement(owner, { operation: "delete_snapshot", snapshot: snapshot.record.uuid })).toMatchObject({
      ok: true,
      message: "Snapshot “known good” was deleted",
    });
    expect(vmRecord(snapshot.ref)).toBeUndefined();
    for (const ref of snapshotDisks) expect(vdi(ref)).toBeUndefined();
    expect(vmRecord(vm.uuid)!.record.snapshots).toEqual([]);

    // Another VM's snapshot, and the VM itself as a "snapshot": the same not-found answer.
    const other = freshVm("production", "Halted");
    const foreignSnapshot = await runVmManagement(env().admin, { operation: "snapshot", vm: other.uuid, name: "theirs" });
    expect(await runVmManagement(owner, { operation: "revert", snapshot: foreignSnapshot.ok ? foreignSnapshot.created!.uuid : "" })).toMatchObject({
      ok: false,
      error: SNAPSHOT_NOT_FOUND,
    });
    expect(await runVmManagement(owner, { operation: "delete_snapshot", snapshot: vm.uuid })).toMatchObject({ ok: false, error: SNAPSHOT_NOT_FOUND });
    expect(await runVmManagement(owner, { operation: "clone", vm: other.uuid, name: "x" })).toMatchObject({ ok: false, error: VM_NOT_FOUND });
    expect(sim.inspect.vm(other.uuid)!.record.snapshots).toHaveLength(1);
  });
});

describe("deleting a VM", () => {
  it("destroys the VM, its own disks and its snapshots with theirs, but not the ISO in its CD drive", async () => {
    const { admin, pools, catchUp } = env();
    const vm = freshVm("lab", "Halted");
    const snapshotted = await runVmManagement(admin, { operation: "snapshot", vm: vm.uuid, name: "old" });
    // Then an ISO in its CD drive and in no other VM's, not even the snapshot's (so that only the CD/ISO rule
    // keeps it), through XAPI as an admin would.
    const client = getPoolRegistry().get(pools.lab!.id)!.client;
    const isos = env()
      .sim.inspect.all<VdiRecord>("VDI", 0)
      .filter((candidate) => env().sim.inspect.get<{ content_type: string }>("SR", candidate.record.SR)?.record.content_type === "iso");
    const iso = isos.sort((a, b) => a.record.VBDs.length - b.record.VBDs.length)[0]!;
    for (const ref of iso.record.VBDs) await client.call("VBD.eject", ref);
    const cd = vmRecord(vm.uuid)!
      .record.VBDs.map((ref) => ({ ref, ...vbd(ref) }))
      .find((device) => device.type === "CD")!;
    if (!cd.empty) await client.call("VBD.eject", cd.ref);
    await client.call("VBD.insert", cd.ref, iso.ref);
    const isoRef = iso.ref;
    await catchUp();
    const snapshot = vmRecord(snapshotted.ok ? snapshotted.created!.uuid : "")!;
    const own = diskVdis(vmRecord(vm.uuid)!.record);
    const snapshotDisks = diskVdis(snapshot.record);
    expect(own.length).toBeGreaterThan(0);

    const view = (await vmManagementView(admin, vm.uuid))!;
    expect(view.deletion).toEqual({ disks: own.map((ref) => expect.objectContaining({ uuid: vdi(ref)!.record.uuid })), snapshots: 1 });

    const wrong = await runVmManagement(admin, { operation: "delete", vm: vm.uuid, confirmName: `${vm.name}x` });
    expect(wrong).toMatchObject({ ok: false, fieldErrors: { confirmName: [`Type the VM's name exactly as shown (${vm.name}) to confirm`] } });
    expect(vmRecord(vm.uuid)).toBeDefined();

    const outcome = await runVmManagement(admin, { operation: "delete", vm: vm.uuid, confirmName: vm.name });
    expect(outcome).toMatchObject({ ok: true, operation: "delete", message: `${vm.name} was deleted` });
    expect(vmRecord(vm.uuid)).toBeUndefined();
    expect(vmRecord(snapshot.ref)).toBeUndefined();
    for (const ref of [...own, ...snapshotDisks]) expect(vdi(ref), `disk ${ref}`).toBeUndefined();
    expect(vdi(isoRef)).toBeDefined();
    const entry = await lastAuditEntry();
    expect(entry).toMatchObject({ action: "vm.delete", outcome: "ok", objectUuid: vm.uuid, objectLabel: vm.name });
    expect(JSON.parse(entry.params)).toEqual({
      operation: "delete",
      disks: [...own, ...snapshotDisks].map(() => expect.any(String)),
      snapshots: [snapshot.record.uuid],
    });
    expect(env().sim.inspect.consistencyErrors()).toEqual([]);
  });

  it("refuses a running VM in words, audits the refusal by XAPI's code, and leaves it and its disks alone", async () => {
    const { admin } = env();
    const vm = freshVm("lab", "Running");
    const disks = diskVdis(vmRecord(vm.uuid)!.record);
    const outcome = await runVmManagement(admin, { operation: "delete", vm: vm.uuid, confirmName: vm.name });
    expect(outcome).toMatchObject({ ok: false, code: "VM_BAD_POWER_STATE", error: `The VM “${vm.name}” is running; it must be halted to delete it` });
    expect(outcome).not.toHaveProperty("followUp");
    expect(vmRecord(vm.uuid)!.record.power_state).toBe("Running");
    for (const ref of disks) expect(vdi(ref)).toBeDefined();
    expect(await lastAuditEntry()).toMatchObject({ action: "vm.delete", outcome: "error", errorCode: "VM_BAD_POWER_STATE" });
  });
});

describe("a pool registered read-only", () => {
  it("offers every operation disabled with the reason, and sends nothing when called anyway", async () => {
    const { admin, pools } = env();
    const vm = freshVm("production", "Halted");
    const setReadOnly = async (readOnly: boolean) => {
      await getDb().pool.update({ where: { id: pools.production!.id }, data: { readOnly } });
      await getPoolRegistry().refresh();
      await getPoolRegistry().get(pools.production!.id)!.waitForSync(10_000);
    };
    await setReadOnly(true);
    try {
      const view = (await vmManagementView(admin, vm.uuid))!;
      expect(new Set(view.operations.map((state) => state.unavailableReason))).toEqual(new Set(["This pool is registered read-only"]));

      const before = vmRecord(vm.uuid)!.record;
      for (const input of [
        { operation: "snapshot", vm: vm.uuid, name: "x" },
        { operation: "edit", vm: vm.uuid, name: "renamed", description: "" },
        { operation: "delete", vm: vm.uuid, confirmName: vm.name },
      ]) {
        expect(await runVmManagement(admin, input)).toMatchObject({
          ok: false,
          code: "XENDECK_READ_ONLY",
          error: "This pool is registered read-only: the operation was not sent",
        });
        expect(await lastAuditEntry()).toMatchObject({ outcome: "error", errorCode: "XENDECK_READ_ONLY", objectUuid: vm.uuid });
      }
      expect(vmRecord(vm.uuid)!.record).toMatchObject({ name_label: before.name_label, snapshots: before.snapshots, VBDs: before.VBDs });
    } finally {
      await setReadOnly(false);
    }
  });
});
