"use server";
/** Server actions of the host page's maintenance and power controls (declared in lib/hosts/actions.ts). */
import { hostEvacuationCheck, hostMaintenance, hostPower } from "@/lib/hosts/actions";

/** `{ host, operation: "enable" | "disable" | "enter" | "exit", force? }`. */
export const hostMaintenanceAction = hostMaintenance;

/** `{ host, operation: "reboot" | "shutdown" }`. */
export const hostPowerAction = hostPower;

/** The maintenance pre-flight: which VMs could not leave the host, and why: `{ host }`. */
export const hostEvacuationCheckAction = hostEvacuationCheck;
