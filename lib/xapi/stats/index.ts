/**
 * Performance statistics (RRD) of the pools' hosts and VMs: fetched from each host's `/rrd_updates` over the
 * pool's client, parsed while they arrive, cached per host and shared by every viewer. See pool-stats.ts.
 */
export { poolStatsOf, PoolStatsSource, ARCHIVE_ROWS } from "./pool-stats";
export type { ArchiveSnapshot, ArchiveStep, StatsObject } from "./pool-stats";
export { LIVE_ROWS, LIVE_STEP, LiveTable } from "./live-table";
export type { LiveObject, LiveSnapshot } from "./live-table";
export { parseLegendEntry, parseRrdUpdates, rrdUpdatesSink } from "./rrd-updates-parser";
export type { LegendEntry, RrdUpdates } from "./rrd-updates-parser";
