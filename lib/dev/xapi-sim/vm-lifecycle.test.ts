import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

const GiB = 1024 ** 3;
const NULL = "OpaqueRef:NULL";

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 90, speed: 0.03 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const vm = (ref: string) => sim.inspect.vm(ref)!.record;
const ordinary = () => sim.inspect.all<VmRecord>("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain);
const used = new Set<string>();
/** A VM in `state` not used by another test, with its disks on shared storage unless `local`. */
function take(state: string, local = false): string {
  const found = ordinary().find((v) => v.record.power_state === state && !used.has(v.ref) && onLocalStorage(v.record) === local);
  if (!found) throw new Error(`no ${state} VM left`);
  used.add(found.ref);
  return found.ref;
}
function disks(rec: VmRecord): { vbd: VbdRecord; vdi: VdiRecord; vdiRef: string }[] {
  return rec.VBDs.map((ref) => sim.inspect.get<VbdRecord>("VBD", ref)!.record)
    .filter((vbd) => vbd.type === "Disk")
    .map((vbd) => ({ vbd, vdiRef: vbd.VDI, vdi: sim.inspect.get<VdiRecord>("VDI", vbd.VDI)!.record }));
}
function onLocalStorage(rec: VmRecord): boolean {
  return disks(rec).some(({ vdi }) => !sim.inspect.get<{ shared: boolean }>("SR", vdi.SR)!.record.shared);
}
const fault = (method: string, ...params: unknown[]) => xapi.faultOf(method, ...params);
const template = () => sim.inspect.all<VmRecord>("VM").find((v) => v.record.is_default_template && v.record.name_label === "Debian Bookworm 12")!.ref;
const dom0 = () => sim.inspect.all<VmRecord>("VM").find((v) => v.record.is_control_domain)!.ref;

describe("power-state rules", () => {
  it("answers VM_BAD_POWER_STATE [vm, expected, actual] with lower-case states", async () => {
    const running = take("Running");
    const halted = take("Halted");
    const cases: [string, string, unknown[], string, string][] = [
      ["VM.start", halted === running ? "" : running, [false, false], "halted", "running"],
      ["VM.clean_shutdown", halted, [], "running", "halted"],
      ["VM.hard_shutdown", halted, [], "paused, suspended, running", "halted"],
      ["VM.hard_reboot", halted, [], "paused, running", "halted"],
      ["VM.clean_reboot", halted, [], "running", "halted"],
      ["VM.suspend", halted, [], "running", "halted"],
      ["VM.resume", halted, [false, false], "suspended", "halted"],
      ["VM.pause", halted, [], "running", "halted"],
      ["VM.unpause", running, [], "paused", "running"],
      ["VM.clone", running, ["c"], "halted", "running"],
      ["VM.copy", running, ["c", NULL], "halted", "running"],
      ["VM.destroy", running, [], "halted, suspended", "running"],
      ["VM.pool_migrate", halted, [sim.pools[0].hosts[1].ref, {}], "running", "halted"],
    ];
    for (const [method, ref, rest, expected, actual] of cases) {
      expect(await fault(method, ref, ...rest), method).toEqual(["VM_BAD_POWER_STATE", ref, expected, actual]);
    }
  });

  it("checks in XAPI's order: blocked, power state, other operation, template, snapshot, control domain", async () => {
    const halted = take("Halted");
    await xapi.s("VM.add_to_blocked_operations", halted, "clean_shutdown", "do not touch");
    expect(await fault("VM.clean_shutdown", halted)).toEqual(["OPERATION_BLOCKED", halted, "do not touch"]);
    const t = template();
    expect(await fault("VM.clean_shutdown", t)).toEqual(["VM_BAD_POWER_STATE", t, "running", "halted"]);
    expect(await fault("VM.start", t, false, false)).toEqual(["VM_IS_TEMPLATE", t, "start"]);
    expect(await fault("VM.destroy", t)).toEqual(["VM_IS_TEMPLATE", t, "destroy"]);
    const snap = (await xapi.s("VM.snapshot", halted, "rules")) as string;
    expect(await fault("VM.start", snap, false, false)).toEqual(["VM_IS_SNAPSHOT", snap, "start"]);
    expect(await fault("VM.provision", halted)).toEqual(["PROVISION_ONLY_ALLOWED_ON_TEMPLATE"]);
    expect(await fault("VM.revert", halted)).toEqual(["REVERT_ONLY_ALLOWED_ON_SNAPSHOT"]);
    const d = dom0();
    expect(await fault("VM.clean_shutdown", d)).toEqual(["OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain"]);
    expect(await fault("VM.snapshot", d, "x")).toEqual(["OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain"]);
    expect(vm(d).allowed_operations.every((op) => op.startsWith("changing_"))).toBe(true);
  });

  it("keeps current_operations and allowed_operations true while an operation runs", async () => {
    const running = take("Running");
    expect(vm(running).allowed_operations).toEqual(expect.arrayContaining(["clean_shutdown", "hard_shutdown", "suspend", "snapshot", "pool_migrate"]));
    const task = (await xapi.s("Async.VM.clean_shutdown", running)) as string;
    const during = vm(running);
    expect(during.current_operations).toEqual({ [task]: "clean_shutdown" });
    expect(during.allowed_operations).not.toContain("clean_shutdown");
    expect(during.allowed_operations).toContain("hard_shutdown");
    expect(await fault("VM.clean_reboot", running)).toEqual(["OTHER_OPERATION_IN_PROGRESS", "VM", running, "clean_shutdown", task]);
    expect(await fault("VM.start", running, false, false)).toEqual(["VM_BAD_POWER_STATE", running, "halted", "running"]);
    expect((await xapi.waitTask(task)).status).toBe("success");
    const after = vm(running);
    expect(after.current_operations).toEqual({});
    expect(after.allowed_operations).toEqual(expect.arrayContaining(["start", "start_on", "clone", "copy", "destroy", "snapshot"]));
    expect(after.allowed_operations).not.toContain("clean_shutdown");
  });
});

describe("start and shutdown", () => {
  it("start places the VM and updates metrics, guest metrics, devices, consoles and the host", async () => {
    const ref = take("Halted");
    const before = Date.now();
    await xapi.s("VM.start", ref, false, false);
    const rec = vm(ref);
    expect(rec.power_state).toBe("Running");
    expect(sim.pools[0].hosts.map((h) => h.ref)).toContain(rec.resident_on);
    expect(rec.domid).toBeGreaterThan(0);
    expect(sim.inspect.get<{ resident_VMs: string[] }>("host", rec.resident_on)!.record.resident_VMs).toContain(ref);
    const metrics = sim.inspect.get<{ memory_actual: number; VCPUs_number: number; start_time: Date }>("VM_metrics", rec.metrics)!.record;
    expect(metrics.memory_actual).toBe(rec.memory_static_max);
    expect(metrics.VCPUs_number).toBe(rec.VCPUs_at_startup);
    expect(metrics.start_time.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const gm = sim.inspect.get<{ networks: Record<string, string>; os_version: Record<string, string> }>("VM_guest_metrics", rec.guest_metrics)!.record;
    expect(gm.networks["0/ip"]).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(gm.os_version.name).toBeTruthy();
    expect(rec.consoles).toHaveLength(1);
    const console = sim.inspect.get<{ location: string; protocol: string; uuid: string }>("console", rec.consoles[0])!.record;
    const host = sim.pools[0].hosts.find((h) => h.ref === rec.resident_on)!;
    expect(console).toMatchObject({ protocol: "rfb", location: `${host.url}/console?uuid=${console.uuid}` });
    expect(disks(rec).every(({ vbd }) => vbd.currently_attached && vbd.device.startsWith("xvd"))).toBe(true);

    await xapi.s("VM.hard_shutdown", ref);
    const off = vm(ref);
    expect(off).toMatchObject({ power_state: "Halted", resident_on: NULL, domid: -1, consoles: [] });
    expect(sim.inspect.get<{ resident_VMs: string[] }>("host", rec.resident_on)!.record.resident_VMs).not.toContain(ref);
    expect(sim.inspect.get<{ memory_actual: number }>("VM_metrics", off.metrics)!.record.memory_actual).toBe(0);
    expect(sim.inspect.get<{ networks: object }>("VM_guest_metrics", off.guest_metrics)!.record.networks).toEqual({});
    expect(disks(off).every(({ vbd }) => !vbd.currently_attached)).toBe(true);
  });

  it("start_on uses the host, accounts its memory, and refuses what does not fit", async () => {
    const ref = take("Halted");
    const host = sim.pools[0].hosts[2].ref;
    const freeBefore = Number(await xapi.s("host.compute_free_memory", host));
    await xapi.s("VM.start_on", ref, host, false, false);
    const rec = vm(ref);
    expect(rec.resident_on).toBe(host);
    expect(Number(await xapi.s("host.compute_free_memory", host))).toBe(freeBefore - rec.memory_static_max - rec.memory_overhead);

    const big = take("Halted");
    sim.outside.vm(big, { fields: { memory_static_max: 64 * 1024 * GiB, memory_dynamic_max: 64 * 1024 * GiB, memory_dynamic_min: 64 * 1024 * GiB } });
    const needed = String(64 * 1024 * GiB + vm(big).memory_overhead);
    const free = String(await xapi.s("host.compute_free_memory", host));
    expect(await fault("VM.start_on", big, host, false, false)).toEqual(["HOST_NOT_ENOUGH_FREE_MEMORY", needed, free]);
    const start = await fault("VM.start", big, false, false);
    expect(start.slice(0, 2)).toEqual(["HOST_NOT_ENOUGH_FREE_MEMORY", needed]);
    expect(vm(big)).toMatchObject({ power_state: "Halted", current_operations: {}, scheduled_to_be_resident_on: NULL });
  });

  it("refuses a host that cannot see the VM's local storage (VM_REQUIRES_SR)", async () => {
    const local = take("Halted", true);
    const sr = disks(vm(local))[0].vdi.SR;
    const owner = sim.inspect.all<{ host: string; SR: string }>("PBD").find((p) => p.record.SR === sr)!.record.host;
    const other = sim.pools[0].hosts.find((h) => h.ref !== owner)!.ref;
    expect(await fault("VM.start_on", local, other, false, false)).toEqual(["VM_REQUIRES_SR", local, sr]);
    expect(await xapi.s("VM.get_possible_hosts", local)).toEqual([owner]);
    await xapi.s("VM.start", local, false, false);
    expect(vm(local).resident_on).toBe(owner);
  });

  it("clean_reboot and hard_reboot keep the host and give a new domid", async () => {
    const ref = take("Running");
    const { resident_on, domid } = vm(ref);
    await xapi.s("VM.clean_reboot", ref);
    expect(vm(ref)).toMatchObject({ power_state: "Running", resident_on });
    expect(vm(ref).domid).not.toBe(domid);
    await xapi.s("VM.hard_reboot", ref);
    expect(vm(ref).power_state).toBe("Running");
  });

  it("suspend writes a suspend image; resume drops it", async () => {
    const ref = take("Running");
    await xapi.s("VM.suspend", ref);
    const suspended = vm(ref);
    expect(suspended).toMatchObject({ power_state: "Suspended", resident_on: NULL, domid: -1 });
    const image = sim.inspect.get<VdiRecord>("VDI", suspended.suspend_VDI)!.record;
    expect(image.type).toBe("suspend");
    expect(sim.inspect.get<{ VDIs: string[] }>("SR", image.SR)!.record.VDIs).toContain(suspended.suspend_VDI);
    expect(suspended.allowed_operations).toEqual(expect.arrayContaining(["resume", "resume_on", "hard_shutdown", "destroy"]));
    await xapi.s("VM.resume", ref, false, false);
    expect(vm(ref)).toMatchObject({ power_state: "Running", suspend_VDI: NULL });
    expect(sim.inspect.get("VDI", suspended.suspend_VDI)).toBeUndefined();
  });

  it("pause and unpause", async () => {
    const ref = take("Running");
    await xapi.s("VM.pause", ref);
    expect(vm(ref).power_state).toBe("Paused");
    expect(vm(ref).allowed_operations).toEqual(expect.arrayContaining(["unpause", "hard_shutdown", "hard_reboot"]));
    await xapi.s("VM.unpause", ref);
    expect(vm(ref).power_state).toBe("Running");
  });

  it("start_paused starts in Paused", async () => {
    const ref = take("Halted");
    await xapi.s("VM.start", ref, true, false);
    expect(vm(ref).power_state).toBe("Paused");
  });

  it("pool_migrate moves the domain to another host", async () => {
    const ref = take("Running");
    const from = vm(ref).resident_on;
    const to = sim.pools[0].hosts.find((h) => h.ref !== from)!;
    await xapi.s("VM.pool_migrate", ref, to.ref, { live: "true" });
    const rec = vm(ref);
    expect(rec.resident_on).toBe(to.ref);
    expect(sim.inspect.get<{ resident_VMs: string[] }>("host", from)!.record.resident_VMs).not.toContain(ref);
    expect(sim.inspect.get<{ resident_VMs: string[] }>("host", to.ref)!.record.resident_VMs).toContain(ref);
    expect(sim.inspect.get<{ location: string }>("console", rec.consoles[0])!.record.location).toContain(`${to.url}/`);
    expect(await fault("VM.pool_migrate", ref, "OpaqueRef:nope", {})).toEqual(["HANDLE_INVALID", "host", "OpaqueRef:nope"]);
  });
});

describe("copies", () => {
  it("clone gets its own disks on the same SR and interfaces on the same networks", async () => {
    const ref = take("Halted");
    const clone = (await xapi.s("VM.clone", ref, "the clone")) as string;
    const src = vm(ref);
    const rec = vm(clone);
    expect(rec).toMatchObject({ name_label: "the clone", power_state: "Halted", is_a_template: false, is_a_snapshot: false });
    const a = disks(src);
    const b = disks(rec);
    expect(b.map((d) => d.vdi.SR)).toEqual(a.map((d) => d.vdi.SR));
    expect(b.map((d) => d.vdi.virtual_size)).toEqual(a.map((d) => d.vdi.virtual_size));
    expect(b.map((d) => d.vdiRef).some((r) => a.map((d) => d.vdiRef).includes(r))).toBe(false);
    const nets = (r: VmRecord) => r.VIFs.map((v) => sim.inspect.get<{ network: string }>("VIF", v)!.record.network);
    expect(nets(rec)).toEqual(nets(src));
    expect(rec.metrics).not.toBe(src.metrics);
  });

  it("copy puts full copies on the chosen SR", async () => {
    const ref = take("Halted");
    const local = sim.inspect.all<{ name_label: string; shared: boolean }>("SR").find((s) => s.record.name_label === "Local storage")!.ref;
    const copy = (await xapi.s("VM.copy", ref, "the copy", local)) as string;
    expect(disks(vm(copy)).every(({ vdi }) => vdi.SR === local)).toBe(true);
    expect(await fault("VM.copy", ref, "x", "OpaqueRef:nope")).toEqual(["HANDLE_INVALID", "SR", "OpaqueRef:nope"]);
  });

  it("snapshot links VM and snapshot, disks and snapshot disks, and works on a running VM", async () => {
    const ref = take("Running");
    const snap = (await xapi.s("VM.snapshot", ref, "before upgrade")) as string;
    const rec = vm(snap);
    expect(rec).toMatchObject({ is_a_snapshot: true, is_a_template: true, snapshot_of: ref, power_state: "Halted", name_label: "before upgrade" });
    expect(vm(ref).snapshots).toContain(snap);
    expect(vm(ref).power_state).toBe("Running");
    for (const [i, d] of disks(rec).entries()) {
      const original = disks(vm(ref))[i];
      expect(d.vdi).toMatchObject({ is_a_snapshot: true, snapshot_of: original.vdiRef });
      expect(original.vdi.snapshots).toContain(d.vdiRef);
    }
    expect(vm(snap).allowed_operations).toEqual(expect.arrayContaining(["revert", "clone", "copy", "destroy"]));
  });

  it("revert puts the VM back: halted, disks from the snapshot, settings restored", async () => {
    const ref = take("Running");
    const snap = (await xapi.s("VM.snapshot", ref, "good")) as string;
    const oldDisks = disks(vm(ref)).map((d) => d.vdiRef);
    await xapi.s("VM.hard_shutdown", ref);
    await xapi.s("VM.set_memory_static_max", ref, vm(ref).memory_static_max * 2);
    await xapi.s("VM.revert", snap);
    const rec = vm(ref);
    expect(rec).toMatchObject({ power_state: "Halted", parent: snap, memory_static_max: vm(snap).memory_static_max });
    const newDisks = disks(rec).map((d) => d.vdiRef);
    expect(newDisks).toHaveLength(oldDisks.length);
    expect(newDisks.some((r) => oldDisks.includes(r))).toBe(false);
    expect(sim.inspect.get("VDI", oldDisks[0])).toBeUndefined();
  });

  it("destroy removes the VM, its VBDs, VIFs, metrics and guest metrics, not its disks or snapshots", async () => {
    const ref = take("Halted");
    const snap = (await xapi.s("VM.snapshot", ref, "kept")) as string;
    const rec = vm(ref);
    const vdis = disks(rec).map((d) => d.vdiRef);
    await xapi.s("VM.destroy", ref);
    expect(sim.inspect.vm(ref)).toBeUndefined();
    for (const r of rec.VBDs) expect(sim.inspect.get("VBD", r)).toBeUndefined();
    for (const r of rec.VIFs) expect(sim.inspect.get("VIF", r)).toBeUndefined();
    expect(sim.inspect.get("VM_metrics", rec.metrics)).toBeUndefined();
    if (rec.guest_metrics !== NULL) expect(sim.inspect.get("VM_guest_metrics", rec.guest_metrics)).toBeUndefined();
    for (const vdi of vdis) expect(sim.inspect.get<VdiRecord>("VDI", vdi)!.record.VBDs).toEqual([]);
    expect(vm(snap).snapshot_of).toBe(ref);
    expect((await xapi.fault("VM.get_record", xapi.session, ref)).code).toBe("HANDLE_INVALID");
  });

  it("provision creates a template's disks; the result can become a VM and start", async () => {
    const custom = (await xapi.s("VM.clone", template(), "new-debian")) as string;
    expect(vm(custom)).toMatchObject({ is_a_template: true, is_default_template: false });
    expect(vm(custom).other_config.default_template).toBeUndefined();
    // The template's spec names no SR: clients write one in, as `xe vm-install` does.
    const defaultSr = sim.inspect.get<{ default_SR: string }>("pool", sim.pools[0].ref)!.record.default_SR;
    const srUuid = sim.inspect.get<{ uuid: string }>("SR", defaultSr)!.record.uuid;
    await xapi.s("VM.remove_from_other_config", custom, "disks");
    await xapi.s("VM.add_to_other_config", custom, "disks", vm(template()).other_config.disks.replace('sr=""', `sr="${srUuid}"`));
    await xapi.s("VM.provision", custom);
    const rec = vm(custom);
    expect(rec.other_config.disks).toBeUndefined();
    expect(rec.is_a_template).toBe(false);
    const [disk] = disks(rec);
    expect(disk.vdi).toMatchObject({ SR: defaultSr, virtual_size: 10 * GiB });
    expect(disk.vbd).toMatchObject({ bootable: true, userdevice: "0" });
    await xapi.s("VM.start", custom, false, false);
    expect(vm(custom).power_state).toBe("Running");
    await xapi.s("VM.hard_shutdown", custom);
    await xapi.s("VM.destroy", custom);
  });
});

describe("settings", () => {
  it("memory and vCPU settings follow XAPI's power-state rules and constraints", async () => {
    const running = take("Running");
    expect(await fault("VM.set_memory_static_max", running, 8 * GiB)).toEqual(["VM_BAD_POWER_STATE", running, "halted", "running"]);
    expect(await fault("VM.set_VCPUs_max", running, 4)).toEqual(["VM_BAD_POWER_STATE", running, "halted", "running"]);
    const halted = take("Halted");
    const rec = vm(halted);
    expect(await fault("VM.set_memory_static_max", halted, rec.memory_dynamic_max - 1)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
    await xapi.s("VM.set_memory_limits", halted, 512 * 1024 ** 2, 6 * GiB, 6 * GiB, 6 * GiB);
    expect(vm(halted)).toMatchObject({ memory_static_max: 6 * GiB, memory_dynamic_max: 6 * GiB, memory_target: 6 * GiB });
    await xapi.s("VM.set_VCPUs_max", halted, 8);
    await xapi.s("VM.set_VCPUs_at_startup", halted, 6);
    expect(await fault("VM.set_VCPUs_at_startup", halted, 9)).toEqual(["INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max", "9"]);
    expect(vm(halted)).toMatchObject({ VCPUs_max: 8, VCPUs_at_startup: 6 });
  });
});

describe("consistency", () => {
  it("keeps every cross-reference consistent in both directions after all of the above", () => {
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
