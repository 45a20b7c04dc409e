/**
 * The registered pools as the read models see them: each registration (database) joined with its live
 * connection (registry), its XAPI uuid and its status. Loaded once per request.
 */
import "server-only";
import { cache } from "react";
import { getDb } from "@/lib/db/client";
import { getPoolRegistry, type PoolConnection, type PoolConnectionState } from "@/lib/xapi";

/** A pool's connection status, safe to send to a browser (the reason is already in words, without secrets). */
export interface PoolStatusDto {
  state: PoolConnectionState;
  /** ISO time the state began. */
  since: string | null;
  reason: string | null;
  /** ISO time the cache was last known to be current. */
  lastSyncAt: string | null;
}

export interface PoolView {
  /** Registration id (XenDeck's database). */
  id: string;
  label: string;
  /** The pool's XAPI uuid: from the live cache once synced, else as recorded at registration. */
  uuid: string;
  enabled: boolean;
  readOnly: boolean;
  /** Undefined for a disabled pool, or one registered a moment ago (the registry connects it shortly). */
  connection: PoolConnection | undefined;
  status: PoolStatusDto;
  /** Its objects are the last known state, not the current one. */
  stale: boolean;
}

const DISABLED_REASON = "Disabled by an administrator";

export function statusOf(connection: PoolConnection | undefined, enabled: boolean): PoolStatusDto {
  if (!enabled) return { state: "disconnected", since: null, reason: DISABLED_REASON, lastSyncAt: null };
  if (!connection) return { state: "connecting", since: null, reason: null, lastSyncAt: null };
  const status = connection.status;
  return {
    state: status.state,
    since: status.since.toISOString(),
    reason: status.error?.message ?? null,
    lastSyncAt: status.lastSyncAt?.toISOString() ?? null,
  };
}

/** Every registered pool, by label (system view: callers filter with `can`). Memoised per request. */
export const loadPoolViews = cache(async (): Promise<PoolView[]> => {
  const registrations = await getDb().pool.findMany({
    select: { id: true, label: true, xapiPoolUuid: true, enabled: true, readOnly: true },
    orderBy: { label: "asc" },
  });
  const registry = getPoolRegistry();
  return registrations.map((registration) => {
    const connection = registration.enabled ? registry.get(registration.id) : undefined;
    const status = statusOf(connection, registration.enabled);
    return {
      id: registration.id,
      label: registration.label,
      uuid: connection?.poolUuid ?? registration.xapiPoolUuid,
      enabled: registration.enabled,
      readOnly: registration.readOnly,
      connection,
      status,
      stale: status.state !== "connected",
    };
  });
});

/** The enabled pools among `poolIds` that are not connected: the banners of a page showing their objects. */
export function troubledPools(views: readonly PoolView[], poolIds: Iterable<string>): PoolView[] {
  const wanted = new Set(poolIds);
  return views.filter((view) => wanted.has(view.id) && view.enabled && view.status.state !== "connected");
}
