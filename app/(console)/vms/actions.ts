"use server";
/** Server actions of the VM list and page's lifecycle buttons (declared in lib/vm/lifecycle-actions.ts). */
import { bulkVmOperation, vmOperation } from "@/lib/vm/lifecycle-actions";

/** One operation on one VM: `{ operation, vm, host? }`. */
export const vmOperationAction = vmOperation;

/** One operation on the VMs selected in the list, each with its own outcome: `{ operation, vms }`. */
export const bulkVmOperationAction = bulkVmOperation;
