/**
 * Host evacuation as XAPI plans and runs it (xapi_host.ml `compute_evacuation_plan_no_wlb` and `evacuate`).
 * The plan gives each guest resident on the host either a destination or the error that keeps it there:
 * NO_HOSTS_AVAILABLE [vm] when no other host is enabled; HOST_EVACUATE_VM_NOT_HA_PROTECTED [vm] with HA on;
 * the first reason it cannot boot on every other enabled host (VM_REQUIRES_SR for disks on this host's local
 * storage, VM_REQUIRES_NETWORK...); the reason `pool_migrate` is refused now (VM_BAD_POWER_STATE for a paused
 * VM, OTHER_OPERATION_IN_PROGRESS); HOST_NOT_ENOUGH_FREE_MEMORY [vm] when the memory bin-packing (biggest VM
 * first, into the host with the most free memory) leaves it out. Evacuating runs the migrations in batches,
 * each as an `Async.VM.pool_migrate` subtask of the evacuation's task, destroyed once done; the evacuation's
 * progress is the share of VMs moved.
 */
import type { HostRecord, PoolRecord, TaskRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { toXapiError, XapiError } from "./errors";
import { hostFreeMemory, vmFootprint } from "./objects";
import type { SimPool } from "./pool";
import type { CallContext } from "./registry";
import type { StoredObject } from "./store";
import { bootError, poolMigrate } from "./vm-lifecycle";
import { operationError, type Refusal } from "./vm-rules";

type Vm = StoredObject<VmRecord>;

export type EvacuationStep = { migrateTo: string } | { error: Refusal };

/** XAPI's default number of migrations an evacuation runs at once (`evacuation_batch_size`). */
const DEFAULT_BATCH = 10;

/** The guests resident on a host, in its resident_VMs order. */
function residentGuests(pool: SimPool, hostRef: string): Vm[] {
  return pool
    .host(hostRef)
    .rec.resident_VMs.map((ref) => pool.store.getOf<VmRecord>("VM", ref))
    .filter((vm): vm is Vm => vm !== undefined && !vm.rec.is_control_domain);
}

export function evacuationPlan(pool: SimPool, hostRef: string): Map<string, EvacuationStep> {
  const plan = new Map<string, EvacuationStep>();
  const guests = residentGuests(pool, hostRef);
  const targets = pool.hostRefs.filter((ref) => ref !== hostRef && pool.host(ref).rec.enabled);
  if (targets.length === 0) {
    for (const vm of guests) plan.set(vm.ref, { error: ["NO_HOSTS_AVAILABLE", vm.ref] });
    return plan;
  }
  const ha = (pool.pool.rec as PoolRecord).ha_enabled;
  const isProtected = (vm: Vm) => vm.rec.ha_always_run && vm.rec.ha_restart_priority === "restart";
  const movable: Vm[] = [];
  for (const vm of guests) {
    if (ha && !isProtected(vm)) {
      plan.set(vm.ref, { error: ["HOST_EVACUATE_VM_NOT_HA_PROTECTED", vm.ref] });
      continue;
    }
    const blocked = targets.map((target) => bootError(pool, vm, target, { memory: false })).find((e) => e !== undefined);
    if (blocked) plan.set(vm.ref, { error: [blocked.code, ...blocked.params] });
    else movable.push(vm);
  }
  for (const vm of guests) {
    const refusal = operationError(pool, vm, "pool_migrate");
    if (refusal) plan.set(vm.ref, { error: refusal });
  }
  const free = new Map(targets.map((ref) => [ref, hostFreeMemory(pool, ref)]));
  const biggestFirst = [...movable].sort((a, b) => vmFootprint(b.rec) - vmFootprint(a.rec));
  for (const vm of biggestFirst) {
    const [roomiest, room] = [...free].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    const size = vmFootprint(vm.rec);
    if (size > room) {
      if (!plan.has(vm.ref)) plan.set(vm.ref, { error: ["HOST_NOT_ENOUGH_FREE_MEMORY", vm.ref] });
      continue;
    }
    free.set(roomiest, room - size);
    if (!plan.has(vm.ref)) plan.set(vm.ref, { migrateTo: roomiest });
  }
  // Resident order, as the host lists its VMs.
  return new Map(guests.filter((vm) => plan.has(vm.ref)).map((vm) => [vm.ref, plan.get(vm.ref)!]));
}

/** `host.get_vms_which_prevent_evacuation`: VM ref -> [code, ...params]. */
export function vmsPreventingEvacuation(pool: SimPool, hostRef: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [vm, step] of evacuationPlan(pool, hostRef)) if ("error" in step) out[vm] = step.error;
  return out;
}

/**
 * Moves every guest off the host, or fails with the plan's first error before moving any. A cancel stops new
 * migrations from starting; the ones under way finish, so each VM ends up entirely on one host or the other.
 */
export async function evacuateHost(ctx: CallContext, host: StoredObject<HostRecord>, batchSize: number): Promise<void> {
  const { pool } = ctx;
  const plan = evacuationPlan(pool, host.ref);
  for (const step of plan.values()) if ("error" in step) throw new XapiError(step.error[0], step.error.slice(1));
  const moves = [...plan].map(([vm, step]) => [vm, (step as { migrateTo: string }).migrateTo] as const);
  let done = 0;
  let failure: XapiError | undefined;
  const queue = [...moves];
  const worker = async () => {
    while (queue.length > 0 && !failure && !ctx.op.signal.aborted) {
      const [vmRef, target] = queue.shift()!;
      const error = await migrateAsSubtask(ctx, vmRef, target);
      // A VM that stopped meanwhile has nothing left to move (XAPI ignores VM_BAD_POWER_STATE here).
      if (error && error.code !== "VM_BAD_POWER_STATE") failure ??= error;
      done++;
      reportProgress(pool, ctx.op.task, done / moves.length);
    }
  };
  const size = batchSize > 0 ? batchSize : DEFAULT_BATCH;
  await Promise.all(Array.from({ length: Math.min(Math.max(1, Math.abs(size)), moves.length) }, worker));
  if (failure) throw failure;
  if (ctx.op.signal.aborted) throw ctx.op.signal.reason;
  const left = residentGuests(pool, host.ref).length;
  if (left > 0) throw new XapiError("INTERNAL_ERROR", [`evacuate: ${left} VMs are still resident on ${host.ref}`]);
}

/** One migration, run as its own task under the evacuation's; resolves with its error, if any. */
async function migrateAsSubtask(ctx: CallContext, vmRef: string, target: string): Promise<XapiError | undefined> {
  const { pool } = ctx;
  const task = pool.tasks.create("Async.VM.pool_migrate", "", undefined, true, ctx.op.task);
  const op = pool.tasks.operation(task);
  let error: XapiError | undefined;
  try {
    await poolMigrate({ ...ctx, name: "VM.pool_migrate", op, signal: op.signal }, pool.need<VmRecord>("VM", vmRef), target);
    pool.tasks.succeed(task, "");
  } catch (e) {
    error = toXapiError(e);
    pool.tasks.fail(task, error);
  }
  pool.tasks.destroy(task);
  return error;
}

function reportProgress(pool: SimPool, task: StoredObject<TaskRecord> | undefined, progress: number): void {
  if (!task || task.dtime || task.rec.status !== "pending") return;
  const rounded = Math.round(progress * 100) / 100;
  if (rounded > task.rec.progress) pool.store.update(task, { progress: rounded });
}
