/**
 * VBD.create / destroy / plug / unplug / insert / eject and VM.get_allowed_VBD_devices over real HTTP,
 * against xapi_vbd.ml and xapi_vbd_helpers.ml: each constructor rule and error, device numbers and their
 * clashes, hotplug on running VMs, CD media, allowed_operations of the VBD and of its disk, and the events a
 * cache follows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SrRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

const GiB = 1024 ** 3;
const NULL = "OpaqueRef:NULL";

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 80, speed: 0.02 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const fault = (method: string, ...params: unknown[]) => xapi.faultOf(method, ...params);
const vm = (ref: string) => sim.inspect.vm(ref)!.record;
const vbd = (ref: string) => sim.inspect.get<VbdRecord>("VBD", ref)!.record;
const vdi = (ref: string) => sim.inspect.get<VdiRecord>("VDI", ref)!.record;
const nfs = () => sim.inspect.all<SrRecord>("SR").find((s) => s.record.type === "nfs")!.ref;
const isos = () => sim.inspect.all<SrRecord>("SR").find((s) => s.record.content_type === "iso")!.record.VDIs;
const used = new Set<string>();
function take(state: string): string {
  const found = sim.inspect
    .all<VmRecord>("VM")
    .find((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.power_state === state && !used.has(v.ref));
  if (!found) throw new Error(`no ${state} VM left`);
  used.add(found.ref);
  return found.ref;
}
const cdOf = (ref: string) => vm(ref).VBDs.find((r) => vbd(r).type === "CD")!;

async function newDisk(extra: Record<string, unknown> = {}): Promise<string> {
  const args = {
    name_label: "d",
    name_description: "",
    SR: nfs(),
    virtual_size: GiB,
    type: "user",
    sharable: false,
    read_only: false,
    other_config: {},
    ...extra,
  };
  return (await xapi.s("VDI.create", args)) as string;
}
function vbdArgs(vmRef: string, vdiRef: string, extra: Record<string, unknown> = {}) {
  return {
    VM: vmRef,
    VDI: vdiRef,
    userdevice: "autodetect",
    bootable: false,
    mode: "RW",
    type: "Disk",
    unpluggable: true,
    empty: false,
    other_config: {},
    qos_algorithm_type: "",
    qos_algorithm_params: {},
    ...extra,
  };
}

describe("VBD.create", () => {
  it("attaches a disk at the first free device, unplugged, and links VM and VDI", async () => {
    const halted = take("Halted");
    const free = (await xapi.s("VM.get_allowed_VBD_devices", halted)) as string[];
    const taken = vm(halted).VBDs.map((r) => vbd(r).userdevice);
    expect(free).toEqual(Array.from({ length: 255 }, (_, i) => String(i)).filter((d) => !taken.includes(d)));
    const disk = await newDisk();
    const ref = (await xapi.s("VBD.create", vbdArgs(halted, disk, { userdevice: free[0], other_config: { owner: "" } }))) as string;
    expect(vbd(ref)).toMatchObject({
      VM: halted,
      VDI: disk,
      userdevice: free[0],
      device: "",
      currently_attached: false,
      empty: false,
      other_config: { owner: "" },
    });
    expect(vbd(ref).allowed_operations).toEqual(["attach"]);
    expect(vm(halted).VBDs).toContain(ref);
    expect(vdi(disk).VBDs).toEqual([ref]);
    expect(await xapi.s("VM.get_allowed_VBD_devices", halted)).toEqual(free.slice(1));
  });

  it('resolves "autodetect" and refuses a device the VM uses under any name', async () => {
    const halted = take("Halted");
    const first = ((await xapi.s("VM.get_allowed_VBD_devices", halted)) as string[])[0];
    const ref = (await xapi.s("VBD.create", vbdArgs(halted, await newDisk()))) as string;
    expect(vbd(ref).userdevice).toBe(first);
    expect(await fault("VBD.create", vbdArgs(halted, await newDisk(), { userdevice: "0" }))).toEqual(["DEVICE_ALREADY_EXISTS", "0"]);
    expect(await fault("VBD.create", vbdArgs(halted, await newDisk(), { userdevice: "xvda" }))).toEqual(["DEVICE_ALREADY_EXISTS", "xvda"]);
    expect(await fault("VBD.create", vbdArgs(halted, await newDisk(), { userdevice: "hda" }))).toEqual(["DEVICE_ALREADY_EXISTS", "hda"]);
    expect(await fault("VBD.create", vbdArgs(halted, await newDisk(), { userdevice: "disk-two" }))).toEqual(["INVALID_DEVICE", "disk-two"]);
  });

  it("checks in xapi's order: disk type, read-only CDs, empty drives, read-only disks", async () => {
    const halted = take("Halted");
    const redoLog = await newDisk({ type: "redo_log" });
    expect(await fault("VBD.create", vbdArgs(halted, redoLog))).toEqual(["VDI_INCOMPATIBLE_TYPE", redoLog, "redo_log"]);
    expect(await fault("VBD.create", vbdArgs(halted, NULL, { type: "CD", empty: true, mode: "RW" }))).toEqual(["VBD_CDS_MUST_BE_READONLY"]);
    expect(await fault("VBD.create", vbdArgs(halted, NULL, { empty: true }))).toEqual(["VBD_NOT_REMOVABLE_MEDIA", "in constructor"]);
    const readOnly = await newDisk({ read_only: true });
    expect(await fault("VBD.create", vbdArgs(halted, readOnly))).toEqual(["VDI_READONLY", readOnly]);
    expect(await xapi.s("VBD.create", vbdArgs(halted, readOnly, { mode: "RO" }))).toMatch(/^OpaqueRef:/);
    expect(await fault("VBD.create", vbdArgs("OpaqueRef:gone", await newDisk()))).toEqual(["HANDLE_INVALID", "VM", "OpaqueRef:gone"]);
    expect(await fault("VBD.create", vbdArgs(halted, "OpaqueRef:gone"))).toEqual(["HANDLE_INVALID", "VDI", "OpaqueRef:gone"]);
  });

  it("gives a VM without one a CD drive, empty, that takes an ISO", async () => {
    const halted = take("Halted");
    const cd = cdOf(halted);
    await xapi.s("VBD.destroy", cd);
    expect(vm(halted).VBDs).not.toContain(cd);
    const drive = (await xapi.s("VBD.create", vbdArgs(halted, NULL, { type: "CD", mode: "RO", empty: true, userdevice: "3" }))) as string;
    expect(vbd(drive)).toMatchObject({ type: "CD", empty: true, VDI: NULL, mode: "RO" });
    expect(vbd(drive).allowed_operations.sort()).toEqual(["attach", "insert"]);
    await xapi.s("VBD.insert", drive, isos()[0]);
    expect(vbd(drive)).toMatchObject({ empty: false, VDI: isos()[0] });
  });
});

describe("plug and unplug", () => {
  it("hotplugs a new disk into a running VM, and unplugs it", async () => {
    const running = take("Running");
    const disk = await newDisk();
    const ref = (await xapi.s("VBD.create", vbdArgs(running, disk))) as string;
    expect(vbd(ref)).toMatchObject({ currently_attached: false, device: "" });
    expect(vbd(ref).allowed_operations).toEqual(expect.arrayContaining(["attach", "plug"]));
    expect(vbd(ref).allowed_operations).not.toContain("unplug");
    const token = ((await xapi.s("event.from", ["vbd", "vdi"], "", 0)) as { token: string }).token;
    await xapi.s("VBD.plug", ref);
    expect(vbd(ref)).toMatchObject({ currently_attached: true, device: `xvd${String.fromCharCode(97 + Number(vbd(ref).userdevice))}`, current_operations: {} });
    expect(vbd(ref).allowed_operations).toEqual(expect.arrayContaining(["unplug", "unplug_force"]));
    expect(vbd(ref).allowed_operations).not.toContain("plug");
    // The attached disk only allows what runs live.
    expect(vdi(disk).allowed_operations.sort()).toEqual(["clone", "snapshot"]);
    const batch = (await xapi.s("event.from", ["vbd", "vdi"], token, 0)) as { events: { class: string; ref: string; snapshot: Record<string, unknown> }[] };
    expect(batch.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ class: "vbd", ref, snapshot: expect.objectContaining({ currently_attached: true }) }),
        expect.objectContaining({ class: "vdi", ref: disk, snapshot: expect.objectContaining({ allowed_operations: vdi(disk).allowed_operations }) }),
      ]),
    );
    expect(await fault("VBD.plug", ref)).toEqual(["DEVICE_ALREADY_ATTACHED", ref]);
    expect(await fault("VBD.destroy", ref)).toEqual(["OPERATION_NOT_ALLOWED", `VBD '${vbd(ref).uuid}' still attached to '${vm(running).uuid}'`]);
    await xapi.s("VBD.unplug", ref);
    expect(vbd(ref)).toMatchObject({ currently_attached: false, device: "" });
    expect(await fault("VBD.unplug", ref)).toEqual(["DEVICE_ALREADY_DETACHED", ref]);
    expect(vdi(disk).allowed_operations).toEqual(expect.arrayContaining(["resize", "destroy"]));
    await xapi.s("VBD.destroy", ref);
    expect(vm(running).VBDs).not.toContain(ref);
    expect(vdi(disk).VBDs).toEqual([]);
  });

  it("refuses plugging into a halted VM, unplugging what is not unpluggable, and hotplugging a CD", async () => {
    const halted = take("Halted");
    const onHalted = (await xapi.s("VBD.create", vbdArgs(halted, await newDisk()))) as string;
    expect(await fault("VBD.plug", onHalted)).toEqual(["VM_BAD_POWER_STATE", halted, "running", "halted"]);
    const running = take("Running");
    const fixed = (await xapi.s("VBD.create", vbdArgs(running, await newDisk(), { unpluggable: false }))) as string;
    await xapi.s("VBD.plug", fixed);
    expect(await fault("VBD.unplug", fixed)).toEqual(["VBD_NOT_UNPLUGGABLE", fixed]);
    const cd = cdOf(running);
    expect(await fault("VBD.unplug", cd)).toEqual(["OPERATION_NOT_ALLOWED", "HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected"]);
  });

  it("refuses a disk another running VM writes to (VDI_IN_USE)", async () => {
    const owner = take("Running");
    const shared = vm(owner)
      .VBDs.map(vbd)
      .find((v) => v.type === "Disk")!.VDI;
    const other = take("Running");
    const second = (await xapi.s("VBD.create", vbdArgs(other, shared))) as string;
    expect(await fault("VBD.plug", second)).toEqual(["VDI_IN_USE", shared]);
    expect(vbd(second).currently_attached).toBe(false);
  });

  it("refuses a new VBD while the VM migrates", async () => {
    const slow = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 6, durations: { pool_migrate: 600_000 } });
    try {
      const client = new TestClient(slow.pools[0].masterUrl);
      await client.login(slow.username, slow.password);
      const running = slow.inspect.all<VmRecord>("VM").find((v) => !v.record.is_control_domain && v.record.power_state === "Running")!;
      const to = slow.pools[0].hosts.find((h) => h.ref !== running.record.resident_on)!.ref;
      const task = (await client.s("Async.VM.pool_migrate", running.ref, to, {})) as string;
      const disk = running.record.VBDs.map((r) => slow.inspect.get<VbdRecord>("VBD", r)!.record).find((v) => v.type === "Disk")!.VDI;
      const refused = await client.fault("VBD.create", client.session, vbdArgs(running.ref, disk));
      expect([refused.code, ...refused.params]).toEqual(["OTHER_OPERATION_IN_PROGRESS", "VM", running.ref, "pool_migrate", task]);
      await client.s("task.cancel", task);
    } finally {
      await slow.stop();
    }
  });
});

describe("CD media", () => {
  it("inserts and ejects an ISO in a halted VM's drive", async () => {
    const halted = take("Halted");
    const cd = cdOf(halted);
    if (!vbd(cd).empty) await xapi.s("VBD.eject", cd);
    const iso = isos()[1];
    await xapi.s("VBD.insert", cd, iso);
    expect(vbd(cd)).toMatchObject({ VDI: iso, empty: false, allowed_operations: expect.arrayContaining(["eject"]) });
    expect(vdi(iso).VBDs).toContain(cd);
    expect(await fault("VBD.insert", cd, isos()[2])).toEqual(["VBD_NOT_EMPTY", cd]);
    await xapi.s("VBD.eject", cd);
    expect(vbd(cd)).toMatchObject({ VDI: NULL, empty: true, allowed_operations: expect.arrayContaining(["insert"]) });
    expect(vdi(iso).VBDs).not.toContain(cd);
    expect(await fault("VBD.eject", cd)).toEqual(["VBD_IS_EMPTY", cd]);
    expect(await fault("VBD.insert", cd, "OpaqueRef:gone")).toEqual(["HANDLE_INVALID", "VDI", "OpaqueRef:gone"]);
    const disk = vm(halted).VBDs.find((r) => vbd(r).type === "Disk")!;
    expect(await fault("VBD.insert", disk, iso)).toEqual(["VBD_NOT_REMOVABLE_MEDIA", disk]);
    expect(await fault("VBD.eject", disk)).toEqual(["VBD_NOT_REMOVABLE_MEDIA", disk]);
  });

  it("changes the ISO of a running VM's attached drive", async () => {
    const running = take("Running");
    const cd = cdOf(running);
    if (!vbd(cd).empty) await xapi.s("VBD.eject", cd);
    const isoSr = sim.inspect.all<SrRecord>("SR").find((s) => s.record.content_type === "iso")!.ref;
    const iso = await newDisk({ SR: isoSr, name_label: "tools.iso", virtual_size: 1000 });
    await xapi.s("VBD.insert", cd, iso);
    expect(vbd(cd)).toMatchObject({ VDI: iso, currently_attached: true });
    // The ISO is attached read-only: it may be copied, not destroyed.
    expect(vdi(iso).allowed_operations).toEqual(["copy"]);
    await xapi.s("VBD.eject", cd);
    expect(vbd(cd)).toMatchObject({ empty: true, currently_attached: true });
    expect(vdi(iso).allowed_operations).toEqual(expect.arrayContaining(["copy", "destroy", "forget"]));
  });

  it("refuses media changes on a suspended VM", async () => {
    const suspended = take("Suspended");
    const cd = cdOf(suspended);
    const error = ["VM_BAD_POWER_STATE", suspended, "halted, running", "suspended"];
    expect(await fault(vbd(cd).empty ? "VBD.insert" : "VBD.eject", cd, ...(vbd(cd).empty ? [isos()[0]] : []))).toEqual(error);
  });
});

describe("consistency", () => {
  it("keeps every reference consistent", () => {
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
