/**
 * VDI.create / resize / resize_online / destroy over real HTTP, against what xapi and the SM drivers do:
 * sizes rounded to 2 MiB VHD blocks and capped at 2040 GiB, thin NFS/EXT volumes that may exceed the free
 * space, thick LVM volumes that may not, grow-only resizing, disks in use refused, and the SR's figures,
 * current_operations and every allowed_operations kept right (with the events a cache needs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SrRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient, wire } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 30, speed: 0.02 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const fault = (method: string, ...params: unknown[]) => xapi.faultOf(method, ...params);
const sr = (type: string) => sim.inspect.all<SrRecord>("SR").find((s) => s.record.type === type)!;
const srRec = (ref: string) => sim.inspect.get<SrRecord>("SR", ref)!.record;
const vdi = (ref: string) => sim.inspect.get<VdiRecord>("VDI", ref)?.record;
const vms = (state: string) =>
  sim.inspect.all<VmRecord>("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.power_state === state);
const diskOf = (vm: VmRecord) =>
  vm.VBDs.map((ref) => sim.inspect.get<VbdRecord>("VBD", ref)!.record).find((vbd) => vbd.type === "Disk" && vbd.mode === "RW" && !vbd.empty)!;

function newVdi(srRef: string, size: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name_label: "data",
    name_description: "a new disk",
    SR: srRef,
    virtual_size: size,
    type: "user",
    sharable: false,
    read_only: false,
    other_config: { purpose: "test" },
    ...extra,
  };
}

describe("VDI.create", () => {
  it("creates a thin VHD on NFS, rounded up to 2 MiB blocks, and accounts it on the SR", async () => {
    const nfs = sr("nfs");
    const before = srRec(nfs.ref);
    const ref = (await xapi.s("VDI.create", newVdi(nfs.ref, 10 * GiB + 1, { tags: ["x"], sm_config: { hint: "1" } }))) as string;
    const rec = vdi(ref)!;
    expect(rec).toMatchObject({
      SR: nfs.ref,
      name_label: "data",
      name_description: "a new disk",
      virtual_size: 10 * GiB + 2 * MiB,
      type: "user",
      sharable: false,
      read_only: false,
      other_config: { purpose: "test" },
      tags: ["x"],
      sm_config: { hint: "1", vdi_type: "vhd" },
      location: rec.uuid,
      VBDs: [],
      current_operations: {},
    });
    expect(rec.physical_utilisation).toBeLessThan(MiB);
    expect(rec.allowed_operations).toEqual(expect.arrayContaining(["clone", "copy", "resize", "snapshot", "destroy"]));
    expect(rec.allowed_operations).not.toContain("resize_online");
    const after = srRec(nfs.ref);
    expect(after.VDIs).toContain(ref);
    expect(after.virtual_allocation).toBe(before.virtual_allocation + rec.virtual_size);
    expect(after.physical_utilisation).toBe(before.physical_utilisation + rec.physical_utilisation);
  });

  it("gives tiny disks the 2 MiB minimum and refuses sizes beyond 2040 GiB or below zero", async () => {
    const nfs = sr("nfs").ref;
    const tiny = (await xapi.s("VDI.create", newVdi(nfs, 1))) as string;
    expect(vdi(tiny)!.virtual_size).toBe(2 * MiB);
    const invalid = ["SR_BACKEND_FAILURE_79", "", "VDI Invalid size [opterr=VDI size must be between 1 MB and 2088960 MB]", ""];
    expect(await fault("VDI.create", newVdi(nfs, 2040 * GiB + 1))).toEqual(invalid);
    expect(await fault("VDI.create", newVdi(nfs, -1))).toEqual(invalid);
    const max = (await xapi.s("VDI.create", newVdi(nfs, 2040 * GiB))) as string;
    expect(vdi(max)!.virtual_size).toBe(2040 * GiB);
  });

  it("over-provisions thin SRs but refuses a thick LVM volume that does not fit (SR_BACKEND_FAILURE_44)", async () => {
    const local = sr("ext").ref;
    while (srRec(local).virtual_allocation <= srRec(local).physical_size) await xapi.s("VDI.create", newVdi(local, 2040 * GiB));
    expect(srRec(local).virtual_allocation).toBeGreaterThan(srRec(local).physical_size);

    const lvm = sr("lvmoiscsi");
    expect(lvm.record.physical_size).toBe(TiB);
    const before = srRec(lvm.ref);
    expect(await fault("VDI.create", newVdi(lvm.ref, 1536 * GiB))).toEqual(["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
    expect(srRec(lvm.ref)).toMatchObject({ VDIs: before.VDIs, physical_utilisation: before.physical_utilisation });
    const ref = (await xapi.s("VDI.create", newVdi(lvm.ref, 100 * GiB))) as string;
    const thick = vdi(ref)!;
    // A thick volume holds the whole disk plus its VHD metadata, in 4 MiB extents.
    expect(thick.physical_utilisation).toBeGreaterThan(100 * GiB);
    expect(thick.physical_utilisation % (4 * MiB)).toBe(0);
    expect(srRec(lvm.ref).physical_utilisation).toBe(before.physical_utilisation + thick.physical_utilisation);
  });

  it("makes ISO-library files of the exact size", async () => {
    const iso = sr("iso");
    const ref = (await xapi.s("VDI.create", newVdi(iso.ref, 1000, { name_label: "seed.iso" }))) as string;
    expect(vdi(ref)).toMatchObject({ virtual_size: 1000, location: "seed.iso", sm_config: {} });
    expect(vdi(ref)!.allowed_operations).toEqual(expect.arrayContaining(["copy", "destroy", "forget"]));
    expect(vdi(ref)!.allowed_operations).not.toContain("resize");
    expect(await fault("VDI.resize", ref, 4000)).toEqual(["SR_OPERATION_NOT_SUPPORTED", iso.ref]);
  });

  it("reads its record argument as xapi does: required fields, defaults, types", async () => {
    const nfs = sr("nfs").ref;
    const { virtual_size: _size, ...withoutSize } = newVdi(nfs, GiB);
    expect(await fault("VDI.create", withoutSize)).toEqual(["INTERNAL_ERROR", 'Server_helpers.Dispatcher_FieldNotFound("virtual_size")']);
    const { name_label: _name, tags: _tags, ...minimal } = newVdi(nfs, GiB, { tags: undefined });
    const ref = (await xapi.s("VDI.create", minimal)) as string;
    expect(vdi(ref)).toMatchObject({ name_label: "", tags: [], xenstore_data: {} });
    expect(await fault("VDI.create", newVdi(nfs, "ten gigabytes"))).toEqual(["FIELD_TYPE_ERROR", "virtual_size"]);
    expect(await xapi.s("VDI.create", newVdi(nfs, wire({ t: "str", v: String(GiB) })))).toMatch(/^OpaqueRef:/);
    expect(await fault("VDI.create", newVdi(nfs, GiB, { type: "cbt_metadata" }))).toEqual(["VDI_INCOMPATIBLE_TYPE", "", "cbt_metadata"]);
    expect(await fault("VDI.create", newVdi("OpaqueRef:nope", GiB))).toEqual(["HANDLE_INVALID", "SR", "OpaqueRef:nope"]);
  });

  it("runs as an SR operation: listed in SR.current_operations while it runs, one at a time, and cancellable", async () => {
    const slow = await startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1, durations: { vdi_create: 600_000 } });
    try {
      const client = new TestClient(slow.pools[0].masterUrl);
      await client.login(slow.username, slow.password);
      const nfs = slow.inspect.all<SrRecord>("SR").find((s) => s.record.type === "nfs")!;
      const first = (await client.s("Async.VDI.create", newVdi(nfs.ref, GiB))) as string;
      const second = (await client.s("Async.VDI.create", newVdi(nfs.ref, GiB))) as string;
      const srNow = () => slow.inspect.get<SrRecord>("SR", nfs.ref)!.record;
      expect(srNow().current_operations).toEqual({ [first]: "vdi_create" });
      await client.s("task.cancel", first);
      expect(await client.waitTask(first)).toMatchObject({ status: "cancelled", error_info: ["TASK_CANCELLED", first] });
      // The queued one starts once the first is out of the way.
      expect(srNow().current_operations).toEqual({ [second]: "vdi_create" });
      await client.s("task.cancel", second);
      expect(await client.waitTask(second)).toMatchObject({ status: "cancelled" });
      expect(srNow()).toMatchObject({ current_operations: {}, VDIs: nfs.record.VDIs, virtual_allocation: nfs.record.virtual_allocation });
    } finally {
      await slow.stop();
    }
  });
});

describe("VDI.resize", () => {
  it("grows a detached disk, never shrinks it, and keeps the SR's allocation right", async () => {
    const nfs = sr("nfs").ref;
    const ref = (await xapi.s("VDI.create", newVdi(nfs, 8 * GiB))) as string;
    const before = srRec(nfs).virtual_allocation;
    await xapi.s("VDI.resize", ref, 12 * GiB);
    expect(vdi(ref)!.virtual_size).toBe(12 * GiB);
    expect(srRec(nfs).virtual_allocation).toBe(before + 4 * GiB);
    await xapi.s("VDI.resize", ref, 12 * GiB);
    expect(vdi(ref)!.virtual_size).toBe(12 * GiB);
    expect(await fault("VDI.resize", ref, 8 * GiB)).toEqual(["SR_BACKEND_FAILURE_79", "", "VDI Invalid size [opterr=shrinking not allowed]", ""]);
    expect(vdi(ref)!.virtual_size).toBe(12 * GiB);
  });

  it("refuses a disk a running VM uses (VDI_IN_USE), and online resizing the drivers do not support", async () => {
    const running = vms("Running")[0].record;
    const disk = diskOf(running);
    expect(vdi(disk.VDI)!.allowed_operations).not.toContain("resize");
    expect(await fault("VDI.resize", disk.VDI, vdi(disk.VDI)!.virtual_size * 2)).toEqual(["VDI_IN_USE", disk.VDI, "resize"]);
    const sr = vdi(disk.VDI)!.SR;
    expect(await fault("VDI.resize_online", disk.VDI, vdi(disk.VDI)!.virtual_size * 2)).toEqual(["SR_OPERATION_NOT_SUPPORTED", sr]);
  });

  it("needs room on thick storage to grow", async () => {
    const lvm = sr("lvmoiscsi").ref;
    const ref = (await xapi.s("VDI.create", newVdi(lvm, 10 * GiB))) as string;
    const free = srRec(lvm).physical_size - srRec(lvm).physical_utilisation;
    expect(await fault("VDI.resize", ref, 10 * GiB + free + GiB)).toEqual(["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
    const used = srRec(lvm).physical_utilisation;
    const volume = vdi(ref)!.physical_utilisation;
    await xapi.s("VDI.resize", ref, 20 * GiB);
    const grown = vdi(ref)!.physical_utilisation;
    expect(grown).toBeGreaterThan(volume + 10 * GiB - 1);
    expect(srRec(lvm).physical_utilisation).toBe(used + grown - volume);
  });
});

describe("VDI.destroy", () => {
  it("refuses a disk attached to a running VM", async () => {
    const running = vms("Running")[1].record;
    const disk = diskOf(running);
    expect(await fault("VDI.destroy", disk.VDI)).toEqual(["VDI_IN_USE", disk.VDI, "destroy"]);
    expect(vdi(disk.VDI)).toBeDefined();
  });

  it("removes a detached disk with its VBDs, from its SR and its VM", async () => {
    const halted = vms("Halted")[0];
    const disk = diskOf(halted.record);
    const srRef = vdi(disk.VDI)!.SR;
    const vbdRef = halted.record.VBDs.find((ref) => sim.inspect.get<VbdRecord>("VBD", ref)!.record.VDI === disk.VDI)!;
    await xapi.s("VDI.destroy", disk.VDI);
    expect(vdi(disk.VDI)).toBeUndefined();
    expect(sim.inspect.get("VBD", vbdRef)).toBeUndefined();
    expect(sim.inspect.vm(halted.ref)!.record.VBDs).not.toContain(vbdRef);
    expect(srRec(srRef).VDIs).not.toContain(disk.VDI);
    expect(await fault("VDI.destroy", disk.VDI)).toEqual(["HANDLE_INVALID", "VDI", disk.VDI]);
  });
});

describe("consistency", () => {
  it("keeps every reference consistent", () => {
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
