"use server";
/** Server action of the New VM page (declared in lib/vm/create/actions.ts). */
import { createVm } from "@/lib/vm/create/actions";

/** A VM from a template: `{ template, name, vcpus, memory, disks, interfaces, boot, iso, affinity, start, cloudInit?, progressId? }`. */
export const createVmAction = createVm;
