/**
 * From a VM's or host's data sources (as xcp-rrdd names them) to the charts the pages draw and the figures the
 * top-N ranks: CPU per vCPU and in total, memory used, network per interface, disk per device; for hosts their
 * average and busiest core, load, memory and physical interfaces. Pure functions over columns of numbers.
 */
import type { ChartDto, SeriesDto, TopMetric } from "./types";

/** A VM's or host's columns: one array of `length` values per data source name. */
export interface MetricColumns {
  length: number;
  get(metric: string): ArrayLike<number> | undefined;
  names(): Iterable<string>;
}

/** Values travel as JSON: five significant digits are what xapi has anyway. */
function round(value: number): number | null {
  return Number.isFinite(value) ? Number(value.toPrecision(5)) : null;
}

function series(label: string, length: number, valueAt: (i: number) => number): SeriesDto {
  const values: (number | null)[] = new Array(length);
  for (let i = 0; i < length; i++) values[i] = round(valueAt(i));
  return { label, values };
}

function column(columns: MetricColumns, metric: string): (i: number) => number {
  const values = columns.get(metric);
  return values ? (i) => values[i] : () => NaN;
}

const byNumber = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** `cpu0`, `cpu1`... in numeric order. */
function cores(columns: MetricColumns): string[] {
  return [...columns.names()].filter((name) => /^cpu\d+$/.test(name)).sort(byNumber);
}

/** Per device (`0`, `xvda`, `eth0`) the two directions of `prefix_<device>_<a|b>`. */
function devices(columns: MetricColumns, prefix: string, directions: readonly [string, string]): string[] {
  const pattern = new RegExp(`^${prefix}_(.+)_(${directions[0]}|${directions[1]})$`);
  const found = new Set<string>();
  for (const name of columns.names()) {
    const match = pattern.exec(name);
    if (match) found.add(match[1]);
  }
  return [...found].sort(byNumber);
}

