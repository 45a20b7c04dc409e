/**
 * The VM lifecycle actions (start, start on, shut down, reboot, suspend, resume, pause, unpause): one VM from its
 * page, or several from the list, each VM authorized and audited on its own; in a bulk run, a VM the operation
 * does not apply to now (a running VM asked to start) is skipped with the reason, and nothing is sent for it. The `Async.` call runs on the pool's
 * connection; its task is named in the audit entry. The page follows the VM's new state through the live stream.
 */
import "server-only";
import { z } from "zod";
import { can } from "@/lib/access/can";
import { hostSecurable } from "@/lib/access/securables";
import { refNamer } from "@/lib/pools/names";
import { defineAction, runAction } from "@/lib/actions/define";
import { failure, refusal, type ActionResult } from "@/lib/result";
import type { CurrentUser } from "@/lib/auth/session-user";
import { locateVmFor, VM_NOT_FOUND } from "./locate";
import { operationParams, unavailableReason, VM_OPERATIONS, vmOperationContext, vmOperationIdSchema, type VmOperationId } from "./operations";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const HOST_NOT_FOUND = "Choose a host of this VM's pool that you have access to.";
/** Operations of one bulk request running at the same time (the client allows 8 calls per pool). */
const BULK_CONCURRENCY = 4;
export const MAX_BULK_VMS = 200;

export const uuidSchema = objectUuidSchema("A VM");

export const vmOperationInputSchema = z.object({
  operation: vmOperationIdSchema,
  vm: uuidSchema,
  /** For `start_on`: the host's uuid. */
  host: uuidSchema.optional(),
});

export type VmOperationInput = z.input<typeof vmOperationInputSchema>;
export type VmOperationResult = ActionResult<{ operation: VmOperationId; vm: { uuid: string; name: string }; message: string }>;

export const vmOperation = defineAction({
  name: "vm.operation",
  input: vmOperationInputSchema,
  authorize: {
    action: (input) => VM_OPERATIONS[input.operation].permission,
    locate: (input) => locateVmFor(input.vm),
    notFound: VM_NOT_FOUND,
    requestedUuid: (input) => input.vm,
  },
  auditParams: ({ operation, host }) => ({ operation, ...(host ? { host } : {}) }),
  describe: ({ input, target }) => ({
    action: VM_OPERATIONS[input.operation].verb,
    objectName: target.vm.name_label,
    nameOf: refNamer(target.connection.cache),
  }),
  async run({ actor, input, target, task }) {
    const spec = VM_OPERATIONS[input.operation];
    const { vm, connection, view } = target;
    let hostRef: string | undefined;
    if (spec.needsHost) {
      const host = input.host ? connection.cache.getByUuid("host", input.host) : undefined;
      if (!host || !can(actor, "host.view", hostSecurable(view.uuid, host))) return refusal("HOST_NOT_FOUND", HOST_NOT_FOUND);
      hostRef = host.$ref;
    }
    await connection.callAsync(spec.method, operationParams(input.operation, vm.$ref, hostRef), task);
    return { ok: true, operation: input.operation, vm: { uuid: vm.uuid, name: vm.name_label }, message: `${vm.name_label} ${spec.past}` };
  },
});

/** The VM's name if `actor` may view it (a failed item is named only then). */
async function visibleName(actor: CurrentUser, uuid: string): Promise<string | null> {
  const located = await locateVmFor(uuid);
  return located && can(actor, "vm.view", located.securable) ? located.value.vm.name_label : null;
}

/** The code of a bulk item that was not attempted because the operation does not apply to the VM now. */
export const NOT_APPLICABLE = "NOT_APPLICABLE";

/**
 * Why `operation` does not apply to the VM now (it is already running, its pool is read-only...), when the
 * user may perform it there; null otherwise. Such a VM is skipped: nothing is sent, so nothing is audited. A VM
 * the user may not act on is not skipped: the operation's own refusal (audited) is its answer.
 */
async function skipReason(actor: CurrentUser, operation: VmOperationId, uuid: string): Promise<string | null> {
  const located = await locateVmFor(uuid);
  if (!located || !can(actor, VM_OPERATIONS[operation].permission, located.securable)) return null;
  return unavailableReason(operation, vmOperationContext(located.value.vm, located.value.view));
}

/** One VM's outcome in a bulk run: its name is known only when the user may see it. */
export interface BulkItemOutcome {
  vm: { uuid: string; name: string | null };
  result: VmOperationResult;
  /** The operation did not apply to this VM: nothing was sent (`result` says why, with code NOT_APPLICABLE). */
  skipped?: boolean;
}

export const bulkVmOperation = defineAction({
  name: "vm.bulk-operation",
  input: z.object({
    operation: vmOperationIdSchema,
    vms: z
      .array(uuidSchema)
      .min(1, "Select at least one VM")
      .max(MAX_BULK_VMS, `Select at most ${MAX_BULK_VMS} VMs at once`)
      .transform((list) => [...new Set(list)]),
  }),
  authorize: { each: "vm.bulk-operation" },
  async run({ actor, input }): Promise<ActionResult<{ results: BulkItemOutcome[] }>> {
    const results: BulkItemOutcome[] = new Array(input.vms.length);
    let next = 0;
    const worker = async () => {
      while (next < input.vms.length) {
        const index = next++;
        const uuid = input.vms[index]!;
        const skipped = await skipReason(actor, input.operation, uuid);
        if (skipped) {
          results[index] = { vm: { uuid, name: await visibleName(actor, uuid) }, result: failure(skipped, undefined, NOT_APPLICABLE), skipped: true };
          continue;
        }
        const result = await runAction(vmOperation, { actor, input: { operation: input.operation, vm: uuid } });
        results[index] = { vm: { uuid, name: result.ok ? result.vm.name : await visibleName(actor, uuid) }, result };
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, input.vms.length) }, worker));
    return { ok: true, results };
  },
});
