/**
 * The performance overview of the dashboard and pool pages: the busiest VMs by CPU, memory, network and disk, and
 * each host's usage, from the hosts' live tables (the last 15 seconds). Only what the user may view is ranked or
 * shown: a user who sees one VM sees that VM alone in every top list, and only the hosts they may view.
 *
 * At 10,000 VMs: each host table's figures are computed once per refresh (memoised on its version) and shared by
 * every viewer; a request then filters and picks the top few.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { canViewWholePool, seesNothing } from "@/lib/access/pool-shortcuts";
import { hostSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { visibleVmRows } from "@/lib/inventory/vms";
import type { VmRow } from "@/lib/inventory/vm-query";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import { describeXapiError, type XapiObject } from "@/lib/xapi";
import { poolStatsOf, type LiveSnapshot, type LiveTable } from "@/lib/xapi/stats";
import { memoPerObject, VersionedMemo } from "@/lib/memo";
import { currentHostFigures, currentVmFigures, mapColumns, vmFigurePlan, type VmFigurePlan } from "./charts";
import { TOP_METRIC_IDS, type HostUsageDto, type StatsOverviewDto, type TopMetric, type TopVmDto } from "./types";

type Figures = Record<TopMetric, number>;

/**
 * How long a refresh waits for a host's table: a host that is slow to answer (or a server that has just started and
 * fetches every host's ten minutes) must not hold up the others; it joins at a later refresh.
 */
const HOST_WAIT_MS = 4_000;

/** Per host table, at the table's version (it grows with every row or object the table takes in). */
const figuresMemo = VersionedMemo.weak<LiveTable, Map<string, Figures>>();
/**
 * Per VM of a table (its metrics map), which sources each figure reads, at the number of its sources: a table only
 * ever adds sources to a VM's map, so the same size is the same set.
 */
const plans = VersionedMemo.weak<ReadonlyMap<string, Float32Array>, VmFigurePlan>();

const planOf = (metrics: ReadonlyMap<string, Float32Array>): VmFigurePlan => plans.get(metrics, [metrics.size], () => vmFigurePlan(metrics.keys()));

/** Every VM's figures of a host table, computed once per version of the table. */
function vmFigures(table: LiveTable): Map<string, Figures> {
  return figuresMemo.get(table, [table.version], () => {
    const vms = new Map<string, Figures>();
    for (const object of table.objects.values()) {
      if (object.kind === "vm") vms.set(object.uuid, currentVmFigures(mapColumns(object.metrics, table.rowCount), 3, planOf(object.metrics)));
    }
    return vms;
  });
}

/** The `limit` highest values offered, highest first. */
class TopList {
  readonly items: TopVmDto[] = [];

  constructor(private readonly limit: number) {}

  offer(value: number, make: () => Omit<TopVmDto, "value">): void {
    if (!Number.isFinite(value)) return;
    if (this.items.length === this.limit && value <= this.items[this.limit - 1].value) return;
    const item = { ...make(), value };
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].value < value) i--;
    this.items.splice(i, 0, item);
    if (this.items.length > this.limit) this.items.pop();
  }
}

/** Per list of visible rows (a frozen array, replaced when anything in it changes). */
const uuidsOf = memoPerObject((rows: readonly VmRow[]): ReadonlySet<string> => new Set(rows.map((row) => row.uuid)));

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function hostUsage(view: PoolView, host: XapiObject<"host">, snapshot: LiveSnapshot): HostUsageDto {
  const base = { uuid: host.uuid, name: host.name_label, poolLabel: view.label };
  const object = snapshot.table.object("host", host.uuid);
  if (!object) {
    return {
      ...base,
      cpu: null,
      load: null,
      memoryUsed: null,
      memoryTotal: null,
      networkRx: null,
      networkTx: null,
      message: snapshot.error ? `No answer: ${describeXapiError(snapshot.error)}` : snapshot.pending ? "Loading statistics…" : "No statistics yet",
    };
  }
  const figures = currentHostFigures(mapColumns(object.metrics, snapshot.table.rowCount));
  return {
    ...base,
    cpu: finite(figures.cpu),
    load: finite(figures.load),
    memoryUsed: finite(figures.memoryUsed),
    memoryTotal: finite(figures.memoryTotal),
    networkRx: finite(figures.networkRx),
    networkTx: finite(figures.networkTx),
    message: snapshot.error ? `Last update failed: ${describeXapiError(snapshot.error)}` : null,
  };
}

export interface OverviewOptions {
  /** One registered pool only (its registration id). */
  poolId?: string;
  /** Rows per top list (1-20, default 5). */
  limit?: number;
}

export async function statsOverview(user: CurrentUser, options: OverviewOptions = {}): Promise<StatsOverviewDto> {
  const limit = Math.min(20, Math.max(1, Math.floor(options.limit ?? 5)));
  const top = Object.fromEntries(TOP_METRIC_IDS.map((metric) => [metric, new TopList(limit)])) as Record<TopMetric, TopList>;
  const hosts: HostUsageDto[] = [];
  const views = (await loadPoolViews()).filter(
    (view) => view.connection && view.status.state === "connected" && (!options.poolId || view.id === options.poolId),
  );
  if (!seesNothing(user)) {
    await Promise.all(
      views.map(async (view) => {
        const connection = view.connection!;
        const cache = connection.cache;
        const whole = canViewWholePool(user, view.uuid);
        const visibleHosts = new Set(
          cache
            .list("host")
            .filter((host) => whole || can(user, "host.view", hostSecurable(view.uuid, host)))
            .map((host) => host.$ref),
        );
        // Tables are needed for the hosts the user sees and for those running VMs the user sees.
        const rows = whole ? null : await visibleVmRows(user, [view]);
        const needed = new Set(visibleHosts);
        if (whole) for (const host of cache.list("host")) needed.add(host.$ref);
        else for (const row of rows!) if (row.hostUuid && row.powerState !== "Halted") needed.add(cache.getByUuid("host", row.hostUuid)?.$ref ?? "");
        needed.delete("");
        const visible = rows ? uuidsOf(rows) : null;
        const source = poolStatsOf(connection);
        await Promise.all(
          [...needed].map(async (hostRef) => {
            const host = cache.get("host", hostRef);
            if (!host) return;
            const snapshot = await source.live(hostRef, HOST_WAIT_MS);
            if (visibleHosts.has(hostRef)) hosts.push(hostUsage(view, host, snapshot));
            for (const [uuid, figures] of vmFigures(snapshot.table)) {
              if (visible && !visible.has(uuid)) continue;
              const vm = cache.getByUuid("VM", uuid);
              if (!vm || !isOrdinaryVm(vm)) continue;
              const make = () => ({ uuid, name: vm.name_label, poolLabel: view.label, hostName: host.name_label });
              for (const metric of TOP_METRIC_IDS) top[metric].offer(figures[metric], make);
            }
          }),
        );
      }),
    );
  }
  const byName = (a: HostUsageDto, b: HostUsageDto) => a.poolLabel.localeCompare(b.poolLabel) || a.name.localeCompare(b.name, undefined, { numeric: true });
  return {
    top: Object.fromEntries(TOP_METRIC_IDS.map((metric) => [metric, top[metric].items])) as Record<TopMetric, TopVmDto[]>,
    hosts: hosts.sort(byName),
    updatedAt: Date.now(),
  };
}
