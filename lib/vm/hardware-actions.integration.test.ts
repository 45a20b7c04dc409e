/**
 * VM hardware edits for real users against the simulator over HTTP: vCPUs and memory halted and running (with
 * XAPI's refusals in words), disks (create on a running VM and plugged, attach, grow, detach, delete), the CD
 * drive, network interfaces (add plugged, unplug, plug, remove) and tags; who may do which (operators: CD and
 * tags only), each audited.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getDb } from "@/lib/db/client";
import { inventoryEnvironmentForFile, type SimVm } from "@/lib/dev/test/pool-environment";
import type { NetworkRecord, SrRecord, VbdRecord, VdiRecord, VifRecord, VmMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { GiB, MiB } from "./sizes";
import { DISK_NOT_FOUND, VDI_NOT_USABLE, vmHardware } from "./hardware-actions";

const env = inventoryEnvironmentForFile({ vmsPerPool: 60 });

const edit = (actor: CurrentUser | null, input: Record<string, unknown>) => runAction(vmHardware, { actor, input: input as never });
const all = <T>(cls: string, pool = 0) => env().sim.inspect.all<T>(cls, pool);
const get = <T>(cls: string, ref: string) => env().sim.inspect.get<T>(cls, ref)?.record;
const vm = (uuid: string) => env().sim.inspect.vm(uuid)!.record;
const sr = (type: string) => all<SrRecord>("SR").find((s) => s.record.type === type)!;
const network = (bridge: string) => all<NetworkRecord>("network").find((n) => n.record.bridge === bridge)!;
const vbdsOf = (uuid: string) => vm(uuid).VBDs.map((ref) => ({ ref, ...get<VbdRecord>("VBD", ref)! }));
const lastAudit = async () => (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;

const taken = new Set<string>();
function fresh(state: "Halted" | "Running", accept: (record: VmRecord) => boolean = () => true): SimVm {
  const found = env()
    .vms("lab")
    .find((candidate) => candidate.powerState === state && !taken.has(candidate.uuid) && accept(vm(candidate.uuid)));
  if (!found) throw new Error(`no unused ${state} VM left`);
  taken.add(found.uuid);
  return found;
}

describe("vCPUs and memory", () => {
  it("a halted VM takes new maxima and a new dynamic range", async () => {
    const { admin } = env();
    const target = fresh("Halted");
    const result = await edit(admin, {
      operation: "resources",
      vm: target.uuid,
      vcpus: 3,
      vcpusMax: 6,
      memory: "4 GiB",
      dynamicMin: "2 GiB",
      dynamicMax: "4 GiB",
    });
    expect(result).toMatchObject({ ok: true, message: `${target.name}: 3 vCPUs (at most 6), 4 GiB of memory` });
    expect(vm(target.uuid)).toMatchObject({
      VCPUs_at_startup: 3,
      VCPUs_max: 6,
      memory_static_max: 4 * GiB,
      memory_dynamic_min: 2 * GiB,
      memory_dynamic_max: 4 * GiB,
    });
    // Lowering the maximum below the count at start: the form's own rule, before XAPI's.
    expect(await edit(admin, { operation: "resources", vm: target.uuid, vcpus: 4, vcpusMax: 2, dynamicMin: "2 GiB", dynamicMax: "4 GiB" })).toMatchObject({
      ok: false,
      fieldErrors: { vcpus: ["The vCPUs at start cannot exceed the maximum"] },
    });
    // XAPI's memory order, in words.
    expect(await edit(admin, { operation: "resources", vm: target.uuid, vcpus: 3, dynamicMin: "3 GiB", dynamicMax: "2 GiB" })).toMatchObject({
      ok: false,
      code: "MEMORY_CONSTRAINT_VIOLATION_ORDER",
      error: "The memory settings must satisfy: static minimum ≤ dynamic minimum ≤ dynamic maximum ≤ static maximum",
    });
    expect(await lastAudit()).toMatchObject({ action: "vm.hardware.resources", outcome: "error", objectUuid: target.uuid });
  });

  it("a running VM changes its vCPUs live up to its maximum and its dynamic range, not its maxima", async () => {
    const { admin } = env();
    const target = fresh("Running", (record) => record.VCPUs_max >= 2 && record.memory_static_max >= 2 * GiB);
    const record = vm(target.uuid);
    const result = await edit(admin, {
      operation: "resources",
      vm: target.uuid,
      vcpus: 1,
      dynamicMin: record.memory_static_max / 2,
      dynamicMax: record.memory_static_max,
    });
    expect(result).toMatchObject({ ok: true });
    expect(get<VmMetricsRecord>("VM_metrics", record.metrics)!.VCPUs_number).toBe(1);
    expect(vm(target.uuid)).toMatchObject({ VCPUs_at_startup: 1, memory_dynamic_min: record.memory_static_max / 2 });
    const tooMany = await edit(admin, {
      operation: "resources",
      vm: target.uuid,
      vcpus: record.VCPUs_max + 1,
      dynamicMin: record.memory_static_max / 2,
      dynamicMax: record.memory_static_max,
    });
    expect(tooMany).toMatchObject({ ok: false, code: "INVALID_VALUE" });
    expect(!tooMany.ok && tooMany.error).toContain("VCPUs_max");
    const maxima = await edit(admin, {
      operation: "resources",
      vm: target.uuid,
      vcpus: 1,
      vcpusMax: record.VCPUs_max + 1,
      memory: record.memory_static_max + GiB,
      dynamicMin: GiB,
      dynamicMax: GiB,
    });
    expect(maxima).toMatchObject({
      ok: false,
      fieldErrors: { vcpusMax: ["Halt the VM to change its maximum vCPUs"], memory: ["Halt the VM to change its maximum memory"] },
    });
  });
});

describe("disks", () => {
  it("a new disk on a running VM is created, attached and plugged; grown only when detached; detached, then deleted", async () => {
    const { admin } = env();
    const target = fresh("Running");
    const before = vbdsOf(target.uuid).map((vbd) => vbd.ref);
    const added = await edit(admin, { operation: "disk.create", vm: target.uuid, name: "scratch", size: "5 GiB", sr: sr("nfs").record.uuid });
    expect(added).toMatchObject({ ok: true, message: `Disk “scratch” (5 GiB) added to ${target.name}` });
    const vbd = vbdsOf(target.uuid).find((candidate) => !before.includes(candidate.ref))!;
    expect(vbd).toMatchObject({ type: "Disk", currently_attached: true, bootable: false, mode: "RW" });
    expect(get<VdiRecord>("VDI", vbd.VDI)).toMatchObject({ name_label: "scratch", virtual_size: 5 * GiB, SR: sr("nfs").ref });
    const vbdUuid = vbd.uuid;

    const shrink = await edit(admin, { operation: "disk.resize", vm: target.uuid, vbd: vbdUuid, size: "1 GiB" });
    expect(shrink).toMatchObject({ ok: false, fieldErrors: { size: ["A disk can only grow: enter at least 5 GiB"] } });
    const attachedResize = await edit(admin, { operation: "disk.resize", vm: target.uuid, vbd: vbdUuid, size: "6 GiB" });
    expect(attachedResize).toMatchObject({ ok: false, code: "VDI_IN_USE" });
    expect(await edit(admin, { operation: "disk.delete", vm: target.uuid, vbd: vbdUuid })).toMatchObject({ ok: false, code: "VDI_IN_USE" });

    expect(await edit(admin, { operation: "disk.detach", vm: target.uuid, vbd: vbdUuid })).toMatchObject({
      ok: true,
      message: `“scratch” detached from ${target.name}; the disk is kept`,
    });
    expect(vm(target.uuid).VBDs).not.toContain(vbd.ref);
    expect(get<VdiRecord>("VDI", vbd.VDI)).toBeDefined();

    // Attached again (to a halted VM), grown, then deleted.
    const halted = fresh("Halted");
    const vdiUuid = get<VdiRecord>("VDI", vbd.VDI)!.uuid;
    expect(await edit(admin, { operation: "disk.attach", vm: halted.uuid, vdi: vdiUuid })).toMatchObject({
      ok: true,
      message: `Disk “scratch” attached to ${halted.name}`,
    });
    const reattached = vbdsOf(halted.uuid).find((candidate) => candidate.VDI === vbd.VDI)!;
    expect(reattached.currently_attached).toBe(false);
    expect(await edit(admin, { operation: "disk.resize", vm: halted.uuid, vbd: reattached.uuid, size: "8 GiB" })).toMatchObject({ ok: true });
    expect(get<VdiRecord>("VDI", vbd.VDI)!.virtual_size).toBe(8 * GiB);
    // Already attached: not offered to another VM.
    expect(await edit(admin, { operation: "disk.attach", vm: target.uuid, vdi: vdiUuid })).toMatchObject({
      ok: false,
      code: "VDI_NOT_FOUND",
      error: VDI_NOT_USABLE,
    });
    expect(await edit(admin, { operation: "disk.delete", vm: halted.uuid, vbd: reattached.uuid })).toMatchObject({ ok: true, message: "“scratch” deleted" });
    expect(get<VdiRecord>("VDI", vbd.VDI)).toBeUndefined();
    expect(vm(halted.uuid).VBDs).not.toContain(reattached.ref);
    // A VBD of another VM is not this VM's disk.
    const foreign = vbdsOf(target.uuid).find((candidate) => candidate.type === "Disk")!;
    expect(await edit(admin, { operation: "disk.detach", vm: halted.uuid, vbd: foreign.uuid })).toMatchObject({ ok: false, error: DISK_NOT_FOUND });
    expect(env().sim.inspect.consistencyErrors()).toEqual([]);
  });
});

describe("the CD drive", () => {
  it("takes an ISO and gives it back, on a running VM too", async () => {
    const { admin } = env();
    const target = fresh("Running", (record) => record.VBDs.some((ref) => get<VbdRecord>("VBD", ref)!.type === "CD"));
    const isos = all<SrRecord>("SR").find((s) => s.record.content_type === "iso")!.record.VDIs;
    const iso = get<VdiRecord>("VDI", isos[1]!)!;
    const cd = () => vbdsOf(target.uuid).find((vbd) => vbd.type === "CD")!;
    expect(await edit(admin, { operation: "cd.insert", vm: target.uuid, iso: iso.uuid })).toMatchObject({
      ok: true,
      message: `${iso.name_label} inserted into ${target.name}`,
    });
    expect(cd()).toMatchObject({ empty: false, VDI: isos[1] });
    expect(await edit(admin, { operation: "cd.eject", vm: target.uuid })).toMatchObject({ ok: true });
    expect(cd()).toMatchObject({ empty: true });
    expect(await edit(admin, { operation: "cd.eject", vm: target.uuid })).toMatchObject({ ok: false, code: "VBD_IS_EMPTY" });
    // A disk is not an ISO.
    const disk = vbdsOf(target.uuid).find((vbd) => vbd.type === "Disk")!;
    expect(await edit(admin, { operation: "cd.insert", vm: target.uuid, iso: get<VdiRecord>("VDI", disk.VDI)!.uuid })).toMatchObject({
      ok: false,
      code: "ISO_NOT_FOUND",
    });
  });
});

describe("network interfaces", () => {
  it("are added plugged to a running VM, unplugged, plugged and removed", async () => {
    const { admin } = env();
    const target = fresh("Running");
    const before = vm(target.uuid).VIFs;
    const added = await edit(admin, { operation: "vif.create", vm: target.uuid, network: network("xenbr1").record.uuid, mac: "" });
    expect(added).toMatchObject({ ok: true });
    const ref = vm(target.uuid).VIFs.find((candidate) => !before.includes(candidate))!;
    const vif = get<VifRecord>("VIF", ref)!;
    expect(vif).toMatchObject({ network: network("xenbr1").ref, currently_attached: true });
    expect(await edit(admin, { operation: "vif.unplug", vm: target.uuid, vif: vif.uuid })).toMatchObject({ ok: true });
    expect(get<VifRecord>("VIF", ref)!.currently_attached).toBe(false);
    expect(await edit(admin, { operation: "vif.plug", vm: target.uuid, vif: vif.uuid })).toMatchObject({ ok: true });
    expect(await edit(admin, { operation: "vif.remove", vm: target.uuid, vif: vif.uuid })).toMatchObject({
      ok: true,
      message: `Network interface eth${vif.device} removed from ${target.name}`,
    });
    expect(get<VifRecord>("VIF", ref)).toBeUndefined();
    expect(await lastAudit()).toMatchObject({ action: "vm.hardware.vif.remove", outcome: "ok", objectUuid: target.uuid });
  });
});

describe("who may edit what", () => {
  it("an operator changes tags and the CD, and is refused every hardware edit (audited, nothing changes)", async () => {
    const { user, pools } = env();
    const operator = await user("hardware-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const target = fresh("Halted");
    const before = vm(target.uuid);
    expect(await edit(operator, { operation: "tags.add", vm: target.uuid, tag: "web" })).toMatchObject({
      ok: true,
      message: `Tag “web” added to ${target.name}`,
    });
    expect(vm(target.uuid).tags).toContain("web");
    expect(await edit(operator, { operation: "tags.remove", vm: target.uuid, tag: "web" })).toMatchObject({ ok: true });
    expect(vm(target.uuid).tags).toEqual(before.tags);
    for (const input of [
      { operation: "resources", vm: target.uuid, vcpus: 8, dynamicMin: "1 GiB", dynamicMax: "1 GiB" },
      { operation: "disk.create", vm: target.uuid, name: "x", size: "1 GiB", sr: sr("nfs").record.uuid },
      { operation: "vif.create", vm: target.uuid, network: network("xenbr0").record.uuid },
    ]) {
      expect(await edit(operator, input)).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
      expect(await lastAudit()).toMatchObject({ actorUsername: "hardware-operator", action: "vm.edit.hardware", outcome: "refused" });
    }
    expect(vm(target.uuid)).toMatchObject({ VCPUs_at_startup: before.VCPUs_at_startup, VBDs: before.VBDs, VIFs: before.VIFs });
  });

  it("a viewer may not even tag; an admin of one VM edits it with the pool's SRs only if they can see them", async () => {
    const { user, pools } = env();
    const target = fresh("Halted");
    const viewer = await user("hardware-viewer", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    expect(await edit(viewer, { operation: "tags.add", vm: target.uuid, tag: "mine" })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    const vmAdmin = await user("hardware-vm-admin", [{ kind: "vm", uuid: target.uuid, role: "admin" }]);
    expect(await edit(vmAdmin, { operation: "disk.create", vm: target.uuid, name: "x", size: "1 GiB", sr: sr("nfs").record.uuid })).toMatchObject({
      ok: false,
      code: "SR_NOT_FOUND",
    });
    expect(
      await edit(vmAdmin, { operation: "resources", vm: target.uuid, vcpus: 1, vcpusMax: 1, dynamicMin: 512 * MiB, dynamicMax: GiB, memory: GiB }),
    ).toMatchObject({ ok: true });
    expect(vm(target.uuid)).toMatchObject({ VCPUs_max: 1, memory_static_max: GiB });
  });
});
