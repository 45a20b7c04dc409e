import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PbdRecord, SrRecord, VbdRecord, VdiRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { eventually } from "@/lib/dev/test/eventually";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let x: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 16, speed: 0.02 });
  x = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const srs = () => sim.inspect.all<SrRecord>("SR");
const srOf = (ref: string) => sim.inspect.get<SrRecord>("SR", ref)!.record;
const byName = (name: string) => srs().find((s) => s.record.name_label === name)!.ref;
const vdisOf = (sr: string) => srOf(sr).VDIs.map((ref) => ({ ref, ...sim.inspect.get<VdiRecord>("VDI", ref)!.record }));
const inUse = (vdi: VdiRecord) => vdi.VBDs.some((ref) => sim.inspect.get<VbdRecord>("VBD", ref)!.record.currently_attached);
const fault = async (method: string, ...params: unknown[]) => (await x.fault(method, x.session, ...params)).description;

describe("SR allowed_operations", () => {
  it("follow the driver's capabilities and forbid destroy / forget while a PBD is plugged", () => {
    const nfs = srOf(byName("NFS storage (nas-01)"));
    expect(nfs.allowed_operations).toEqual(expect.arrayContaining(["scan", "plug", "unplug", "vdi_create", "vdi_snapshot", "vdi_resize", "update"]));
    expect(nfs.allowed_operations).not.toContain("destroy");
    expect(nfs.allowed_operations).not.toContain("forget");
    const iso = srOf(byName("ISO library (nas-01)"));
    expect(iso.allowed_operations).toEqual(expect.arrayContaining(["scan", "vdi_introduce", "vdi_create"]));
    for (const op of ["vdi_snapshot", "vdi_resize", "update", "destroy"] as const) expect(iso.allowed_operations).not.toContain(op);
    for (const sr of srs()) expect(sr.record.allowed_operations).toContain("scan");
  });
});

describe("SR.scan", () => {
  it("runs as the SR's current operation, refuses a second one meanwhile, then recounts what the disks use", async () => {
    const sr = byName("NFS storage (nas-01)");
    const before = vdisOf(sr);
    const busy = before.find(inUse)!;
    const idle = before.find((v) => !inUse(v))!;
    sim.faults.duration("sr_scan", 300);
    const task = (await x.s("Async.SR.scan", sr)) as string;
    await eventually(() => srOf(sr).current_operations[task] === "scan");
    expect(srOf(sr).allowed_operations).toEqual([]);
    expect(await fault("SR.scan", sr)).toEqual(["OTHER_OPERATION_IN_PROGRESS", "SR", sr, "scan", task]);
    expect(await x.waitTask(task)).toMatchObject({ status: "success" });
    await sim.faults.reset();
    const after = vdisOf(sr);
    expect(srOf(sr).current_operations).toEqual({});
    expect(srOf(sr).allowed_operations).toContain("scan");
    expect(srOf(sr).physical_utilisation).toBe(after.reduce((sum, v) => sum + v.physical_utilisation, 0));
    expect(srOf(sr).virtual_allocation).toBe(after.reduce((sum, v) => sum + v.virtual_size, 0));
    const grown = after.find((v) => v.ref === busy.ref)!;
    expect(grown.physical_utilisation).toBeGreaterThan(busy.physical_utilisation);
    expect(grown.physical_utilisation).toBeLessThanOrEqual(grown.virtual_size);
    expect(after.find((v) => v.ref === idle.ref)!.physical_utilisation).toBe(idle.physical_utilisation);
  });

  it("a cancelled scan changes nothing", async () => {
    const sr = byName("NFS storage (nas-01)");
    const before = { sr: srOf(sr).physical_utilisation, vdis: vdisOf(sr).map((v) => v.physical_utilisation) };
    sim.faults.duration("sr_scan", 5000);
    const task = (await x.s("Async.SR.scan", sr)) as string;
    await eventually(() => srOf(sr).current_operations[task] === "scan");
    await x.s("task.cancel", task);
    expect(await x.waitTask(task)).toMatchObject({ status: "cancelled", error_info: ["TASK_CANCELLED", task] });
    await sim.faults.reset();
    expect({ sr: srOf(sr).physical_utilisation, vdis: vdisOf(sr).map((v) => v.physical_utilisation) }).toEqual(before);
    expect(srOf(sr).current_operations).toEqual({});
  });

  it("SR_HAS_NO_PBDS when no PBD of a shared SR is plugged on the master", async () => {
    const iscsi = byName("iSCSI SAN (san-01)");
    const unplugged = srOf(iscsi)
      .PBDs.map((ref) => sim.inspect.get<PbdRecord>("PBD", ref)!.record)
      .find((pbd) => !pbd.currently_attached)!;
    expect(await x.s("SR.scan", iscsi)).toBe("");
    const newMaster = sim.pools[0].hosts.find((h) => h.ref === unplugged.host)!;
    await sim.faults.failover(0, newMaster.ref);
    const client = new TestClient(newMaster.url);
    client.session = x.session;
    expect((await client.fault("SR.scan", client.session, iscsi)).description).toEqual(["SR_HAS_NO_PBDS", iscsi]);
    expect(await client.s("SR.scan", byName("NFS storage (nas-01)"))).toBe("");
  });
});
