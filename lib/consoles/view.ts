/**
 * What a console page needs to know, for the signed-in user: whose console it is, whether the user may open
 * it, whether there is one right now (the VM runs), and the pool (live updates, banners). Null when the user
 * may not even see the object, so the page answers 404 as every object page does.
 */
import "server-only";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import { loadPoolViews, type PoolStatusDto } from "@/lib/pools/views";
import { getPoolRegistry } from "@/lib/xapi";
import { locateConsoleVm } from "./locate";

export interface ConsolePageView {
  /** The uuid the console endpoint takes: the VM's, or the host's control domain's. */
  consoleUuid: string;
  kind: "vm" | "host";
  /** The VM's name, or the host's. */
  name: string;
  /** The host's uuid, for a host console (links back to its page). */
  hostUuid: string | null;
  running: boolean;
  allowed: boolean;
  pool: { id: string; label: string; status: PoolStatusDto };
  /** Uuids whose changes concern the page (the live subscriber watches them). */
  watch: string[];
}

async function poolOf(poolId: string): Promise<ConsolePageView["pool"] | null> {
  const view = (await loadPoolViews()).find((candidate) => candidate.id === poolId);
  return view ? { id: view.id, label: view.label, status: view.status } : null;
}

/** The console of a VM (ordinary VM or control domain) by its uuid. */
export async function consolePageView(user: CurrentUser, vmUuid: string): Promise<ConsolePageView | null> {
  const located = locateConsoleVm(vmUuid);
  if (!located || !can(user, located.viewPermission, located.target)) return null;
  const pool = await poolOf(located.poolId);
  if (!pool) return null;
  const host = located.connection.cache.get("host", located.vm.resident_on);
  const isHost = located.permission === "host.console";
  return {
    consoleUuid: located.vm.uuid,
    kind: isHost ? "host" : "vm",
    name: isHost ? (host?.name_label ?? located.label) : located.vm.name_label,
    hostUuid: isHost ? (host?.uuid ?? null) : null,
    running: located.vm.power_state === "Running",
    allowed: can(user, located.permission, located.target) && !user.mustChangePassword,
    pool,
    watch: [located.vm.uuid, ...(host ? [host.uuid] : [])],
  };
}

/** The console of a host (its control domain's), by the host's uuid. */
export async function hostConsolePageView(user: CurrentUser, hostUuid: string): Promise<ConsolePageView | null> {
  for (const connection of getPoolRegistry().all()) {
    const host = connection.cache.getByUuid("host", hostUuid);
    const controlDomain = host && connection.cache.get("VM", host.control_domain);
    if (controlDomain) return consolePageView(user, controlDomain.uuid);
  }
  return null;
}
