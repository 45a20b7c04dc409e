/**
 * Running VM operations for a user: the server side of the VM page's buttons and of the VM list's bulk
 * actions. Each run: validate the input (zod), find the VM in the live cache, authorize with `can()` on the VM
 * as the cache describes it (never on anything the browser claims), run the `Async.` call on the pool's
 * connection, record the outcome in the audit log (with the task), and answer with a typed result whose error
 * is a sentence (XAPI codes translated). `authorizeVmAction` and `runAudited` are those steps, shared with the
 * management operations (run-vm-management.ts).
 */
import "server-only";
import { z } from "zod";
import { recordAudit, type AuditInput } from "@/lib/audit/record";
import { can, type ObjectAction, type Securable } from "@/lib/access/can";
import { refuseUnlessAllowed } from "@/lib/access/refusal";
import { currentClientAddress } from "@/lib/auth/request-context";
import { pendingAccountStep, type CurrentUser } from "@/lib/auth/session-user";
import { asLocalXapiError } from "@/lib/pools/registry";
import { loadPoolViews } from "@/lib/pools/views";
import { hostSecurable } from "@/lib/access/securables";
import { isOrdinaryVm } from "@/lib/vm/fields";
import { locateVm, type LocatedVm } from "@/lib/inventory/vms";
import { describeXapiError, isXapiError, type CallAsyncOptions, type DescribeContext } from "@/lib/xapi";
import { operationParams, VM_OPERATIONS, vmOperationIdSchema, type VmOperationId } from "./operations";

/** The answer for a VM that does not exist and for one the user may not view: the same, so existence does not leak. */
export const VM_NOT_FOUND = "This VM does not exist, or you do not have access to it.";
export const HOST_NOT_FOUND = "Choose a host of this VM's pool that you have access to.";

/** How long a lifecycle task may run before it is cancelled (a clean shutdown can take minutes). */
const TASK_TIMEOUT_MS = 15 * 60_000;
/** Operations of one bulk request running at the same time (the client allows 8 calls per pool). */
const BULK_CONCURRENCY = 4;
export const MAX_BULK_VMS = 200;

const uuidSchema = z
  .string({ error: "A VM is required" })
  .trim()
  .min(1, "A VM is required")
  .max(100)
  .regex(/^[0-9A-Za-z-]+$/, "Not a uuid");

export const vmOperationInputSchema = z.object({
  operation: vmOperationIdSchema,
  vm: uuidSchema,
  /** For `start_on`: the host's uuid. */
  host: uuidSchema.optional(),
});

export const bulkVmOperationInputSchema = z.object({
  operation: vmOperationIdSchema,
  vms: z
    .array(uuidSchema)
    .min(1, "Select at least one VM")
    .max(MAX_BULK_VMS, `Select at most ${MAX_BULK_VMS} VMs at once`)
    .transform((list) => [...new Set(list)]),
});

export type VmOperationInput = z.input<typeof vmOperationInputSchema>;

export type VmOperationOutcome =
  | { ok: true; operation: VmOperationId; vm: { uuid: string; name: string }; message: string }
  | { ok: false; operation?: VmOperationId; vm: { uuid: string; name: string | null } | null; error: string; code?: string };

export interface BulkVmOperationOutcome {
  ok: boolean;
  /** Input errors only; each VM's outcome is in `results`. */
  error?: string;
  results: VmOperationOutcome[];
}

export interface RunOptions {
  /** Task progress, 0..1. */
  onProgress?: (progress: number) => void;
  signal?: AbortSignal;
}

const firstIssue = (error: z.ZodError) => error.issues[0]?.message ?? "Invalid input";

/** Writes the outcome; an audit failure after the fact is logged, not turned into a failed operation. */
async function audit(entry: AuditInput): Promise<void> {
  try {
    await recordAudit(entry);
  } catch (error) {
    console.error(`[xendeck audit] could not record ${entry.action} on ${entry.object?.uuid}: ${String(error)}`);
  }
}

/* ------------------------------------------------------------------------------------------------------------ */
/* The steps every VM action takes (lifecycle here, management in run-vm-management.ts)                          */
/* ------------------------------------------------------------------------------------------------------------ */

