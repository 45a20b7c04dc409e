/**
 * Host maintenance and power through XenDeck against the simulator over HTTP: the pre-flight names the VMs that
 * cannot leave and why; entering maintenance is refused then (nothing changes) unless forced; otherwise the host
 * is disabled, marked and emptied; a failed evacuation re-enables it; reboot needs a disabled host, goes away and
 * comes back still in maintenance; exit re-enables it. Only admins of the host; refusals are audited.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import { getDb } from "@/lib/db/client";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import type { HostMetricsRecord, HostRecord, PbdRecord, SrRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { hostControls } from "./controls";
import { HOST_NOT_FOUND, hostEvacuationCheck, hostMaintenance, hostPower } from "./actions";

const env = inventoryEnvironmentForFile({ hostsPerPool: 3, vmsPerPool: 12 });

const host = (name: string) => env().sim.inspect.get<HostRecord>("host", name, "lab")!;
const live = (name: string) => env().sim.inspect.get<HostMetricsRecord>("host_metrics", host(name).record.metrics, "lab")!.record.live;
const guests = (name: string) =>
  host(name)
    .record.resident_VMs.map((ref) => env().sim.inspect.get<VmRecord>("VM", ref, "lab")!.record)
    .filter((vm) => !vm.is_control_domain);
const lastAudit = async () => (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;

/** The local SR of a host, and an ordinary VM with a disk on it. */
function localVmOf(hostName: string): { vm: string; sr: string } {
  const { sim } = env();
  const hostRef = host(hostName).ref;
  const sr = sim.inspect
    .all<SrRecord>("SR", "lab")
    .find(({ record }) => !record.shared && record.PBDs.some((pbd) => sim.inspect.get<PbdRecord>("PBD", pbd, "lab")!.record.host === hostRef))!;
  const vm = sim.inspect.all<VmRecord>("VM", "lab").find(
    ({ record }) =>
      !record.is_a_template &&
      !record.is_a_snapshot &&
      !record.is_control_domain &&
      record.VBDs.some((vbd) => {
        const device = sim.inspect.get<VbdRecord>("VBD", vbd, "lab")!.record;
        return !device.empty && sim.inspect.get<VdiRecord>("VDI", device.VDI, "lab")?.record.SR === sr.ref;
      }),
  );
  if (!vm) throw new Error(`no VM on ${hostName}'s local storage`);
  return { vm: vm.record.name_label, sr: sr.record.name_label };
}

