"use server";
/**
 * Server actions of the VM page's management operations: public endpoints, so each call authenticates and
 * authorizes on the server, on the VM (or snapshot) as the live cache describes it, and is audited
 * (lib/vm/run-management.ts).
 */
import { getCurrentUser } from "@/lib/auth/current-user";
import { runVmManagement, type VmManagementOutcome } from "@/lib/vm/run-management";

/**
 * One management operation. Input: `{ operation, vm, ... }` (snapshot/clone: `name`; copy: `name`, `sr`;
 * migrate: `host`; edit: `name`, `description`; delete: `confirmName`) or `{ operation, snapshot }` (revert,
 * delete_snapshot).
 */
export async function vmManagementAction(input: unknown): Promise<VmManagementOutcome> {
  return runVmManagement(await getCurrentUser(), input);
}
