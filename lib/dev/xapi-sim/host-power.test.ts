import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostMetricsRecord, HostRecord, MessageRecord, PbdRecord, SrRecord, TaskRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { eventually } from "@/lib/dev/test/eventually";
import { refusesConnections, TestClient, XapiFault } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let x: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 24, speed: 0.02 });
  x = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const hostOf = (ref: string) => sim.inspect.get<HostRecord>("host", ref)!.record;
const isLive = (ref: string) => sim.inspect.get<HostMetricsRecord>("host_metrics", hostOf(ref).metrics)!.record.live;
const vmOf = (ref: string) => sim.inspect.vm(ref)!.record;
const guests = (host: string) => hostOf(host).resident_VMs.filter((ref) => !vmOf(ref).is_control_domain);
const pbdsOf = (host: string) => hostOf(host).PBDs.map((ref) => sim.inspect.get<PbdRecord>("PBD", ref)!);
const fault = async (method: string, ...params: unknown[]) => (await x.fault(method, x.session, ...params)).description;
const control = (path: string, body: unknown) =>
  fetch(`${sim.controlUrl}${path}`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

describe("host.reboot", () => {
  const host = () => sim.pools[0].hosts[1];

  it("empties the host (VMs that cannot move are shut down, the others migrate), goes away and comes back enabled", async () => {
    const h = host();
    const blockers = (await x.s("host.get_vms_which_prevent_evacuation", h.ref)) as Record<string, string[]>;
    const running = guests(h.ref);
    const movable = running.filter((ref) => !(ref in blockers));
    expect(Object.keys(blockers).length).toBeGreaterThan(0);
    expect(movable.length).toBeGreaterThan(0);
    await x.s("host.disable", h.ref);
    // Long enough a last step that the checks below run before the host is gone.
    sim.faults.duration("host_shutdown", 1000);
    expect(await x.s("host.reboot", h.ref)).toBe("");

    // Until it is back, a finished "Host is rebooting" task masks other operations as `shutdown`.
    const [[key, op]] = Object.entries(hostOf(h.ref).current_operations);
    expect(op).toBe("shutdown");
    expect(sim.inspect.get<TaskRecord>("task", key)!.record).toMatchObject({ name_label: "Host is rebooting", status: "success" });
    expect(await fault("host.reboot", h.ref)).toEqual(["OTHER_OPERATION_IN_PROGRESS", "host", h.ref, "shutdown", key]);
    expect(await fault("host.enable", h.ref)).toEqual(["HOST_DISABLED_UNTIL_REBOOT", h.ref]);
    await sim.faults.reset();

    await eventually(() => !isLive(h.ref));
    expect(await refusesConnections(h.url)).toBe(true);
    expect(guests(h.ref)).toEqual([]);
    for (const ref of Object.keys(blockers)) expect(vmOf(ref).power_state).toBe("Halted");
    for (const ref of movable) expect(vmOf(ref)).toMatchObject({ power_state: "Running" });
    expect(pbdsOf(h.ref).every((pbd) => !pbd.record.currently_attached)).toBe(true);
    const halted = movable[0];
    expect(await fault("VM.assert_can_boot_here", halted, h.ref)).toEqual(["HOST_NOT_LIVE"]);
    expect(await fault("host.enable", h.ref)).toEqual(["HOST_OFFLINE", h.ref]);
    expect(await fault("host.disable", h.ref)).toEqual(["HOST_OFFLINE", h.ref]);
    expect(sim.inspect.consistencyErrors()).toEqual([]);

    await eventually(() => isLive(h.ref));
    expect(hostOf(h.ref)).toMatchObject({ enabled: true, current_operations: {} });
    expect(hostOf(h.ref).allowed_operations).toContain("vm_start");
    expect(pbdsOf(h.ref).every((pbd) => pbd.record.currently_attached)).toBe(true);
    const member = await new TestClient(h.url).fault("session.login_with_password", sim.username, sim.password);
    expect(member.description).toEqual(["HOST_IS_SLAVE", sim.pools[0].master.address]);
    expect(await x.s("VM.assert_can_boot_here", halted, h.ref)).toBe("");
  });

  it("a host disabled with auto_enable false stays disabled after the reboot", async () => {
    const h = host();
    await x.s("host.disable", h.ref, false);
    await x.s("host.reboot", h.ref);
    await eventually(() => !isLive(h.ref));
    await eventually(() => isLive(h.ref));
    expect(hostOf(h.ref).enabled).toBe(false);
    await x.s("host.enable", h.ref);
    expect(hostOf(h.ref).enabled).toBe(true);
  });

  it("storage that cannot plug stays unplugged and raises PBD_PLUG_FAILED_ON_SERVER_START", async () => {
    const h = sim.pools[0].hosts[2];
    const broken = pbdsOf(h.ref).filter((pbd) => !pbd.record.currently_attached);
    expect(broken.length).toBe(1);
    const since = new Date();
    await x.s("host.disable", h.ref);
    await x.s("host.reboot", h.ref);
    await eventually(() => !isLive(h.ref));
    await eventually(() => isLive(h.ref));
    expect(sim.inspect.get<PbdRecord>("PBD", broken[0].ref)!.record.currently_attached).toBe(false);
    const alerts = sim.inspect.all<MessageRecord>("message").filter((m) => m.record.timestamp >= since && m.record.obj_uuid === hostOf(h.ref).uuid);
    expect(alerts.map((m) => [m.record.name, m.record.cls, m.record.priority])).toEqual([["PBD_PLUG_FAILED_ON_SERVER_START", "Host", 3]]);
  });

  it("a shut-down host stays off until powered on (control API); its local SR cannot be scanned meanwhile", async () => {
    const h = host();
    const local = sim.inspect.all<SrRecord>("SR").find((sr) => sr.record.name_label === "Local storage" && pbdsOf(h.ref).some((p) => p.record.SR === sr.ref))!;
    await x.s("host.disable", h.ref);
    await x.s("host.shutdown", h.ref);
    expect(sim.inspect.get<TaskRecord>("task", Object.keys(hostOf(h.ref).current_operations)[0])!.record.name_label).toBe("Host is shutting down");
    await eventually(() => !isLive(h.ref));
    expect(await fault("SR.scan", local.ref)).toEqual(["SR_HAS_NO_PBDS", local.ref]);
    const refused = await control("/outside/power-on", { host: sim.pools[0].hosts[0].name });
    expect(refused).toMatchObject({ status: 409, body: { errorDescription: ["HOST_IS_LIVE", sim.pools[0].hosts[0].ref] } });
    const inspected = await fetch(`${sim.controlUrl}/inspect/host/${h.name}`).then((r) => r.json());
    expect(inspected).toMatchObject({ ref: h.ref, live: false, record: { enabled: false } });
    expect(await refusesConnections(h.url)).toBe(true);
    expect(await control("/outside/power-on", { host: h.name })).toMatchObject({ status: 200, body: { ok: true } });
    expect(isLive(h.ref)).toBe(true);
    expect(hostOf(h.ref).enabled).toBe(true);
    expect(await refusesConnections(h.url)).toBe(false);
    expect(await x.s("SR.scan", local.ref)).toBe("");
  });

  it("rebooting the master takes the pool away and invalidates every session", async () => {
    const master = sim.pools[0].master;
    const vms = sim.inspect.all<VmRecord>("VM").filter((v) => v.record.resident_on === master.ref && !v.record.is_control_domain);
    for (const vm of vms) sim.outside.vm(vm.ref, { power_state: "Halted" });
    await x.s("host.disable", master.ref);
    await x.s("host.reboot", master.ref);
    await eventually(() => !isLive(master.ref));
    expect(await refusesConnections(master.url)).toBe(true);
    await eventually(() => isLive(master.ref));
    const error = await x.fault("pool.get_all", x.session);
    expect(error).toBeInstanceOf(XapiFault);
    expect(error.description).toEqual(["SESSION_INVALID", x.session]);
    await x.login(sim.username, sim.password);
    expect(hostOf(master.ref).enabled).toBe(true);
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