/** Mean of the finite values at row i, NaN when none. */
function meanAt(getters: ((i: number) => number)[], i: number): number {
  let sum = 0;
  let n = 0;
  for (const get of getters) {
    const v = get(i);
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

function maxAt(getters: ((i: number) => number)[], i: number): number {
  let max = NaN;
  for (const get of getters) {
    const v = get(i);
    if (Number.isFinite(v) && !(v <= max)) max = v;
  }
  return max;
}

/** Charts with at least one series; per-core lines only while they stay readable. */
const MAX_CORE_LINES = 4;

function trafficChart(
  id: ChartDto["id"],
  title: string,
  columns: MetricColumns,
  prefix: string,
  directions: readonly [string, string],
  words: readonly [string, string],
  label: (device: string) => string,
): ChartDto | null {
  const found = devices(columns, prefix, directions);
  if (found.length === 0) return null;
  return {
    id,
    title,
    unit: "bytesPerSecond",
    series: found.flatMap((device) =>
      directions.map((direction, d) => series(`${label(device)} ${words[d]}`, columns.length, column(columns, `${prefix}_${device}_${direction}`))),
    ),
  };
}

export interface VmChartLabels {
  /** A VIF by device number: "VIF 0 (Pool-wide network)". */
  vif?: (device: string) => string;
}

export function vmCharts(columns: MetricColumns, labels: VmChartLabels = {}): ChartDto[] {
  const n = columns.length;
  const cpus = cores(columns);
  const cpuGetters = cpus.map((name) => column(columns, name));
  const charts: (ChartDto | null)[] = [];
  if (cpus.length > 0) {
    const total = series(cpus.length === 1 ? "vCPU 0" : "Total", n, (i) => meanAt(cpuGetters, i));
    const each = cpus.length > 1 && cpus.length <= MAX_CORE_LINES ? cpus.map((name, k) => series(`vCPU ${name.slice(3)}`, n, cpuGetters[k])) : [];
    const busiest = cpus.length > MAX_CORE_LINES ? [series("Busiest vCPU", n, (i) => maxAt(cpuGetters, i))] : [];
    charts.push({ id: "cpu", title: "CPU", unit: "percent", series: [total, ...each, ...busiest] });
  }
  const memory = columns.get("memory");
  if (memory) {
    const free = columns.get("memory_internal_free");
    const used = free
      ? [
          series("Used", n, (i) => {
            const freeBytes = free[i] * 1024;
            return freeBytes <= memory[i] ? memory[i] - freeBytes : NaN;
          }),
        ]
      : [];
    charts.push({ id: "memory", title: "Memory", unit: "bytes", series: [...used, series("Allocated", n, (i) => memory[i])] });
  }
  charts.push(trafficChart("network", "Network", columns, "vif", ["rx", "tx"], ["receive", "send"], labels.vif ?? ((device) => `VIF ${device}`)));
  charts.push(trafficChart("disk", "Disk", columns, "vbd", ["read", "write"], ["read", "write"], (device) => device));
  return charts.filter((chart): chart is ChartDto => chart !== null);
}

export function hostCharts(columns: MetricColumns): ChartDto[] {
  const n = columns.length;
  const cpus = cores(columns);
  const cpuGetters = cpus.map((name) => column(columns, name));
  const charts: (ChartDto | null)[] = [];
  if (cpus.length > 0 || columns.get("cpu_avg")) {
    const average = columns.get("cpu_avg") ? column(columns, "cpu_avg") : (i: number) => meanAt(cpuGetters, i);
    charts.push({
      id: "cpu",
      title: "CPU",
      unit: "percent",
      series: [series("Average", n, average), ...(cpus.length > 1 ? [series("Busiest core", n, (i) => maxAt(cpuGetters, i))] : [])],
    });
  }
  if (columns.get("loadavg")) charts.push({ id: "load", title: "Load", unit: "number", series: [series("Load average", n, column(columns, "loadavg"))] });
  const total = columns.get("memory_total_kib");
  const free = columns.get("memory_free_kib");
  if (total) {
    charts.push({
      id: "memory",
      title: "Memory",
      unit: "bytes",
      series: [...(free ? [series("Used", n, (i) => (total[i] - free[i]) * 1024)] : []), series("Total", n, (i) => total[i] * 1024)],
    });
  }
  charts.push(trafficChart("network", "Network", columns, "pif", ["rx", "tx"], ["receive", "send"], (device) => device));
  return charts.filter((chart): chart is ChartDto => chart !== null);
}

/** Mean of the finite values among the last `rows` rows (what "now" is for a ranking: the last 15 seconds). */
function recent(values: ArrayLike<number> | undefined, length: number, rows: number): number {
  if (!values) return NaN;
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, length - rows); i < length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/** Which of a VM's data sources each figure reads (worked out once per set of names: rankings read 10,000 VMs). */
export interface VmFigurePlan {
  cpus: string[];
  traffic: string[];
  disks: string[];
}

export function vmFigurePlan(names: Iterable<string>): VmFigurePlan {
  const plan: VmFigurePlan = { cpus: [], traffic: [], disks: [] };
  for (const name of names) {
    if (/^cpu\d+$/.test(name)) plan.cpus.push(name);
    else if (name.startsWith("vif_")) plan.traffic.push(name);
    else if (name.startsWith("vbd_")) plan.disks.push(name);
  }
  return plan;
}

/** What a VM ranks by now: CPU (fraction of its vCPUs), memory used (bytes), network and disk (bytes/s). NaN: unknown. */
export function currentVmFigures(columns: MetricColumns, rows = 3, plan: VmFigurePlan = vmFigurePlan(columns.names())): Record<TopMetric, number> {
  const n = columns.length;
  const cpus = plan.cpus;
  let cpuSum = 0;
  let cpuCount = 0;
  for (const name of cpus) {
    const v = recent(columns.get(name), n, rows);
    if (Number.isFinite(v)) {
      cpuSum += v;
      cpuCount++;
    }
  }
  const memory = recent(columns.get("memory"), n, rows);
  const free = recent(columns.get("memory_internal_free"), n, rows) * 1024;
  const total = (names: string[]) => {
    let sum = NaN;
    for (const name of names) {
      const v = recent(columns.get(name), n, rows);
      if (Number.isFinite(v)) sum = (Number.isNaN(sum) ? 0 : sum) + v;
    }
    return sum;
  };
  const network = total(plan.traffic);
  const disk = total(plan.disks);
  return {
    cpu: cpuCount > 0 ? cpuSum / cpuCount : NaN,
    memory: Number.isFinite(free) && free <= memory ? memory - free : memory,
    network,
    disk,
  };
}

/** A host's figures now: mean CPU, load, memory, traffic on its physical interfaces. */
export function currentHostFigures(columns: MetricColumns, rows = 3) {
  const n = columns.length;
  const total = recent(columns.get("memory_total_kib"), n, rows) * 1024;
  const free = recent(columns.get("memory_free_kib"), n, rows) * 1024;
  let networkRx = NaN;
  let networkTx = NaN;
  for (const name of columns.names()) {
    const match = /^pif_.+_(rx|tx)$/.exec(name);
    if (!match) continue;
    const v = recent(columns.get(name), n, rows);
    if (!Number.isFinite(v)) continue;
    if (match[1] === "rx") networkRx = (Number.isNaN(networkRx) ? 0 : networkRx) + v;
    else networkTx = (Number.isNaN(networkTx) ? 0 : networkTx) + v;
  }
  return {
    cpu: recent(columns.get("cpu_avg"), n, rows),
    load: recent(columns.get("loadavg"), n, rows),
    memoryUsed: total - free,
    memoryTotal: total,
    networkRx,
    networkTx,
  };
}

/** Columns of a map of arrays (the live table's metrics, `length` rows of each). */
export function mapColumns(metrics: ReadonlyMap<string, ArrayLike<number>>, length: number): MetricColumns {
  return { length, get: (metric) => metrics.get(metric), names: () => metrics.keys() };
}
