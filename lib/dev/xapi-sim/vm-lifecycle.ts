/**
 * VM operations: start, start_on, clean/hard shutdown and reboot, suspend, resume(_on), pause, unpause,
 * pool_migrate, clone, copy, snapshot, checkpoint, revert, destroy, power_state_reset (hardware settings and
 * provisioning are in vm-hardware.ts). Each checks XAPI's rules (vm-rules.ts) in XAPI's order, records itself in
 * `current_operations` for as long as it runs (so `allowed_operations` and OTHER_OPERATION_IN_PROGRESS stay
 * true at every moment), takes its configured time, and applies the final state (vm-state.ts).
 */
import type {
  HostRecord,
  NetworkRecord,
  PbdRecord,
  PifRecord,
  SrRecord,
  VbdRecord,
  VdiRecord,
  VifRecord,
  VmOperations,
  VmRecord,
} from "@/lib/xapi/model/records.generated";
import type { VmOperationName } from "./config";
import { XapiError } from "./errors";
import { isHostLive, withHostOperation } from "./host-rules";
import { createVdi, hostFreeMemory, vmFootprint } from "./objects";
import type { SimPool } from "./pool";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";
import { copyVm, destroyVm, revertVm } from "./vm-copies";
import { allowedPowerStates, assertOperationValid, refreshAllowedOperations } from "./vm-rules";
import { assertVcpuTopology } from "./vm-platform";
import { markMigrated, markPaused, markRebooted, markRunning, markStopped } from "./vm-state";

type Vm = StoredObject<VmRecord>;

const vmOf = (ctx: CallContext, ref: unknown): Vm => ctx.pool.need<VmRecord>("VM", String(ref));

/** Runs `body` as operation `op` of `vm`: checked first, listed in current_operations while it runs. */
export async function withVmOperation<T>(ctx: CallContext, vm: Vm, op: VmOperations, body: () => Promise<T> | T): Promise<T> {
  const { pool } = ctx;
  assertOperationValid(pool, vm, op);
  const key = ctx.op.taskRef;
  pool.store.update(vm, { current_operations: { ...vm.rec.current_operations, [key]: op } });
  refreshAllowedOperations(pool, vm);
  try {
    return await body();
  } finally {
    if (!vm.dtime) {
      const current = { ...vm.rec.current_operations };
      delete current[key];
      pool.store.update(vm, { current_operations: current });
      refreshAllowedOperations(pool, vm);
    }
  }
}

/** After waiting, the VM must still be in a state the operation can finish from. */
function expectState(vm: Vm, op: VmOperations): void {
  const states = allowedPowerStates(vm.rec, op);
  if (!states.includes(vm.rec.power_state)) {
    throw new XapiError("VM_BAD_POWER_STATE", [vm.ref, states.map((s) => s.toLowerCase()).join(", "), vm.rec.power_state.toLowerCase()]);
  }
}

async function work(ctx: CallContext, op: VmOperationName): Promise<void> {
  await ctx.op.work(ctx.core.duration(op));
}

// ---------------------------------------------------------------------------------------------------------
// Placement

/**
 * Why `vm` cannot run on `hostRef`, checked in the order of XAPI's assert_can_boot_here: the host is up
 * (HOST_NOT_LIVE), enabled (HOST_DISABLED; not asked of a VM already running there), sees every SR of the VM's
 * disks and suspend image (VM_REQUIRES_SR) and every network of its interfaces (VM_REQUIRES_NETWORK), has the
 * memory (HOST_NOT_ENOUGH_FREE_MEMORY; skipped by the evacuation planner, which packs memory itself) and enough
 * physical CPUs (HOST_NOT_ENOUGH_PCPUS).
 */
