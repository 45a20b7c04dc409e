"use server";
/** Server action of the VM page's Hardware tab (declared in lib/vm/hardware-actions.ts). */
import { vmHardware } from "@/lib/vm/hardware-actions";

/** One edit: `{ operation, vm, ... }` (resources, disk.*, cd.*, vif.*, tags.*; see lib/vm/hardware.ts). */
export const vmHardwareAction = vmHardware;
