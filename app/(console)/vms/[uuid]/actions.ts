"use server";
/** Server actions of the VM page's management operations (declared in lib/vm/management-actions.ts). */
import { vmManagement } from "@/lib/vm/management-actions";

/**
 * One management operation: `{ operation, vm, ... }` (snapshot/clone: `name`; copy: `name`, `sr`; migrate: `host`;
 * edit: `name`, `description`; delete: `confirmName`) or `{ operation, snapshot }` (revert, delete_snapshot).
 */
export const vmManagementAction = vmManagement;