export function bootError(pool: SimPool, vm: Vm, hostRef: string, { memory = true }: { memory?: boolean } = {}): XapiError | undefined {
  const host = pool.need<HostRecord>("host", hostRef);
  if (!isHostLive(pool, hostRef)) return new XapiError("HOST_NOT_LIVE", []);
  const alreadyThere = vm.rec.power_state === "Running" && vm.rec.resident_on === hostRef;
  if (!host.rec.enabled && !alreadyThere && !vm.rec.is_control_domain) return new XapiError("HOST_DISABLED", [hostRef]);
  const sr = unreachableSr(pool, vm, host);
  if (sr) return new XapiError("VM_REQUIRES_SR", [vm.ref, sr]);
  const network = unreachableNetwork(pool, vm, hostRef);
  if (network) return new XapiError("VM_REQUIRES_NETWORK", [vm.ref, network]);
  if (memory && vm.rec.resident_on !== hostRef) {
    const needed = vmFootprint(vm.rec);
    const available = hostFreeMemory(pool, hostRef);
    if (needed > available) return new XapiError("HOST_NOT_ENOUGH_FREE_MEMORY", [String(needed), String(available)]);
  }
  const pcpus = Number(host.rec.cpu_info.cpu_count);
  if (vm.rec.VCPUs_max > pcpus && vm.rec.platform["vcpu-unrestricted"] !== "true") {
    return new XapiError("HOST_NOT_ENOUGH_PCPUS", [String(vm.rec.VCPUs_max), String(pcpus)]);
  }
  return undefined;
}

/** The first SR the VM needs (non-empty drives, suspend image) that has no plugged PBD on the host. */
function unreachableSr(pool: SimPool, vm: Vm, host: StoredObject<HostRecord>): string | undefined {
  const vdis: string[] = [];
  for (const ref of vm.rec.VBDs) {
    const vbd = pool.store.getOf<VbdRecord>("VBD", ref);
    if (vbd && !vbd.rec.empty) vdis.push(vbd.rec.VDI);
  }
  if (vm.rec.power_state === "Suspended" && vm.rec.suspend_VDI !== NULL_REF) vdis.push(vm.rec.suspend_VDI);
  const plugged = new Set<string>();
  for (const ref of host.rec.PBDs) {
    const pbd = pool.store.getOf<PbdRecord>("PBD", ref);
    if (pbd?.rec.currently_attached) plugged.add(pbd.rec.SR);
  }
  for (const ref of vdis) {
    const sr = pool.store.getOf<VdiRecord>("VDI", ref)?.rec.SR;
    if (sr && !plugged.has(sr)) return sr;
  }
  return undefined;
}

/**
 * The first network of the VM's interfaces the host cannot reach: a network with PIFs needs one on this host;
 * a managed network without PIFs (a private one) is pinned to the hosts its running VMs are on.
 */
function unreachableNetwork(pool: SimPool, vm: Vm, hostRef: string): string | undefined {
  for (const ref of vm.rec.VIFs) {
    const network = pool.store.getOf<NetworkRecord>("network", pool.store.getOf<VifRecord>("VIF", ref)?.rec.network ?? NULL_REF);
    if (!network) continue;
    const n = network.rec;
    let reachable: boolean;
    if (n.PIFs.length > 0) reachable = n.PIFs.some((p) => pool.store.getOf<PifRecord>("PIF", p)?.rec.host === hostRef);
    else if (n.other_config.assume_network_is_shared === "true" || !n.managed) reachable = true;
    else {
      const hosts = n.VIFs.map((v) => pool.store.getOf<VmRecord>("VM", pool.store.getOf<VifRecord>("VIF", v)?.rec.VM ?? NULL_REF)?.rec)
        .filter((other) => other?.power_state === "Running")
        .map((other) => other!.resident_on);
      reachable = hosts.length === 0 || hosts.includes(hostRef);
    }
    if (!reachable) return network.ref;
  }
  return undefined;
}

/** The host `VM.start` picks: the affinity host if it can, else the one with the most free memory. */
export function chooseHost(pool: SimPool, vm: Vm): string {
  const candidates = pool.hostRefs.filter((ref) => !bootError(pool, vm, ref));
  if (candidates.includes(vm.rec.affinity)) return vm.rec.affinity;
  if (candidates.length > 0) {
    return candidates.reduce((best, ref) => (hostFreeMemory(pool, ref) > hostFreeMemory(pool, best) ? ref : best));
  }
  // No host fits: report the memory shortage of the roomiest host if memory is the reason.
  const memory = pool.hostRefs.map((ref) => bootError(pool, vm, ref)).filter((e): e is XapiError => e?.code === "HOST_NOT_ENOUGH_FREE_MEMORY");
  if (memory.length > 0) throw memory.reduce((a, b) => (Number(b.params[1]) > Number(a.params[1]) ? b : a));
  throw new XapiError("NO_HOSTS_AVAILABLE", []);
}

