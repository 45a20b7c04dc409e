/**
 * A host's state as the pages show it: enabled, disabled, in maintenance mode (XenCenter's mark), and what it is
 * doing now (evacuating, rebooting, shutting down), read from its `current_operations` and their tasks. Pure.
 */
import type { PoolCache, XapiObject } from "@/lib/xapi/cache";

export const MAINTENANCE_MODE_KEY = "MAINTENANCE_MODE";

export function inMaintenanceMode(host: XapiObject<"host">): boolean {
  return !host.enabled && host.other_config[MAINTENANCE_MODE_KEY] === "true";
}

const ACTIVITY: Record<string, string> = {
  evacuate: "Evacuating",
  reboot: "Rebooting",
  shutdown: "Going down",
  apply_updates: "Applying updates",
  provision: "Creating a VM",
  vm_start: "Starting a VM",
  vm_resume: "Resuming a VM",
  vm_migrate: "Receiving a VM",
};

/** What the host is doing, in words ("Rebooting"); null when nothing notable. */
export function hostActivity(cache: PoolCache, host: XapiObject<"host">): string | null {
  const operations = Object.entries(host.current_operations);
  // Going away matters most: XAPI names a reboot as `shutdown`, its task says which ("Host is rebooting").
  const down = operations.find(([, operation]) => operation === "shutdown" || operation === "reboot");
  if (down) {
    const label = cache.get("task", down[0])?.name_label ?? "";
    if (/reboot/i.test(label)) return "Rebooting";
    if (/shut/i.test(label)) return "Shutting down";
    return ACTIVITY[down[1]] ?? null;
  }
  const evacuating = operations.find(([, operation]) => operation === "evacuate");
  if (evacuating) return ACTIVITY.evacuate!;
  const other = operations.map(([, operation]) => ACTIVITY[operation]).find((words) => words !== undefined);
  return other ?? null;
}
