"use server";
/** Server actions of the VM page's management operations (declared in lib/vm/management-actions.ts). */
import { vmManagement } from "@/lib/vm/management-actions";
import { vmPlacement } from "@/lib/vm/placement";

/**
 * One management operation: `{ operation, vm, ... }` (snapshot/clone: `name`; copy: `name`, `sr`; migrate: `host`;
 * edit: `name`, `description`; delete: `confirmName`) or `{ operation, snapshot }` (revert, delete_snapshot).
 */
export const vmManagementAction = vmManagement;

/** Which hosts the VM could move to, and why not the others (asked when the migrate dialog opens): `{ vm }`. */
export const vmPlacementAction = vmPlacement;
