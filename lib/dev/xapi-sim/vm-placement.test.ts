import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, NetworkRecord, SrRecord, VbdRecord, VdiRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let x: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 30, speed: 0.02 });
  x = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const hosts = () => sim.pools[0].hosts.map((h) => h.ref);
const vmOf = (ref: string) => sim.inspect.vm(ref)!.record;
const fault = async (method: string, ...params: unknown[]) => (await x.fault(method, x.session, ...params)).description;
const ordinary = () => sim.inspect.all<VmRecord>("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain);
const diskSrs = (vm: VmRecord) =>
  vm.VBDs.map((ref) => sim.inspect.get<VbdRecord>("VBD", ref)!.record)
    .filter((vbd) => !vbd.empty)
    .map((vbd) => sim.inspect.get<VdiRecord>("VDI", vbd.VDI)!.record.SR);
const shared = (sr: string) => sim.inspect.get<SrRecord>("SR", sr)!.record.shared;
const hostOfSr = (sr: string) => sim.inspect.get<{ host: string }>("PBD", sim.inspect.get<SrRecord>("SR", sr)!.record.PBDs[0])!.record.host;
const used = new Set<string>();
function take(where: (vm: VmRecord) => boolean): string {
  const found = ordinary().find((v) => !used.has(v.ref) && !v.record.is_a_snapshot && where(v.record));
  if (!found) throw new Error("no VM left that fits");
  used.add(found.ref);
  return found.ref;
}

describe("VM.assert_can_boot_here", () => {
  it("VM_REQUIRES_SR [vm, sr] on a host that cannot see the SR of a disk (another host's local storage)", async () => {
    const vm = take((v) => v.power_state === "Halted" && diskSrs(v).some((sr) => !shared(sr)));
    const local = diskSrs(vmOf(vm)).find((sr) => !shared(sr))!;
    const owner = hostOfSr(local);
    for (const host of hosts().filter((h) => h !== owner)) expect(await fault("VM.assert_can_boot_here", vm, host)).toEqual(["VM_REQUIRES_SR", vm, local]);
    expect(await x.s("VM.assert_can_boot_here", vm, owner)).toBe("");
    expect(await x.s("VM.get_possible_hosts", vm)).toEqual([owner]);
  });

  it("VM_REQUIRES_NETWORK [vm, network] for a running VM on a single-server private network", async () => {
    const network = sim.inspect.all<NetworkRecord>("network").find((n) => n.record.name_label === "Private network (replication)")!;
    const vif = sim.inspect.get<VifRecord>("VIF", network.record.VIFs[0])!.record;
    const vm = vif.VM;
    used.add(vm);
    expect(vmOf(vm).power_state).toBe("Halted");
    for (const host of hosts()) expect(await x.s("VM.assert_can_boot_here", vm, host)).toBe("");
    const [first, ...others] = hosts();
    await x.s("VM.start_on", vm, first, false, false);
    for (const host of others) expect(await fault("VM.assert_can_boot_here", vm, host)).toEqual(["VM_REQUIRES_NETWORK", vm, network.ref]);
    expect(await fault("VM.pool_migrate", vm, others[0], {})).toEqual(["VM_REQUIRES_NETWORK", vm, network.ref]);
  });

  it("HOST_NOT_ENOUGH_FREE_MEMORY [needed, available] with the host's free memory", async () => {
    const vm = take((v) => v.power_state === "Halted" && diskSrs(v).every(shared));
    const host = hosts()[1];
    const available = Number(await x.s("host.compute_free_memory", host));
    const { memory_overhead: overhead } = vmOf(vm);
    sim.outside.vm(vm, { fields: { memory_static_max: available - overhead + 1, memory_dynamic_max: available - overhead + 1 } });
    expect(await fault("VM.assert_can_boot_here", vm, host)).toEqual(["HOST_NOT_ENOUGH_FREE_MEMORY", String(available + 1), String(available)]);
  });

  it("HOST_NOT_ENOUGH_PCPUS [vcpus, pcpus] for more vCPUs than the host has threads", async () => {
    const vm = take((v) => v.power_state === "Halted" && diskSrs(v).every(shared));
    const host = hosts()[0];
    const pcpus = Number(sim.inspect.get<HostRecord>("host", host)!.record.cpu_info.cpu_count);
    sim.outside.vm(vm, { fields: { VCPUs_max: pcpus + 1 } });
    expect(await fault("VM.assert_can_boot_here", vm, host)).toEqual(["HOST_NOT_ENOUGH_PCPUS", String(pcpus + 1), String(pcpus)]);
    sim.outside.vm(vm, { fields: { platform: { ...vmOf(vm).platform, "vcpu-unrestricted": "true" } } });
    expect(await x.s("VM.assert_can_boot_here", vm, host)).toBe("");
  });

  it("checks the host before the VM's storage: HOST_DISABLED first", async () => {
    const vm = ordinary().find((v) => v.record.power_state === "Halted" && diskSrs(v.record).some((sr) => !shared(sr)))!.ref;
    const owner = hostOfSr(diskSrs(vmOf(vm)).find((sr) => !shared(sr))!);
    const other = hosts().find((h) => h !== owner)!;
    await x.s("host.disable", other);
    try {
      expect(await fault("VM.assert_can_boot_here", vm, other)).toEqual(["HOST_DISABLED", other]);
    } finally {
      await x.s("host.enable", other);
    }
  });

  it("a suspended VM also needs the SR of its suspend image", async () => {
    const vm = take((v) => v.power_state === "Running" && diskSrs(v).every(shared));
    const home = vmOf(vm).resident_on;
    const local = sim.inspect.all<SrRecord>("SR").find((sr) => !sr.record.shared && sr.record.content_type === "user" && hostOfSr(sr.ref) === home)!.ref;
    await x.s("VM.set_suspend_SR", vm, local);
    await x.s("VM.suspend", vm);
    expect(sim.inspect.get<VdiRecord>("VDI", vmOf(vm).suspend_VDI)!.record.SR).toBe(local);
    for (const host of hosts().filter((h) => h !== home)) expect(await fault("VM.assert_can_boot_here", vm, host)).toEqual(["VM_REQUIRES_SR", vm, local]);
    expect(await x.s("VM.assert_can_boot_here", vm, home)).toBe("");
  });
});
