/**
 * The statistics of one VM or host for its Stats tab: charts over a range (the live ten minutes, or 2 hours, a
 * week, a year), for users who may view the object; any other object answers null (the page then says "not
 * found", so that existence does not leak). The live range reads the host's shared table; longer ones the
 * object's own archive. A host that does not answer gives a message instead of graphs.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { hostSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { locateVm } from "@/lib/pools/locate";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import { describeXapiError, type PoolConnection, type XapiObject } from "@/lib/xapi";
import { parseLegendEntry, poolStatsOf, type LiveSnapshot, type RrdUpdates, type StatsObject } from "@/lib/xapi/stats";
import { hostCharts, mapColumns, vmCharts, type MetricColumns } from "./charts";
import { STATS_RANGES, type ChartDto, type ObjectStatsDto, type StatsRange, type StatsStatus } from "./types";

/** Below this, a host's clock counts as right (the offset is measured to the second). */
const NOTABLE_SKEW_MS = 5_000;

function emptyStats(range: StatsRange, status: StatsStatus, message: string): ObjectStatsDto {
  return { range, step: STATS_RANGES[range].step, status, message, times: [], charts: [], clockSkewSeconds: null };
}

function notAnswering(host: XapiObject<"host">, error: unknown): string {
  return `${host.name_label} does not answer statistics requests: ${describeXapiError(error)}`;
}

function skewOf(offsetMs: number): number | null {
  return Math.abs(offsetMs) >= NOTABLE_SKEW_MS ? Math.round(offsetMs / 1000) : null;
}

/** One object's columns out of an answer about it. */
function columnsOf(updates: RrdUpdates, kind: string, uuid: string): MetricColumns {
  const metrics = new Map<string, Float64Array>();
  const rows = updates.times.length;
  const width = updates.legend.length;
  updates.legend.forEach((legend, c) => {
    const entry = parseLegendEntry(legend);
    if (!entry || entry.kind !== kind || entry.uuid !== uuid) return;
    const values = new Float64Array(rows);
    for (let r = 0; r < rows; r++) values[r] = updates.values[r * width + c];
    metrics.set(entry.metric, values);
  });
  return mapColumns(metrics, rows);
}

/** Row times in our clock, ms. */
function localTimes(hostTimes: ArrayLike<number>, count: number, offsetMs: number): number[] {
  const times = new Array<number>(count);
  for (let i = 0; i < count; i++) times[i] = hostTimes[i] * 1000 - offsetMs;
  return times;
}

interface Target {
  view: PoolView;
  connection: PoolConnection;
  host: XapiObject<"host">;
  object: StatsObject;
  charts: (columns: MetricColumns) => ChartDto[];
  /** What to say while the host has no rows for the object yet. */
  waiting: string;
}

async function statsOf(range: StatsRange, target: Target): Promise<ObjectStatsDto> {
  const { connection, host, object } = target;
  const source = poolStatsOf(connection);
  const kind = object.kind;
  const uuid = object.kind === "vm" ? object.uuid : host.uuid;
  const spec = STATS_RANGES[range];
  if (spec.live) {
    const snapshot: LiveSnapshot = await source.live(host.$ref);
    const { table, offsetMs, error } = snapshot;
    const found = table.object(kind, uuid);
    if (!found) return error ? emptyStats(range, "unavailable", notAnswering(host, error)) : emptyStats(range, "waiting", target.waiting);
    return {
      range,
      step: spec.step,
      status: "ok",
      message: error ? `${notAnswering(host, error)}. The graphs stop at the last statistics received.` : null,
      times: localTimes(table.times, table.rowCount, offsetMs),
      charts: target.charts(mapColumns(found.metrics, table.rowCount)),
      clockSkewSeconds: skewOf(offsetMs),
    };
  }
  try {
    const { updates, offsetMs } = await source.archive(host.$ref, spec.step as 60 | 3600 | 86400, object);
    return {
      range,
      step: updates.step,
      status: "ok",
      message: null,
      times: localTimes(updates.times, updates.times.length, offsetMs),
      charts: target.charts(columnsOf(updates, kind, uuid)),
      clockSkewSeconds: skewOf(offsetMs),
    };
  } catch (error) {
    return emptyStats(range, "unavailable", notAnswering(host, error));
  }
}

function poolTrouble(view: PoolView): string | null {
  if (view.connection && view.status.state === "connected") return null;
  return `The pool ${view.label} is not connected${view.status.reason ? ` (${view.status.reason})` : ""}: statistics cannot be fetched.`;
}

/** A VM's statistics; null when there is no such ordinary VM or the user may not view it. */
export async function vmStats(user: CurrentUser, uuid: string, range: StatsRange): Promise<ObjectStatsDto | null> {
  const located = locateVm(await loadPoolViews(), uuid);
  if (!located || !isOrdinaryVm(located.vm) || !can(user, "vm.view", located.securable)) return null;
  const { view, connection, vm } = located;
  const trouble = poolTrouble(view);
  if (trouble) return emptyStats(range, "unavailable", trouble);
  if (vm.power_state !== "Running" && vm.power_state !== "Paused") {
    return emptyStats(range, "not-running", `${vm.name_label} is ${vm.power_state.toLowerCase()}: hosts keep statistics of running VMs only.`);
  }
  const host = connection.cache.get("host", vm.resident_on);
  if (!host) return emptyStats(range, "waiting", "The host of this VM is not known yet.");
  return statsOf(range, {
    view,
    connection,
    host,
    object: { kind: "vm", uuid: vm.uuid },
    charts: (columns) => vmCharts(columns),
    waiting: "No statistics for this VM yet: its host reports a VM a few seconds after it starts.",
  });
}

/** A host's statistics; null when there is no such host or the user may not view it. */
export async function hostStats(user: CurrentUser, uuid: string, range: StatsRange): Promise<ObjectStatsDto | null> {
  if (typeof uuid !== "string" || uuid.length === 0 || uuid.length > 100) return null;
  for (const view of await loadPoolViews()) {
    const connection = view.connection;
    const host = connection?.cache.getByUuid("host", uuid);
    if (!connection || !host) continue;
    if (!can(user, "host.view", hostSecurable(view.uuid, host))) return null;
    const trouble = poolTrouble(view);
    if (trouble) return emptyStats(range, "unavailable", trouble);
    return statsOf(range, { view, connection, host, object: { kind: "host" }, charts: hostCharts, waiting: "No statistics from this host yet." });
  }
  return null;
}
