import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, SrRecord, TaskRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { eventually } from "@/lib/dev/test/eventually";
import { TestClient } from "@/lib/dev/test/sim-client";

/** A simulator and a logged-in client for one describe block (each block changes its hosts). */
function poolFixture(options: { vmsPerPool?: number; hostsPerPool?: number } = {}) {
  const f = {} as { sim: Simulator; x: TestClient };
  beforeAll(async () => {
    f.sim = await startSimulator({ pools: 1, hostsPerPool: options.hostsPerPool ?? 3, vmsPerPool: options.vmsPerPool ?? 24, speed: 0.02 });
    f.x = new TestClient(f.sim.pools[0].masterUrl);
    await f.x.login(f.sim.username, f.sim.password);
  });
  afterAll(() => f.sim.stop());
  return f;
}

type Fixture = ReturnType<typeof poolFixture>;

const vmOf = (f: Fixture, ref: string) => f.sim.inspect.vm(ref)!.record;
const hostOf = (f: Fixture, ref: string) => f.sim.inspect.get<HostRecord>("host", ref)!.record;
const guests = (f: Fixture, host: string) => hostOf(f, host).resident_VMs.filter((ref) => !vmOf(f, ref).is_control_domain);
const fault = async (f: Fixture, method: string, ...params: unknown[]) => (await f.x.fault(method, f.x.session, ...params)).description;
const ordinary = (f: Fixture) => f.sim.inspect.all<VmRecord>("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain);

/** The SRs of a VM's disks (CD drives with an ISO included), in drive order. */
function diskSrs(f: Fixture, vm: VmRecord): SrRecord[] {
  return vm.VBDs.map((ref) => f.sim.inspect.get<VbdRecord>("VBD", ref)!.record)
    .filter((vbd) => !vbd.empty)
    .map((vbd) => f.sim.inspect.get<SrRecord>("SR", f.sim.inspect.get<VdiRecord>("VDI", vbd.VDI)!.record.SR)!.record);
}
const onSharedStorage = (f: Fixture, vm: VmRecord) => diskSrs(f, vm).every((sr) => sr.shared);
const srRef = (f: Fixture, uuid: string) => f.sim.inspect.get<SrRecord>("SR", uuid)!.ref;

/** What XAPI's planner says about a guest that cannot leave (checked in its order: the operation check wins). */
function expectedBlocker(f: Fixture, ref: string): string[] | undefined {
  const vm = vmOf(f, ref);
  if (vm.power_state === "Paused") return ["VM_BAD_POWER_STATE", ref, "running", "paused"];
  const local = diskSrs(f, vm).find((sr) => !sr.shared);
  return local ? ["VM_REQUIRES_SR", ref, srRef(f, local.uuid)] : undefined;
}

/** Halts every VM that keeps the host from being evacuated. */
async function clearBlockers(f: Fixture, host: string): Promise<void> {
  const blockers = (await f.x.s("host.get_vms_which_prevent_evacuation", host)) as Record<string, string[]>;
  for (const vm of Object.keys(blockers)) f.sim.outside.vm(vm, { power_state: "Halted" });
}

describe("host.disable / host.enable", () => {
  const f = poolFixture({ vmsPerPool: 10 });

  it("disable keeps new VMs off the host and allows reboot and shutdown; enable reverses it", async () => {
    const host = f.sim.pools[0].hosts[1].ref;
    expect(hostOf(f, host).allowed_operations).not.toContain("reboot");
    await f.x.s("host.disable", host);
    expect(hostOf(f, host)).toMatchObject({ enabled: false });
    expect(hostOf(f, host).allowed_operations).toEqual(expect.arrayContaining(["evacuate", "reboot", "shutdown", "apply_updates", "enable"]));
    const halted = ordinary(f).find((v) => v.record.power_state === "Halted" && onSharedStorage(f, v.record))!.ref;
    expect(await fault(f, "VM.start_on", halted, host, false, false)).toEqual(["HOST_DISABLED", host]);
    expect(await fault(f, "VM.assert_can_boot_here", halted, host)).toEqual(["HOST_DISABLED", host]);
    expect(await f.x.s("VM.get_possible_hosts", halted)).not.toContain(host);
    await f.x.s("host.enable", host);
    expect(hostOf(f, host).enabled).toBe(true);
    expect(hostOf(f, host).allowed_operations).not.toContain("reboot");
    expect(await f.x.s("VM.get_possible_hosts", halted)).toContain(host);
  });

  it("a VM running on a disabled host may still run there", async () => {
    const host = f.sim.pools[0].hosts[2].ref;
    const running = guests(f, host).find((ref) => vmOf(f, ref).power_state === "Running")!;
    await f.x.s("host.disable", host);
    expect(await f.x.s("VM.assert_can_boot_here", running, host)).toBe("");
    await f.x.s("host.enable", host);
  });

  it("a VM migrating to a host holds vm_migrate there, which keeps the host from being emptied meanwhile", async () => {
    const [from, to] = [f.sim.pools[0].hosts[0].ref, f.sim.pools[0].hosts[1].ref];
    const vm = guests(f, from).find((ref) => vmOf(f, ref).power_state === "Running" && onSharedStorage(f, vmOf(f, ref)))!;
    f.sim.faults.duration("pool_migrate", 60_000);
    const task = (await f.x.s("Async.VM.pool_migrate", vm, to, {})) as string;
    await eventually(() => hostOf(f, to).current_operations[task] === "vm_migrate");
    expect(hostOf(f, to).allowed_operations).not.toContain("evacuate");
    expect(await fault(f, "host.evacuate", to)).toEqual(["OTHER_OPERATION_IN_PROGRESS", "host", to, "vm_migrate", task]);
    await f.x.s("task.cancel", task);
    expect(await f.x.waitTask(task)).toMatchObject({ status: "cancelled" });
    await f.sim.faults.reset();
    expect(vmOf(f, vm).resident_on).toBe(from);
    expect(hostOf(f, to).current_operations).toEqual({});
    expect(hostOf(f, to).allowed_operations).toContain("evacuate");
  });

  it("refuses reboot and shutdown of an enabled host with HOST_NOT_DISABLED", async () => {
    const host = f.sim.pools[0].hosts[1].ref;
    expect(await fault(f, "host.reboot", host)).toEqual(["HOST_NOT_DISABLED"]);
    expect(await fault(f, "host.shutdown", host)).toEqual(["HOST_NOT_DISABLED"]);
    expect(hostOf(f, host).current_operations).toEqual({});
  });
});

describe("host.get_vms_which_prevent_evacuation", () => {
  const f = poolFixture();
  let host = "";

  beforeAll(() => {
    // A host with a guest on its local storage, and a paused guest.
    const withLocal = ordinary(f).find((v) => !v.record.is_a_snapshot && diskSrs(f, v.record).some((sr) => !sr.shared))!;
    const local = diskSrs(f, withLocal.record).find((sr) => !sr.shared)!;
    const pbd = f.sim.inspect.get<{ host: string }>("PBD", local.PBDs[0])!.record;
    host = pbd.host;
    if (withLocal.record.power_state !== "Running") f.sim.outside.vm(withLocal.ref, { power_state: "Running", host });
    const shared = ordinary(f).find((v) => !v.record.is_a_snapshot && v.record.power_state === "Halted" && onSharedStorage(f, v.record))!;
    f.sim.outside.vm(shared.ref, { power_state: "Paused", host });
  });

  it("maps each VM that cannot leave to XAPI's error: local storage, a paused VM", async () => {
    const expected = Object.fromEntries(
      guests(f, host)
        .map((ref) => [ref, expectedBlocker(f, ref)] as const)
        .filter(([, error]) => error),
    );
    expect(Object.values(expected).map((e) => e![0])).toEqual(expect.arrayContaining(["VM_REQUIRES_SR", "VM_BAD_POWER_STATE"]));
    expect(await f.x.s("host.get_vms_which_prevent_evacuation", host)).toEqual(expected);
    const [code, errors] = await fault(f, "host.assert_can_evacuate", host);
    expect(code).toBe("CANNOT_EVACUATE_HOST");
    expect(errors.split("|").sort()).toEqual(
      Object.values(expected)
        .map((e) => e!.join(","))
        .sort(),
    );
  });

  it("evacuate fails with the plan's error before moving any VM", async () => {
    const before = guests(f, host);
    const error = await fault(f, "host.evacuate", host);
    expect(error).toEqual(expectedBlocker(f, error[1]));
    expect(guests(f, host)).toEqual(before);
    expect(hostOf(f, host).current_operations).toEqual({});
  });

  it("NO_HOSTS_AVAILABLE [vm] for every guest when no other host is enabled", async () => {
    const others = f.sim.pools[0].hosts.map((h) => h.ref).filter((ref) => ref !== host);
    for (const other of others) await f.x.s("host.disable", other);
    try {
      const expected = Object.fromEntries(guests(f, host).map((ref) => [ref, ["NO_HOSTS_AVAILABLE", ref]]));
      expect(await f.x.s("host.get_vms_which_prevent_evacuation", host)).toEqual(expected);
    } finally {
      for (const other of others) await f.x.s("host.enable", other);
    }
  });

  it("HOST_NOT_ENOUGH_FREE_MEMORY [vm] for a VM bigger than any other host's free memory", async () => {
    const others = f.sim.pools[0].hosts.map((h) => h.ref).filter((ref) => ref !== host);
    const roomiest = Math.max(...(await Promise.all(others.map(async (ref) => Number(await f.x.s("host.compute_free_memory", ref))))));
    const big = guests(f, host).find((ref) => !expectedBlocker(f, ref))!;
    const memory = vmOf(f, big).memory_static_max;
    f.sim.outside.vm(big, { fields: { memory_static_max: roomiest + 1 } });
    try {
      const plan = (await f.x.s("host.get_vms_which_prevent_evacuation", host)) as Record<string, string[]>;
      expect(plan[big]).toEqual(["HOST_NOT_ENOUGH_FREE_MEMORY", big]);
    } finally {
      f.sim.outside.vm(big, { fields: { memory_static_max: memory } });
    }
  });
});

describe("host.evacuate", () => {
  const f = poolFixture();
  const host = () => f.sim.pools[0].hosts[0].ref;
  const migrationsOf = async (task: string) =>
    Object.entries((await f.x.s("task.get_all_records")) as Record<string, TaskRecord>).filter(([, t]) => t.subtask_of === task);

  beforeAll(async () => {
    await f.x.s("host.disable", host());
    await clearBlockers(f, host());
  });

  it("checks the migration network on every destination", async () => {
    const networks = f.sim.inspect.all<{ name_label: string; PIFs: string[] }>("network");
    const byName = (name: string) => networks.find((n) => n.record.name_label === name)!;
    const privateNet = byName("Private network (replication)");
    expect(await fault(f, "host.evacuate", host(), privateNet.ref, 0)).toEqual(["PIF_NOT_PRESENT", expect.any(String), privateNet.ref]);
    const dmz = byName("VLAN 20 (DMZ)");
    const [code, pif] = await fault(f, "host.evacuate", host(), dmz.ref, 0);
    expect(code).toBe("INTERFACE_HAS_NO_IP");
    expect(dmz.record.PIFs).toContain(pif);
    expect(guests(f, host()).length).toBeGreaterThan(1);
  });

  it("a cancel stops further migrations; each VM ends up wholly on one host", async () => {
    f.sim.faults.duration("pool_migrate", 400);
    const before = guests(f, host());
    const task = (await f.x.s("Async.host.evacuate", host(), "OpaqueRef:NULL", 1)) as string;
    expect(await f.x.s("task.get_allowed_operations", task)).toEqual(["cancel"]);
    const [[, migration]] = await eventually(async () => {
      const subtasks = await migrationsOf(task);
      return subtasks.length > 0 && subtasks;
    });
    expect(migration).toMatchObject({ name_label: "Async.VM.pool_migrate", status: "pending" });
    await f.x.s("task.cancel", task);
    expect(await f.x.waitTask(task)).toMatchObject({ status: "cancelled", error_info: ["TASK_CANCELLED", task] });
    await f.sim.faults.reset();
    const left = guests(f, host());
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(before.length);
    for (const ref of before) {
      expect(vmOf(f, ref)).toMatchObject({ power_state: "Running", scheduled_to_be_resident_on: "OpaqueRef:NULL", current_operations: {} });
    }
    expect(hostOf(f, host()).current_operations).toEqual({});
    expect(await migrationsOf(task)).toEqual([]);
    expect(f.sim.inspect.consistencyErrors()).toEqual([]);
  });

  it("moves every guest to other enabled hosts, with events, as a task with progress and migration subtasks", async () => {
    const watcher = new TestClient(f.sim.pools[0].masterUrl);
    await watcher.login(f.sim.username, f.sim.password);
    const moving = guests(f, host());
    let token = (await watcher.s("event.inject", "pool", f.sim.pools[0].ref)) as string;
    let done = false;
    const events: { class: string; operation: string; ref: string; snapshot?: Record<string, unknown> }[] = [];
    const watching = (async () => {
      for (let last = false; !last;) {
        last = done;
        const batch = (await watcher.s("event.from", ["vm", "task"], token, 0.2)) as { events: typeof events; token: string };
        events.push(...batch.events);
        token = batch.token;
      }
    })();
    const task = (await f.x.s("Async.host.evacuate", host())) as string;
    const result = await f.x.waitTask(task);
    done = true;
    await watching;
    expect(result).toMatchObject({ status: "success", progress: 1, error_info: [] });
    expect(guests(f, host())).toEqual([]);
    for (const ref of moving) {
      const vm = vmOf(f, ref);
      expect(vm.power_state).toBe("Running");
      expect(vm.resident_on).not.toBe(host());
      expect(hostOf(f, vm.resident_on).enabled).toBe(true);
      expect(events.some((e) => e.class === "vm" && e.ref === ref && e.snapshot?.resident_on === vm.resident_on)).toBe(true);
    }
    const subtasks = events.filter((e) => e.class === "task" && e.snapshot?.subtask_of === task);
    expect(subtasks.length).toBeGreaterThan(0);
    expect(subtasks.every((e) => e.snapshot?.name_label === "Async.VM.pool_migrate")).toBe(true);
    for (const ref of new Set(subtasks.map((e) => e.ref))) expect(events.some((e) => e.ref === ref && e.operation === "del")).toBe(true);
    expect(hostOf(f, host()).current_operations).toEqual({});
    expect(f.sim.inspect.consistencyErrors()).toEqual([]);
  });

  it("an empty host evacuates at once", async () => {
    expect(await f.x.s("host.evacuate", host())).toBe("");
  });
});
