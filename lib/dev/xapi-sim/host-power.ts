/**
 * Hosts going away and coming back, as `host.reboot` / `host.shutdown` make them (xapi_host.ml
 * `shutdown_and_reboot_common`, `prepare_for_poweroff`, `Vm_evacuation.ensure_no_vms`): the call returns at once,
 * leaving a finished "Host is rebooting" task whose ref stays in the host's current_operations as `shutdown`
 * until the host is back; then the VMs that cannot move are shut down (clean if they can, else hard), the others
 * migrate away (an `Async.host.evacuate` task), the storage is unplugged, the host stops answering (its listener
 * refuses connections) and the master marks it dead (`host_metrics.live` false). A rebooting host comes back
 * after `host_boot`: listening again, live, its storage plugged (a PBD seeded as broken fails again, with a
 * PBD_PLUG_FAILED_ON_SERVER_START alert), enabled again unless it was disabled with `auto_enable` false. A host
 * that was shut down stays off until powered on from outside (the control API). A master that restarts loses
 * every session, as xapi keeps sessions in memory.
 */
import type { HostMetricsRecord, HostRecord, PbdRecord, VmMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { createAlert } from "./alerts";
import { toXapiError, XapiError } from "./errors";
import { evacuateHost, vmsPreventingEvacuation } from "./evacuation";
import { refreshHostOperations, withHostOperation } from "./host-rules";
import type { SimPool } from "./pool";
import type { CallContext } from "./registry";
import type { StoredObject } from "./store";
import { withVmOperation } from "./vm-lifecycle";
import { markStopped } from "./vm-state";

type Host = StoredObject<HostRecord>;

interface PowerState {
  /** `host.disable ~auto_enable:false` keeps a host disabled across reboots. */
  stayDisabled: Set<string>;
  /** Between a reboot / shutdown call and the host's return: enable answers HOST_DISABLED_UNTIL_REBOOT. */
  goingDown: Set<string>;
  /** Shut down (not rebooting): waiting to be powered on. */
  off: Set<string>;
  /** PBDs that fail to plug when their host boots (seeded unplugged). */
  broken: Set<string>;
}

const states = new WeakMap<SimPool, PowerState>();

export function powerState(pool: SimPool): PowerState {
  let state = states.get(pool);
  if (!state) {
    state = { stayDisabled: new Set(), goingDown: new Set(), off: new Set(), broken: new Set() };
    states.set(pool, state);
  }
  return state;
}

/** Marks a PBD as one that cannot be plugged (it stays unplugged across reboots). */
export function markPbdBroken(pool: SimPool, pbdRef: string): void {
  powerState(pool).broken.add(pbdRef);
}

/**
 * After the checks of `host.reboot` / `host.shutdown`: records the operation and lets the host go in the
 * background (the caller's answer does not wait for it).
 */
export function beginPowerOff(ctx: CallContext, host: Host, reboot: boolean): void {
  const { pool } = ctx;
  const label = reboot ? "Host is rebooting" : "Host is shutting down";
  const task = pool.tasks.create(label, label, undefined, false, ctx.op.task);
  pool.tasks.succeed(task, "");
  // XAPI records both as `shutdown`; the entry masks other operations until the host is back.
  pool.store.update(host, { current_operations: { ...host.rec.current_operations, [task.ref]: "shutdown" } });
  refreshHostOperations(pool, host);
  powerState(pool).goingDown.add(host.ref);
  void powerOff(ctx, host, reboot).catch((error) => pool.core.options.log(`host ${host.rec.name_label} power off: ${(error as Error)?.stack ?? error}`));
}

async function powerOff(ctx: CallContext, host: Host, reboot: boolean): Promise<void> {
  const { pool, core } = ctx;
  await ensureNoVms(ctx, host);
  await core.timers.sleep(core.duration("host_shutdown"));
  for (const ref of host.rec.PBDs) {
    const pbd = pool.store.getOf<PbdRecord>("PBD", ref);
    if (pbd?.rec.currently_attached) pool.store.update(pbd, { currently_attached: false });
  }
  setLive(pool, host, false);
  refreshHostOperations(pool, host);
  if (host.ref === pool.masterRef) pool.sessions.expireAll();
  await core.setHostPowered(host.ref, false);
  if (!reboot) {
    powerState(pool).off.add(host.ref);
    return;
  }
  await core.timers.sleep(core.duration("host_boot"));
  await powerOn(pool, host);
}

/** The host boots: listening, live, storage plugged, enabled unless kept disabled. */
export async function powerOn(pool: SimPool, host: Host): Promise<void> {
  const state = powerState(pool);
  state.off.delete(host.ref);
  await pool.core.setHostPowered(host.ref, true);
  const now = new Date();
  setLive(pool, host, true);
  for (const ref of host.rec.PBDs) {
    const pbd = pool.store.getOf<PbdRecord>("PBD", ref);
    if (!pbd || pbd.rec.currently_attached) continue;
    if (state.broken.has(pbd.ref)) {
      createAlert(pool, { name: "PBD_PLUG_FAILED_ON_SERVER_START", priority: 3, cls: "Host", obj_uuid: host.uuid, body: "" });
    } else pool.store.update(pbd, { currently_attached: true });
  }
  const seconds = `${now.getTime() / 1000}`;
  pool.store.update(host, {
    current_operations: {},
    enabled: !state.stayDisabled.has(host.ref),
    other_config: { ...host.rec.other_config, boot_time: seconds, agent_start_time: seconds },
  });
  const dom0 = pool.store.getOf<VmRecord>("VM", host.rec.control_domain);
  const dom0Metrics = dom0 && pool.store.getOf<VmMetricsRecord>("VM_metrics", dom0.rec.metrics);
  if (dom0Metrics) pool.store.update(dom0Metrics, { start_time: now, last_updated: now });
  state.goingDown.delete(host.ref);
  refreshHostOperations(pool, host);
}

function setLive(pool: SimPool, host: Host, live: boolean): void {
  const metrics = pool.store.getOf<HostMetricsRecord>("host_metrics", host.rec.metrics);
  if (metrics) pool.store.update(metrics, { live, last_updated: new Date() });
}

/**
 * `Vm_evacuation.ensure_no_vms`: the VMs that cannot move are shut down, the others evacuated, and whatever
 * still runs is shut down. Each step is a task of its own, as xapi makes them through its own API.
 */
async function ensureNoVms(ctx: CallContext, host: Host): Promise<void> {
  const { pool } = ctx;
  await shutDownVms(ctx, Object.keys(vmsPreventingEvacuation(pool, host.ref)));
  const task = pool.tasks.create("Async.host.evacuate", "", undefined, true);
  const op = pool.tasks.operation(task);
  try {
    await withHostOperation(pool, host, "evacuate", task.ref, () => evacuateHost({ ...ctx, name: "host.evacuate", op, signal: op.signal }, host, 0));
    pool.tasks.succeed(task, "");
  } catch (error) {
    pool.tasks.fail(task, toXapiError(error));
  }
  pool.tasks.destroy(task);
  const stillRunning = host.rec.resident_VMs.filter((ref) => {
    const vm = pool.store.getOf<VmRecord>("VM", ref);
    return vm && !vm.rec.is_control_domain;
  });
  await shutDownVms(ctx, stillRunning);
}

/** Clean shutdown where the VM allows it, then a hard shutdown of whatever still has a domain. */
async function shutDownVms(ctx: CallContext, refs: string[]): Promise<void> {
  const vms = () => refs.map((ref) => ctx.pool.store.getOf<VmRecord>("VM", ref)).filter((vm): vm is StoredObject<VmRecord> => vm !== undefined);
  await Promise.all(
    vms()
      .filter((vm) => vm.rec.allowed_operations.includes("clean_shutdown"))
      .map((vm) => stopAsTask(ctx, vm, "clean_shutdown")),
  );
  const live = vms().filter((vm) => vm.rec.power_state === "Running" || vm.rec.power_state === "Paused");
  await Promise.all(live.map((vm) => stopAsTask(ctx, vm, "hard_shutdown")));
}

async function stopAsTask(ctx: CallContext, vm: StoredObject<VmRecord>, op: "clean_shutdown" | "hard_shutdown"): Promise<void> {
  const { pool } = ctx;
  const task = pool.tasks.create(`Async.VM.${op}`, "", undefined, true);
  const taskOp = pool.tasks.operation(task);
  try {
    await withVmOperation({ ...ctx, name: `VM.${op}`, op: taskOp, signal: taskOp.signal }, vm, op, async () => {
      await taskOp.work(ctx.core.duration(op));
      if (vm.rec.power_state !== "Halted") markStopped(pool, vm, "Halted");
    });
    pool.tasks.succeed(task, "");
  } catch (error) {
    pool.tasks.fail(task, toXapiError(error));
  }
  pool.tasks.destroy(task);
}

/** `host.enable` on a host that is on its way down. */
export function assertNotGoingDown(pool: SimPool, host: Host): void {
  if (powerState(pool).goingDown.has(host.ref)) throw new XapiError("HOST_DISABLED_UNTIL_REBOOT", [host.ref]);
}

/** Powers on a host that was shut down (someone pressed its power button). */
export async function powerOnFromOutside(pool: SimPool, host: Host): Promise<void> {
  if (!powerState(pool).off.has(host.ref)) throw new XapiError("HOST_IS_LIVE", [host.ref]);
  await powerOn(pool, host);
}