/**
 * Reserves the host's memory while the domain is being built (the host lists vm_start / vm_resume among its
 * current operations meanwhile), then runs the domain there.
 */
async function bootOn(ctx: CallContext, vm: Vm, op: "start" | "start_on" | "resume" | "resume_on", pick: () => string, paused: boolean): Promise<void> {
  const { pool } = ctx;
  const hostRef = pick();
  const hostOp = op.startsWith("start") ? "vm_start" : "vm_resume";
  await withHostOperation(pool, pool.host(hostRef), hostOp, ctx.op.taskRef, async () => {
    pool.store.update(vm, { scheduled_to_be_resident_on: hostRef });
    try {
      assertVcpuTopology(vm.rec);
      await work(ctx, op);
      expectState(vm, op as VmOperations);
    } catch (error) {
      if (!vm.dtime) pool.store.update(vm, { scheduled_to_be_resident_on: NULL_REF });
      throw error;
    }
    markRunning(pool, vm, hostRef, paused);
  });
}

function checkHost(ctx: CallContext, vm: Vm, hostRef: string): () => string {
  ctx.pool.need<HostRecord>("host", hostRef);
  return () => {
    const error = bootError(ctx.pool, vm, hostRef);
    if (error) throw error;
    return hostRef;
  };
}

/** `VM.pool_migrate`: the running domain moves to `target` (also the step of a host evacuation). */
export function poolMigrate(ctx: CallContext, vm: Vm, target: string): Promise<void> {
  const pick = checkHost(ctx, vm, target);
  return withVmOperation(ctx, vm, "pool_migrate", async () => {
    pick();
    await withHostOperation(ctx.pool, ctx.pool.host(target), "vm_migrate", ctx.op.taskRef, async () => {
      if (vm.rec.resident_on !== target) ctx.pool.store.update(vm, { scheduled_to_be_resident_on: target });
      try {
        await work(ctx, "pool_migrate");
        expectState(vm, "pool_migrate");
      } catch (error) {
        if (!vm.dtime) ctx.pool.store.update(vm, { scheduled_to_be_resident_on: NULL_REF });
        throw error;
      }
      markMigrated(ctx.pool, vm, target);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------

export function vmMessages(r: MessageRegistry): void {
  // start / resume pick a host; start_on / resume_on are told one.
  for (const op of ["start", "resume"] as const) {
    r.define(`VM.${op}`, (ctx, [ref, startPaused]) => {
      const vm = vmOf(ctx, ref);
      return withVmOperation(ctx, vm, op, () => bootOn(ctx, vm, op, () => chooseHost(ctx.pool, vm), Boolean(startPaused)));
    });
  }
  for (const op of ["start_on", "resume_on"] as const) {
    r.define(`VM.${op}`, (ctx, [ref, host, startPaused]) => {
      const vm = vmOf(ctx, ref);
      const pick = checkHost(ctx, vm, String(host));
      return withVmOperation(ctx, vm, op, () => bootOn(ctx, vm, op, pick, Boolean(startPaused)));
    });
  }

  const stop = (op: "clean_shutdown" | "hard_shutdown" | "shutdown" | "suspend") =>
    r.define(`VM.${op}`, (ctx, [ref]) => {
      const vm = vmOf(ctx, ref);
      return withVmOperation(ctx, vm, op, async () => {
        await work(ctx, op);
        expectState(vm, op);
        markStopped(ctx.pool, vm, op === "suspend" ? "Suspended" : "Halted");
      });
    });
  stop("clean_shutdown");
  stop("hard_shutdown");
  stop("shutdown");
  stop("suspend");

  for (const op of ["clean_reboot", "hard_reboot"] as const) {
    r.define(`VM.${op}`, (ctx, [ref]) => {
      const vm = vmOf(ctx, ref);
      return withVmOperation(ctx, vm, op, async () => {
        await work(ctx, op);
        expectState(vm, op);
        markRebooted(ctx.pool, vm);
      });
    });
  }
  for (const op of ["pause", "unpause"] as const) {
    r.define(`VM.${op}`, (ctx, [ref]) => {
      const vm = vmOf(ctx, ref);
      return withVmOperation(ctx, vm, op, async () => {
        await work(ctx, op);
        expectState(vm, op);
        markPaused(ctx.pool, vm, op === "pause");
      });
    });
  }

  r.define("VM.pool_migrate", (ctx, [ref, host]) => poolMigrate(ctx, vmOf(ctx, ref), String(host)));

  r.define("VM.clone", (ctx, [ref, name]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "clone", async () => {
      await work(ctx, "clone");
      return copyVm(ctx.pool, vm, { kind: "clone", name: String(name) }).ref;
    });
  });
  r.define("VM.copy", (ctx, [ref, name, sr]) => {
    const vm = vmOf(ctx, ref);
    if (sr !== NULL_REF) ctx.pool.need<SrRecord>("SR", String(sr));
    return withVmOperation(ctx, vm, "copy", async () => {
      await work(ctx, "copy");
      return copyVm(ctx.pool, vm, { kind: "copy", name: String(name), sr: String(sr) }).ref;
    });
  });
  r.define("VM.snapshot", (ctx, [ref, name, ignoreVdis]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "snapshot", async () => {
      await work(ctx, "snapshot");
      return copyVm(ctx.pool, vm, { kind: "snapshot", name: String(name), ignoreVdis: (ignoreVdis as string[] | undefined) ?? [] }).ref;
    });
  });
  r.define("VM.checkpoint", (ctx, [ref, name]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "checkpoint", async () => {
      await work(ctx, "checkpoint");
      const snap = copyVm(ctx.pool, vm, { kind: "checkpoint", name: String(name) });
      const image = createVdi(ctx.pool, {
        SR: ctx.pool.pool.rec.suspend_image_SR !== NULL_REF ? ctx.pool.pool.rec.suspend_image_SR : ctx.pool.pool.rec.default_SR,
        name_label: "Suspend image",
        name_description: `Memory of checkpoint ${String(name)}`,
        type: "suspend",
        virtual_size: vm.rec.memory_static_max,
      });
      ctx.pool.store.update(snap, { power_state: "Suspended", suspend_VDI: image.ref });
      refreshAllowedOperations(ctx.pool, snap);
      return snap.ref;
    });
  });
  r.define("VM.revert", (ctx, [ref]) => {
    const snapshot = vmOf(ctx, ref);
    return withVmOperation(ctx, snapshot, "revert", async () => {
      const vm = ctx.pool.store.getOf<VmRecord>("VM", snapshot.rec.snapshot_of);
      if (!vm) throw new XapiError("VM_REVERT_FAILED", [snapshot.rec.snapshot_of, snapshot.ref]);
      await withVmOperation(ctx, vm, "reverting", async () => {
        await work(ctx, "revert");
        if (vm.rec.power_state !== "Halted") markStopped(ctx.pool, vm, "Halted");
        revertVm(ctx.pool, vm, snapshot);
      });
    });
  });
  r.define("VM.destroy", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "destroy", async () => {
      await work(ctx, "destroy");
      destroyVm(ctx.pool, vm);
    });
  });
  r.define("VM.power_state_reset", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref);
    if (vm.rec.is_control_domain) throw new XapiError("CANNOT_RESET_CONTROL_DOMAIN", [vm.ref]);
    return withVmOperation(ctx, vm, "power_state_reset", () => markStopped(ctx.pool, vm, "Halted"));
  });

  // Queries and checks.
  r.define("VM.assert_operation_valid", (ctx, [ref, op]) => assertOperationValid(ctx.pool, vmOf(ctx, ref), op as VmOperations));
  r.define("VM.update_allowed_operations", (ctx, [ref]) => refreshAllowedOperations(ctx.pool, vmOf(ctx, ref)));
  r.define("VM.assert_can_boot_here", (ctx, [ref, host]) => {
    const error = bootError(ctx.pool, vmOf(ctx, ref), String(host));
    if (error) throw error;
  });
  r.define("VM.get_possible_hosts", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref);
    return ctx.pool.hostRefs.filter((h) => !bootError(ctx.pool, vm, h));
  });
  r.define("VM.get_cooperative", () => true);
  r.define("VM.get_boot_record", (ctx, [ref]) => vmOf(ctx, ref));

  r.define("VM.set_is_a_template", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    if (value === vm.rec.is_a_template) return;
    if (value) return withVmOperation(ctx, vm, "make_into_template", () => ctx.pool.store.update(vm, { is_a_template: true }));
    ctx.pool.store.update(vm, { is_a_template: false, is_default_template: false });
    refreshAllowedOperations(ctx.pool, vm);
  });
}
