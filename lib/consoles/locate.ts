/**
 * Finding a console in the pools' live caches (the registry on `globalThis`, no database read): the VM, the
 * object access is decided on, and where its console is served now. Always from the cache, never from what
 * the browser sent beyond the VM's uuid.
 *
 * An ordinary VM's console needs `vm.console` on the VM (operators). A control domain's console is its host's
 * root login prompt: it needs `host.console` on the host (admins). Templates and snapshots have none.
 */
import "server-only";
import type { ObjectAction, Securable } from "@/lib/access/can";
import { hostSecurable, vmSecurable } from "@/lib/access/securables";
import { getPoolRegistry, type PoolConnection } from "@/lib/xapi";
import type { XapiObject } from "@/lib/xapi/cache";
import type { ConsoleProtocol } from "./request";

export interface LocatedConsoleVm {
  connection: PoolConnection;
  /** Registration id of the pool (XenDeck's database), for the audit log. */
  poolId: string;
  vm: XapiObject<"VM">;
  /** The action the user needs, and on what. */
  permission: Extract<ObjectAction, "vm.console" | "host.console">;
  target: Securable;
  /** Seeing the object at all (an object the user may not view answers "not found"). */
  viewPermission: Extract<ObjectAction, "vm.view" | "host.view">;
  /** What the audit log names: the VM (a control domain is named after its host). */
  label: string;
}

/** The VM with this uuid in any connected pool, with what deciding access to its console needs. */
export function locateConsoleVm(vmUuid: string): LocatedConsoleVm | null {
  for (const connection of getPoolRegistry().all()) {
    const vm = connection.cache.getByUuid("VM", vmUuid);
    const poolUuid = connection.poolUuid;
    if (!vm || !poolUuid || vm.is_a_template || vm.is_a_snapshot) continue;
    if (vm.is_control_domain) {
      const host = connection.cache.get("host", vm.resident_on);
      if (!host) return null;
      return {
        connection,
        poolId: connection.id,
        vm,
        permission: "host.console",
        viewPermission: "host.view",
        target: hostSecurable(poolUuid, host),
        label: `${host.name_label} (host console)`,
      };
    }
    return {
      connection,
      poolId: connection.id,
      vm,
      permission: "vm.console",
      viewPermission: "vm.view",
      target: vmSecurable(poolUuid, connection.cache, vm),
      label: vm.name_label,
    };
  }
  return null;
}

/** Where a running VM's console of `protocol` is served: the console record and its resident host's address. */
export interface ConsoleEndpoint {
  consoleUuid: string;
  location: string;
  /** The address of the host the VM runs on (the location must point there). */
  hostAddress: string;
}

/** The console to connect to now, or null when the VM is not running or has no console of that protocol. */
export function consoleEndpoint(connection: PoolConnection, vm: XapiObject<"VM">, protocol: ConsoleProtocol): ConsoleEndpoint | null {
  if (vm.power_state !== "Running") return null;
  const host = connection.cache.get("host", vm.resident_on);
  if (!host?.address) return null;
  for (const ref of vm.consoles) {
    const console = connection.cache.get("console", ref);
    if (console?.protocol === protocol && console.location) return { consoleUuid: console.uuid, location: console.location, hostAddress: host.address };
  }
  return null;
}
