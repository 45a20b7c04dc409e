/**
 * Pool read models: the pools list and the pool page (master, hosts, default SR, status). A user sees a pool
 * when they may view it (`pool.view`); global admins see every registration, disabled ones included.
 */
import "server-only";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { PoolConnection } from "@/lib/xapi";
import { visibleHosts, type HostRow } from "./hosts";
import { loadPoolViews, type PoolStatusDto, type PoolView } from "@/lib/pools/views";
import { poolSecurable, srSecurable } from "@/lib/access/securables";
import { srDto, type SrDto } from "./storage";
import { isOrdinaryVm } from "@/lib/vm/fields";
import { poolIdsOf, visibleVmRows } from "./vms";
import { VersionedMemo } from "@/lib/memo";

export interface PoolSummary {
  id: string;
  label: string;
  uuid: string;
  enabled: boolean;
  readOnly: boolean;
  status: PoolStatusDto;
  stale: boolean;
  /** The pool's own name in XAPI (may differ from XenDeck's label); null before the first sync. */
  xapiName: string | null;
  master: { uuid: string; name: string } | null;
  hostCount: number;
  vmCount: number;
  runningVmCount: number;
  defaultSr: SrDto | null;
}

interface VmCounts {
  vmCount: number;
  runningVmCount: number;
}

/** VM counts per pool connection, counted once per cache version (a pool may hold thousands of VMs). */
const vmCounts = VersionedMemo.weak<PoolConnection, VmCounts>();

function countVms(connection: PoolConnection | undefined): VmCounts {
  if (!connection) return { vmCount: 0, runningVmCount: 0 };
  return vmCounts.get(connection, [connection.cache.version], () => {
    let vmCount = 0;
    let runningVmCount = 0;
    for (const vm of connection.cache.list("VM")) {
      if (!isOrdinaryVm(vm)) continue;
      vmCount++;
      if (vm.power_state === "Running") runningVmCount++;
    }
    return { vmCount, runningVmCount };
  });
}

function summary(view: PoolView): PoolSummary {
  const cache = view.connection?.cache;
  const pool = cache?.pool();
  const master = pool ? cache!.get("host", pool.master) : undefined;
  const defaultSr = pool ? cache!.get("SR", pool.default_SR) : undefined;
  const { vmCount, runningVmCount } = countVms(view.connection);
  return {
    id: view.id,
    label: view.label,
    uuid: view.uuid,
    enabled: view.enabled,
    readOnly: view.readOnly,
    status: view.status,
    stale: view.stale,
    xapiName: pool?.name_label ?? null,
    master: master ? { uuid: master.uuid, name: master.name_label } : null,
    hostCount: cache?.count("host") ?? 0,
    vmCount,
    runningVmCount,
    defaultSr: defaultSr ? srDto(cache!, defaultSr) : null,
  };
}

/** The pools the user may view (pool ACL or global admin), by label. */
export async function visiblePools(user: CurrentUser, views?: PoolView[]): Promise<PoolSummary[]> {
  return (views ?? (await loadPoolViews())).filter((view) => can(user, "pool.view", poolSecurable(view.uuid))).map(summary);
}

/**
 * The pools the user may not open but sees VMs or hosts of (their ACLs name those objects only): the pools list
 * names them, so that "0 pools" does not read as "nothing is connected".
 */
export async function poolsKnownThroughObjects(user: CurrentUser, views?: PoolView[]): Promise<{ id: string; label: string }[]> {
  if (user.isAdmin) return [];
  const pools = views ?? (await loadPoolViews());
  const [rows, hosts] = await Promise.all([visibleVmRows(user, pools), visibleHosts(user, pools)]);
  const seen = new Set([...poolIdsOf(rows), ...hosts.map((host) => host.poolId)]);
  return pools.filter((view) => seen.has(view.id) && !can(user, "pool.view", poolSecurable(view.uuid))).map((view) => ({ id: view.id, label: view.label }));
}

export interface PoolDetail extends PoolSummary {
  description: string;
  haEnabled: boolean;
  hosts: HostRow[];
  storage: SrDto[];
  /** May manage the pool's registration (global admins). */
  canManage: boolean;
}

/** The pool page's data; null when there is no such registration or the user may not view the pool. */
export async function poolDetail(user: CurrentUser, poolId: string): Promise<PoolDetail | null> {
  const views = await loadPoolViews();
  const view = views.find((candidate) => candidate.id === poolId);
  if (!view || !can(user, "pool.view", poolSecurable(view.uuid))) return null;
  const cache = view.connection?.cache;
  const pool = cache?.pool();
  const storage = (cache?.list("SR") ?? [])
    .filter((sr) => sr.content_type !== "iso" || sr.shared)
    .filter((sr) => can(user, "sr.view", srSecurable(view.uuid, sr)))
    .map((sr) => srDto(cache!, sr))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return {
    ...summary(view),
    description: pool?.name_description ?? "",
    haEnabled: pool?.ha_enabled ?? false,
    hosts: await visibleHosts(user, [view]),
    storage,
    canManage: can(user, "pools.register"),
  };
}
