/**
 * Running VM lifecycle operations for a user: the server side of the VM page's buttons and of the VM list's
 * bulk actions. Each run: validate the input (zod), find the VM in the live cache, authorize with `can()` on
 * the VM as the cache describes it (never on anything the browser claims), run the `Async.` call on the
 * pool's connection, record the outcome in the audit log (with the task), and answer with a typed result
 * whose error is a sentence (XAPI codes translated).
 */
import "server-only";
import { z } from "zod";
import { recordAudit, type AuditInput } from "@/lib/audit/record";
import { can, type Securable } from "@/lib/auth/can";
import { refuseUnlessAllowed } from "@/lib/auth/refusal";
import { currentClientAddress } from "@/lib/auth/request-context";
import type { CurrentUser } from "@/lib/auth/session-user";
import { asLocalXapiError } from "@/lib/inventory/pool-registry";
import { loadPoolViews } from "@/lib/inventory/pool-views";
import { hostSecurable } from "@/lib/inventory/securables";
import { isOrdinaryVm } from "@/lib/inventory/vm-fields";
import { locateVm, type LocatedVm } from "@/lib/inventory/vms";
import { describeXapiError, isXapiError } from "@/lib/xapi";
import { operationParams, VM_OPERATIONS, vmOperationIdSchema, type VmOperationId } from "./vm-operations";

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

/** Runs one operation on one VM for `actor`. Never throws for expected failures (see the outcome's `error`). */
export async function runVmOperation(actor: CurrentUser | null, input: unknown, options: RunOptions = {}): Promise<VmOperationOutcome> {
  const parsed = vmOperationInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, vm: null, error: firstIssue(parsed.error) };
  const { operation, vm: vmUuid, host: hostUuid } = parsed.data;
  const spec = VM_OPERATIONS[operation];
  const params = { operation, ...(hostUuid ? { host: hostUuid } : {}) };

  const located = locateVm(await loadPoolViews(), vmUuid);
  const target: Securable = located?.securable ?? { kind: "vm", uuid: vmUuid, poolUuid: "" };
  if (!actor || actor.mustChangePassword) {
    const refused = await refuseUnlessAllowed(actor, { action: spec.permission, target }, { object: { kind: "vm", uuid: vmUuid }, params });
    return { ok: false, operation, vm: null, error: refused!.error };
  }
  // Unknown, not an ordinary VM, or not visible to the user: one answer. The refusal is audited without the
  // VM's name or pool, since users read their own audit entries.
  if (!located || !isOrdinaryVm(located.vm) || !can(actor, "vm.view", target)) {
    await audit({ actor, address: await currentClientAddress(), action: spec.permission, object: { kind: "vm", uuid: vmUuid }, params, outcome: "refused", error: { code: "NOT_FOUND", message: VM_NOT_FOUND } });
    return { ok: false, operation, vm: null, error: VM_NOT_FOUND };
  }
  const object = { kind: "vm", uuid: vmUuid, label: located.vm.name_label };
  const poolId = located.view.id;
  const vmRef = { uuid: located.vm.uuid, name: located.vm.name_label };
  const refused = await refuseUnlessAllowed(actor, { action: spec.permission, target }, { object, poolId, params });
  if (refused) return { ok: false, operation, vm: vmRef, error: refused.error };

  let hostRef: string | undefined;
  if (spec.needsHost) {
    const host = hostUuid ? located.connection.cache.getByUuid("host", hostUuid) : undefined;
    if (!host || !can(actor, "host.view", hostSecurable(located.view.uuid, host))) {
      await audit({ actor, address: await currentClientAddress(), action: spec.permission, object, poolId, params, outcome: "refused", error: { code: "HOST_NOT_FOUND", message: HOST_NOT_FOUND } });
      return { ok: false, operation, vm: vmRef, error: HOST_NOT_FOUND };
    }
    hostRef = host.$ref;
  }
  return execute(actor, located, operation, hostRef, params, options);
}

async function execute(
  actor: CurrentUser,
  located: LocatedVm,
  operation: VmOperationId,
  hostRef: string | undefined,
  params: Record<string, unknown>,
  options: RunOptions,
): Promise<VmOperationOutcome> {
  const spec = VM_OPERATIONS[operation];
  const { vm, connection, view } = located;
  const vmRef = { uuid: vm.uuid, name: vm.name_label };
  const entry = { actor, address: await currentClientAddress(), action: spec.permission, object: { kind: "vm", uuid: vm.uuid, label: vm.name_label }, poolId: view.id, params };
  let taskUuid: string | undefined;
  try {
    await connection.callAsync(spec.method, operationParams(operation, vm.$ref, hostRef), {
      timeoutMs: TASK_TIMEOUT_MS,
      signal: options.signal,
      onProgress: (progress, task) => {
        taskUuid ??= task.uuid;
        options.onProgress?.(progress);
      },
    });
    await audit({ ...entry, outcome: "ok", taskRef: taskUuid ?? null });
    return { ok: true, operation, vm: vmRef, message: `${vm.name_label} ${spec.past}` };
  } catch (thrown) {
    const error = asLocalXapiError(thrown);
    const message = describeXapiError(error, { action: spec.verb, objectName: vm.name_label });
    const code = isXapiError(error) ? error.code : "XENDECK_INTERNAL_ERROR";
    if (!isXapiError(error)) console.error(`[xendeck] ${spec.method} on ${vm.uuid} failed unexpectedly`, error);
    await audit({ ...entry, outcome: "error", error: { code, message }, taskRef: taskUuid ?? null });
    return { ok: false, operation, vm: vmRef, error: message, code };
  }
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
