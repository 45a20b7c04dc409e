"use server";
/**
 * Server actions of the VM pages: public endpoints, so each one authenticates and authorizes on the server
 * (lib/vm/run-operation.ts does both, per VM, and audits).
 */
import { getCurrentUser } from "@/lib/auth/current-user";
import { runBulkVmOperation, runVmOperation, type BulkVmOperationOutcome, type VmOperationOutcome } from "@/lib/vm/run-operation";

/** One operation on one VM (the VM page's buttons). Input: `{ operation, vm, host? }`. */
export async function vmOperationAction(input: unknown): Promise<VmOperationOutcome> {
  return runVmOperation(await getCurrentUser(), input);
}

/** One operation on the VMs selected in the list, each with its own outcome. Input: `{ operation, vms }`. */
export async function bulkVmOperationAction(input: unknown): Promise<BulkVmOperationOutcome> {
  return runBulkVmOperation(await getCurrentUser(), input);
}