/** The audit fields of an action on one VM (or snapshot) that the user may perform. */
export interface VmAuditContext {
  actor: CurrentUser;
  address: string | null;
  action: ObjectAction;
  object: { kind: "vm"; uuid: string; label: string };
  poolId: string;
  params: Record<string, unknown>;
}

export type VmAuthorization =
  | { ok: true; located: LocatedVm; audit: VmAuditContext }
  /** `vm` is null when the object is unknown or invisible to the user (the answer does not tell which). */
  | { ok: false; vm: { uuid: string; name: string } | null; error: string };

export interface VmAuthorizationRequest {
  /** The object's uuid as the browser sent it. */
  uuid: string;
  permission: ObjectAction;
  /** Parameters for the audit log (what the user asked for). */
  params: Record<string, unknown>;
  /** Which cached VM records qualify (default: ordinary VMs, not templates, snapshots or control domains). */
  accept?: (vm: LocatedVm["vm"]) => boolean;
  /** The answer for an unknown or invisible object. */
  notFound?: string;
}

/**
 * Finds the object in the live cache and checks that `actor` may perform `permission` on it, as the cache
 * describes it (never as the browser does). An unknown object, one that does not qualify and one the user may
 * not view get the same answer; every refusal is audited (the not-found one without the object's name or pool,
 * since users read their own audit entries).
 */
export async function authorizeVmAction(actor: CurrentUser | null, request: VmAuthorizationRequest): Promise<VmAuthorization> {
  const { uuid, permission, params, accept = isOrdinaryVm, notFound = VM_NOT_FOUND } = request;
  const located = locateVm(await loadPoolViews(), uuid);
  const target: Securable = located?.securable ?? { kind: "vm", uuid, poolUuid: "" };
  if (!actor || pendingAccountStep(actor)) {
    const refused = await refuseUnlessAllowed(actor, { action: permission, target }, { object: { kind: "vm", uuid }, params });
    return { ok: false, vm: null, error: refused!.error };
  }
  if (!located || !accept(located.vm) || !can(actor, "vm.view", target)) {
    await audit({
      actor,
      address: await currentClientAddress(),
      action: permission,
      object: { kind: "vm", uuid },
      params,
      outcome: "refused",
      error: { code: "NOT_FOUND", message: notFound },
    });
    return { ok: false, vm: null, error: notFound };
  }
  const object = { kind: "vm" as const, uuid: located.vm.uuid, label: located.vm.name_label };
  const poolId = located.view.id;
  const refused = await refuseUnlessAllowed(actor, { action: permission, target }, { object, poolId, params });
  if (refused) return { ok: false, vm: { uuid: object.uuid, name: object.label }, error: refused.error };
  return { ok: true, located, audit: { actor, address: await currentClientAddress(), action: permission, object, poolId, params } };
}

/** Records a refusal decided after `authorizeVmAction` (a destination the user may not use...). */
export async function auditVmRefusal(context: VmAuditContext, code: string, message: string): Promise<void> {
  await audit({ ...context, outcome: "refused", error: { code, message } });
}

/**
 * Thrown by a run's work once its main step succeeded and a later one failed (a VM deleted, one of its disks
 * left): the outcome says what was done (`done`), then why the rest failed (`cause`, in words).
 */
export class FollowUpError extends Error {
  constructor(
    readonly done: string,
    override readonly cause: unknown,
  ) {
    super(done);
    this.name = "FollowUpError";
  }
}

export type AuditedRun<T> =
  | { ok: true; value: T }
  /** `followUp`: the main step was done (see FollowUpError). */
  | { ok: false; error: string; code: string; followUp: boolean };

/**
 * Runs an action's XAPI calls and audits the outcome with the task (the first `Async.` call's) and the XAPI
 * error code. `work` passes `call` to each `callAsync` (timeout, cancellation, task tracking). Expected failures
 * come back as a sentence (XAPI codes translated, `describe` naming the action and object); nothing throws.
 */
