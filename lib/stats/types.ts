/**
 * What the statistics pages and route handlers exchange with the browser: ranges, charts as series of numbers
 * (null where unknown), top-N rows and host usage. Plain data, importable by client components.
 */

export const STATS_RANGES = {
  "10m": { label: "10 minutes", step: 5, live: true },
  "2h": { label: "2 hours", step: 60, live: false },
  "1w": { label: "1 week", step: 3600, live: false },
  "1y": { label: "1 year", step: 86400, live: false },
} as const;

export type StatsRange = keyof typeof STATS_RANGES;

export const STATS_RANGE_IDS = Object.keys(STATS_RANGES) as StatsRange[];

/** The range a query string asks for; the live ten minutes when it names none. */
export function parseStatsRange(value: unknown): StatsRange {
  return typeof value === "string" && Object.hasOwn(STATS_RANGES, value) ? (value as StatsRange) : "10m";
}

/** How values read: fractions shown as percentages, bytes, bytes per second, plain numbers. */
export type ChartUnit = "percent" | "bytes" | "bytesPerSecond" | "number";

export interface SeriesDto {
  label: string;
  /** One per time of the chart; null where the host has no value. */
  values: (number | null)[];
}

export interface ChartDto {
  id: "cpu" | "memory" | "network" | "disk" | "load";
  title: string;
  unit: ChartUnit;
  series: SeriesDto[];
}

/**
 * - `ok`: graphs (possibly with a warning in `message`);
 * - `not-running`: a halted or suspended VM has no statistics;
 * - `waiting`: the VM just started, its first rows are not there yet;
 * - `unavailable`: the pool is not connected or the host does not answer (`message` says which).
 */
export type StatsStatus = "ok" | "not-running" | "waiting" | "unavailable";

export interface ObjectStatsDto {
  range: StatsRange;
  /** Seconds between two rows. */
  step: number;
  status: StatsStatus;
  /** Why there is nothing to show, or why what is shown may be old; in words. */
  message: string | null;
  /** Row times in ms since the epoch, in this server's clock (the host's offset taken off). */
  times: number[];
  charts: ChartDto[];
  /** How far the host's clock is ahead of ours, in seconds, when it is more than a few seconds. */
  clockSkewSeconds: number | null;
}

export const TOP_METRICS = {
  cpu: { title: "CPU", unit: "percent" },
  memory: { title: "memory", unit: "bytes" },
  network: { title: "network", unit: "bytesPerSecond" },
  disk: { title: "disk", unit: "bytesPerSecond" },
} as const satisfies Record<string, { title: string; unit: ChartUnit }>;

export type TopMetric = keyof typeof TOP_METRICS;
export const TOP_METRIC_IDS = Object.keys(TOP_METRICS) as TopMetric[];

export interface TopVmDto {
  uuid: string;
  name: string;
  poolLabel: string;
  hostName: string | null;
  /** In the metric's unit (CPU: fraction of its vCPUs, memory: bytes used, network and disk: bytes/s). */
  value: number;
}

export interface HostUsageDto {
  uuid: string;
  name: string;
  poolLabel: string;
  /** Mean use of its CPUs, 0..1. */
  cpu: number | null;
  load: number | null;
  memoryUsed: number | null;
  memoryTotal: number | null;
  /** Bytes/s received and sent on its physical interfaces. */
  networkRx: number | null;
  networkTx: number | null;
  /** Why it has no figures, in words. */
  message: string | null;
}

export interface StatsOverviewDto {
  top: Record<TopMetric, TopVmDto[]>;
  hosts: HostUsageDto[];
  /** Over the last minutes, as ms since the epoch (this server's clock). */
  updatedAt: number;
}
