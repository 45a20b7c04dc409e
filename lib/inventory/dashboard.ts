/**
 * The dashboard: counts over what the user may view (pools, hosts, VMs by power state) and the pools that
 * are not connected ("in trouble"). Nothing the user may not view is counted.
 */
import "server-only";
import type { CurrentUser } from "@/lib/auth/session-user";
import { visibleHosts } from "./hosts";
import { loadPoolViews, type PoolStatusDto } from "@/lib/pools/views";
import { visiblePools } from "./pools";
import { POWER_STATES, type PowerState } from "./vm-query";
import { visibleVmRows } from "./vms";

export interface DashboardPool {
  id: string;
  label: string;
  status: PoolStatusDto;
  /** The user may open the pool's page (else they only see some of its objects). */
  viewable: boolean;
  hostCount: number;
  vmCount: number;
  runningVmCount: number;
}

export interface DashboardSummary {
  pools: DashboardPool[];
  connectedPoolCount: number;
  troubledPools: DashboardPool[];
  hostCount: number;
  enabledHostCount: number;
  memoryUsed: number;
  memoryTotal: number;
  vmCount: number;
  vmsByPowerState: Record<PowerState, number>;
}

export async function dashboardSummary(user: CurrentUser): Promise<DashboardSummary> {
  const views = await loadPoolViews();
  const [rows, hosts, viewable] = await Promise.all([visibleVmRows(user, views), visibleHosts(user, views), visiblePools(user, views)]);
  const viewableIds = new Set(viewable.map((pool) => pool.id));
  const vmsByPowerState = Object.fromEntries(POWER_STATES.map((state) => [state, 0])) as Record<PowerState, number>;
  const perPool = new Map<string, { vms: number; running: number; hosts: number }>();
  const counter = (poolId: string) => {
    let entry = perPool.get(poolId);
    if (!entry) perPool.set(poolId, (entry = { vms: 0, running: 0, hosts: 0 }));
    return entry;
  };
  for (const row of rows) {
    vmsByPowerState[row.powerState]++;
    const entry = counter(row.poolId);
    entry.vms++;
    if (row.powerState === "Running") entry.running++;
  }
  for (const host of hosts) counter(host.poolId).hosts++;

  // A pool concerns the user when they may view it or anything in it.
  const pools: DashboardPool[] = views
    .filter((view) => viewableIds.has(view.id) || perPool.has(view.id))
    .map((view) => {
      const counts = perPool.get(view.id) ?? { vms: 0, running: 0, hosts: 0 };
      return {
        id: view.id,
        label: view.label,
        status: view.status,
        viewable: viewableIds.has(view.id),
        hostCount: counts.hosts,
        vmCount: counts.vms,
        runningVmCount: counts.running,
      };
    });
  return {
    pools,
    connectedPoolCount: pools.filter((pool) => pool.status.state === "connected").length,
    troubledPools: pools.filter((pool) => pool.status.state !== "connected"),
    hostCount: hosts.length,
    enabledHostCount: hosts.filter((host) => host.enabled).length,
    memoryUsed: hosts.reduce((sum, host) => sum + host.memoryUsed, 0),
    memoryTotal: hosts.reduce((sum, host) => sum + host.memoryTotal, 0),
    vmCount: rows.length,
    vmsByPowerState,
  };
}