export async function runAudited<T>(
  context: VmAuditContext,
  describe: DescribeContext,
  work: (call: CallAsyncOptions) => Promise<T>,
  options: RunOptions = {},
): Promise<AuditedRun<T>> {
  // The task's uuid (what `xe task-list` shows) once known; its ref from the start, for a task that fails at once.
  let taskUuid: string | undefined;
  let taskRef: string | undefined;
  const call: CallAsyncOptions = {
    timeoutMs: TASK_TIMEOUT_MS,
    signal: options.signal,
    onTask: (ref) => {
      taskRef ??= ref;
    },
    onProgress: (progress, task) => {
      taskUuid ??= task.uuid;
      options.onProgress?.(progress);
    },
  };
  try {
    const value = await work(call);
    await audit({ ...context, outcome: "ok", taskRef: taskUuid ?? taskRef ?? null });
    return { ok: true, value };
  } catch (thrown) {
    const followUp = thrown instanceof FollowUpError;
    const error = asLocalXapiError(followUp ? thrown.cause : thrown);
    const described = describeXapiError(error, describe);
    const message = followUp ? `${thrown.done}: ${described}` : described;
    const code = isXapiError(error) ? error.code : "XENDECK_INTERNAL_ERROR";
    if (!isXapiError(error)) console.error(`[xendeck] ${context.action} on ${context.object.uuid} failed unexpectedly`, error);
    await audit({ ...context, outcome: "error", error: { code, message }, taskRef: taskUuid ?? taskRef ?? null });
    return { ok: false, error: message, code, followUp };
  }
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Lifecycle operations                                                                                          */
/* ------------------------------------------------------------------------------------------------------------ */

/** Runs one operation on one VM for `actor`. Never throws for expected failures (see the outcome's `error`). */
export async function runVmOperation(actor: CurrentUser | null, input: unknown, options: RunOptions = {}): Promise<VmOperationOutcome> {
  const parsed = vmOperationInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, vm: null, error: firstIssue(parsed.error) };
  const { operation, vm: vmUuid, host: hostUuid } = parsed.data;
  const spec = VM_OPERATIONS[operation];
  const params = { operation, ...(hostUuid ? { host: hostUuid } : {}) };

  const authorized = await authorizeVmAction(actor, { uuid: vmUuid, permission: spec.permission, params });
  if (!authorized.ok) return { ok: false, operation, vm: authorized.vm, error: authorized.error };
  const { located, audit: context } = authorized;
  const { vm, connection, view } = located;
  const vmRef = { uuid: vm.uuid, name: vm.name_label };

  let hostRef: string | undefined;
  if (spec.needsHost) {
    const host = hostUuid ? connection.cache.getByUuid("host", hostUuid) : undefined;
    if (!host || !can(context.actor, "host.view", hostSecurable(view.uuid, host))) {
      await auditVmRefusal(context, "HOST_NOT_FOUND", HOST_NOT_FOUND);
      return { ok: false, operation, vm: vmRef, error: HOST_NOT_FOUND };
    }
    hostRef = host.$ref;
  }
  const run = await runAudited(
    context,
    { action: spec.verb, objectName: vm.name_label },
    (call) => connection.callAsync(spec.method, operationParams(operation, vm.$ref, hostRef), call),
    options,
  );
  return run.ok
    ? { ok: true, operation, vm: vmRef, message: `${vm.name_label} ${spec.past}` }
    : { ok: false, operation, vm: vmRef, error: run.error, code: run.code };
}

/** Runs one operation on several VMs, each with its own authorization, audit entry and outcome (in input order). */
export async function runBulkVmOperation(actor: CurrentUser | null, input: unknown): Promise<BulkVmOperationOutcome> {
  const parsed = bulkVmOperationInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error), results: [] };
  const { operation, vms } = parsed.data;
  const results: VmOperationOutcome[] = new Array(vms.length);
  let next = 0;
  const worker = async () => {
    while (next < vms.length) {
      const index = next++;
      results[index] = await runVmOperation(actor, { operation, vm: vms[index] });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, vms.length) }, worker));
  return { ok: results.every((result) => result.ok), results };
}