describe("host maintenance", () => {
  it("is refused to viewers and operators of the pool, and to users who cannot see the host (audited, nothing changes)", async () => {
    const { pools, user } = env();
    const operator = await user("host-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const other = await user("other-pool-admin", [{ kind: "pool", uuid: pools.production!.uuid, role: "admin" }]);
    const target = host("xcp-lab-03").record.uuid;
    expect(await runAction(hostMaintenance, { actor: operator, input: { host: target, operation: "enter" } })).toMatchObject({
      ok: false,
      code: "NOT_ALLOWED",
    });
    expect(await lastAudit()).toMatchObject({ actorUsername: "host-operator", action: "host.maintenance", objectUuid: target, outcome: "refused" });
    expect(await runAction(hostPower, { actor: other, input: { host: target, operation: "reboot" } })).toMatchObject({ ok: false, error: HOST_NOT_FOUND });
    expect(await runAction(hostEvacuationCheck, { actor: operator, input: { host: target } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(host("xcp-lab-03").record.enabled).toBe(true);
    expect((await hostControls(operator, target))!).toMatchObject({ maintenanceControls: null, powerControls: null });
  });

  it("names the VMs that cannot leave and why, and then changes nothing unless forced", async () => {
    const { sim, admin } = env();
    // Its disk is on xcp-lab-03's own storage: it can run nowhere else.
    const { vm, sr } = localVmOf("xcp-lab-03");
    expect(sim.inspect.vm(vm)!.record.resident_on).toBe(host("xcp-lab-03").ref);
    const target = host("xcp-lab-03").record.uuid;

    const check = await runAction(hostEvacuationCheck, { actor: admin, input: { host: target } });
    expect(check.ok && check.blocking).toContainEqual({
      uuid: sim.inspect.vm(vm)!.record.uuid,
      name: vm,
      reason: `The VM “${vm}” needs the storage “${sr} on xcp-lab-03”, which the host cannot reach`,
    });

    const refused = await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "enter" } });
    expect(refused).toMatchObject({ ok: false, code: "VMS_PREVENT_EVACUATION" });
    expect(!refused.ok && refused.error).toContain(`${vm}: The VM “${vm}” needs the storage`);
    expect(host("xcp-lab-03").record).toMatchObject({ enabled: true, other_config: expect.not.objectContaining({ MAINTENANCE_MODE: "true" }) });

    const forced = await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "enter", force: true } });
    expect(forced).toMatchObject({ ok: false, followUp: true });
    expect(!forced.ok && forced.error).toMatch(/^xcp-lab-03 is in maintenance mode, but not every VM left it: /);
    expect(host("xcp-lab-03").record).toMatchObject({ enabled: false, other_config: expect.objectContaining({ MAINTENANCE_MODE: "true" }) });
    expect(guests("xcp-lab-03").map((guest) => guest.name_label)).toContain(vm);

    expect(await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "exit" } })).toMatchObject({ ok: true });
    expect(host("xcp-lab-03").record.enabled).toBe(true);
    expect(host("xcp-lab-03").record.other_config.MAINTENANCE_MODE).toBeUndefined();
  });

  it("re-enables the host when the evacuation fails, unless forced", async () => {
    const { sim, admin } = env();
    const target = host("xcp-lab-02");
    sim.faults.failNext({ method: "host.evacuate", error: ["HOST_NOT_ENOUGH_FREE_MEMORY", "OpaqueRef:nowhere"], object: target.ref });
    const result = await runAction(hostMaintenance, { actor: admin, input: { host: target.record.uuid, operation: "enter" } });
    expect(result).toMatchObject({ ok: false, code: "HOST_NOT_ENOUGH_FREE_MEMORY" });
    expect(await lastAudit()).toMatchObject({ action: "host.maintenance", objectUuid: target.record.uuid, outcome: "error" });
    expect(host("xcp-lab-02").record.enabled).toBe(true);
    expect(host("xcp-lab-02").record.other_config.MAINTENANCE_MODE).toBeUndefined();
  });

  it("empties the host; reboot needs it disabled, goes away and comes back still in maintenance; exit re-enables it", async () => {
    const { admin, sim } = env();
    const target = host("xcp-lab-02").record.uuid;

    const early = await runAction(hostPower, { actor: admin, input: { host: target, operation: "reboot" } });
    expect(early).toMatchObject({ ok: false, code: "HOST_NOT_DISABLED" });
    expect(!early.ok && early.error).toMatch(/must be disabled first/);

    const entered = await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "enter" } });
    expect(entered).toMatchObject({ ok: true, message: "xcp-lab-02 is in maintenance mode: its VMs moved to other hosts" });
    expect(guests("xcp-lab-02")).toEqual([]);
    expect(host("xcp-lab-02").record).toMatchObject({ enabled: false, other_config: expect.objectContaining({ MAINTENANCE_MODE: "true" }) });
    expect((await lastAudit()).taskRef).toBeTruthy();
    expect(await hostControls(admin, target)).toMatchObject({ maintenance: true, powerControls: { rebootUnavailableReason: null } });

    // Away long enough to be seen away.
    sim.faults.duration("host_boot", 1_500);
    expect(await runAction(hostPower, { actor: admin, input: { host: target, operation: "reboot" } })).toMatchObject({ ok: true });
    await eventually(() => !live("xcp-lab-02"));
    await env().catchUp();
    expect(await hostControls(admin, target)).toMatchObject({ live: false, activity: "Rebooting" });
    await eventually(() => live("xcp-lab-02"));
    await sim.faults.reset();
    await eventually(() => Object.keys(host("xcp-lab-02").record.current_operations).length === 0);
    expect(host("xcp-lab-02").record.enabled).toBe(false);

    expect(await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "exit" } })).toMatchObject({
      ok: true,
      message: "xcp-lab-02 left maintenance mode and takes VMs again",
    });
    expect(host("xcp-lab-02").record.enabled).toBe(true);
  });

  it("disables and enables a host on request", async () => {
    const { admin } = env();
    const target = host("xcp-lab-01").record.uuid;
    expect(await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "disable" } })).toMatchObject({ ok: true });
    expect(host("xcp-lab-01").record.enabled).toBe(false);
    expect(await hostControls(admin, target)).toMatchObject({ enabled: false, maintenance: false });
    expect(await runAction(hostMaintenance, { actor: admin, input: { host: target, operation: "enable" } })).toMatchObject({ ok: true });
    expect(host("xcp-lab-01").record.enabled).toBe(true);
  });
});
