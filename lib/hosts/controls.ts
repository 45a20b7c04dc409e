/**
 * The host page's maintenance and power controls: which the user may use (admins of the host), and why XAPI
 * would refuse each now (from the host's state and `allowed_operations`), so buttons are disabled with a reason
 * instead of failing.
 */
import "server-only";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import { locateHost } from "@/lib/pools/locate";
import { loadPoolViews } from "@/lib/pools/views";
import { hostActivity, inMaintenanceMode } from "./host-state";

export interface HostControlsView {
  uuid: string;
  name: string;
  enabled: boolean;
  live: boolean;
  maintenance: boolean;
  isMaster: boolean;
  activity: string | null;
  /** Guests running on it (control domain left out). */
  residentVms: number;
  /** Null: the user may not (the buttons are not shown). */
  maintenanceControls: { enterUnavailableReason: string | null; exitUnavailableReason: string | null } | null;
  powerControls: { rebootUnavailableReason: string | null; shutdownUnavailableReason: string | null } | null;
  /** The pool is read-only, or not connected: nothing can be sent. */
  readOnly: boolean;
}

/** The controls of the host page; null when the host is unknown or invisible to the user. */
export async function hostControls(user: CurrentUser, uuid: string): Promise<HostControlsView | null> {
  const located = locateHost(await loadPoolViews(), uuid);
  if (!located) return null;
  const { view, connection, host, securable } = located;
  const cache = connection.cache;
  if (!can(user, "host.view", securable)) return null;
  const live = cache.get("host_metrics", host.metrics)?.live ?? false;
  const activity = hostActivity(cache, host);
  const busy = activity ? `The host is busy (${activity.toLowerCase()})` : null;
  const offline = !live ? "The host is not live" : null;
  const readOnly = view.readOnly || view.stale;
  const blocked = view.readOnly ? "The pool is registered read-only" : view.stale ? "The pool is not connected" : null;
  const powerReason = (operation: "reboot" | "shutdown") =>
    blocked ??
    offline ??
    busy ??
    (host.enabled ? "Disable the host first (enter maintenance mode)" : !host.allowed_operations.includes(operation) ? "XAPI does not allow it now" : null);
  return {
    uuid: host.uuid,
    name: host.name_label,
    enabled: host.enabled,
    live,
    maintenance: inMaintenanceMode(host),
    isMaster: cache.pool()?.master === host.$ref,
    activity,
    residentVms: cache.vmsByHost(host.$ref).filter((vm) => !vm.is_control_domain).length,
    maintenanceControls: can(user, "host.maintenance", securable)
      ? {
          enterUnavailableReason: blocked ?? offline ?? busy ?? (host.enabled ? null : "The host is already disabled"),
          exitUnavailableReason: blocked ?? offline ?? busy ?? (host.enabled ? "The host is enabled" : null),
        }
      : null,
    powerControls: can(user, "host.power", securable)
      ? { rebootUnavailableReason: powerReason("reboot"), shutdownUnavailableReason: powerReason("shutdown") }
      : null,
    readOnly,
  };
}
