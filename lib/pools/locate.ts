/**
 * Finding an object of a registered pool by uuid in the live caches, with what access decisions need (its
 * securable). No access check here: callers decide with `can` (read models, the action pipeline).
 */
import "server-only";
import type { Securable } from "@/lib/access/can";
import { hostSecurable, vmSecurable } from "@/lib/access/securables";
import type { PoolConnection, XapiObject } from "@/lib/xapi";
import type { PoolView } from "./views";

export interface LocatedVm {
  view: PoolView;
  connection: PoolConnection;
  vm: XapiObject<"VM">;
  securable: Securable;
}

/** A VM (or template, snapshot, control domain) by uuid in any registered pool's cache; no access check. */
export function locateVm(views: PoolView[], uuid: string): LocatedVm | null {
  if (typeof uuid !== "string" || uuid.length === 0 || uuid.length > 100) return null;
  for (const view of views) {
    const connection = view.connection;
    const vm = connection?.cache.getByUuid("VM", uuid);
    if (connection && vm) return { view, connection, vm, securable: vmSecurable(view.uuid, connection.cache, vm) };
  }
  return null;
}

export interface LocatedHost {
  view: PoolView;
  connection: PoolConnection;
  host: XapiObject<"host">;
  securable: Securable;
}

/** A host by uuid in any registered pool's cache; no access check. */
export function locateHost(views: PoolView[], uuid: string): LocatedHost | null {
  if (typeof uuid !== "string" || uuid.length === 0 || uuid.length > 100) return null;
  for (const view of views) {
    const connection = view.connection;
    const host = connection?.cache.getByUuid("host", uuid);
    if (connection && host) return { view, connection, host, securable: hostSecurable(view.uuid, host) };
  }
  return null;
}
