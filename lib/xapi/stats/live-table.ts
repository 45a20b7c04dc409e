/**
 * The last ten minutes of one host's 5-second statistics: its own data sources and those of every VM running
 * on it, as one table shared by every viewer (VM and host pages, the top-N of the dashboard). It is kept current
 * incrementally: the first fetch takes the whole window, later ones only the rows since the last one (a few KB
 * instead of megabytes on a host with hundreds of VMs); a VM that appears on the host (started, migrated here)
 * gets its history in a small request of its own. At most one request per host is in flight, and none while
 * the next row is not due.
 *
 * Values are kept as 32-bit floats (xapi writes five significant digits), times in the host's clock.
 */
import { XapiProtocolError } from "../errors";
import { parseLegendEntry, type RrdUpdates } from "./rrd-updates-parser";

export const LIVE_STEP = 5;
export const LIVE_ROWS = 120;
/** The host writes a row a moment after its end: do not ask before. */
const ROW_GRACE_S = 1.5;
/** Never more often than this per host, whatever the readers. */
const MIN_INTERVAL_MS = 2_000;
/** After a failure, readers get the error (and the old rows) for this long before a new attempt. */
const RETRY_MS = 5_000;
/** More new VMs than this at once: fetch the whole window again rather than one request per VM. */
const MAX_BACKFILLS = 8;

export interface LiveObject {
  kind: string;
  uuid: string;
  /** Metric name → values, `rowCount` of them valid (oldest first). */
  readonly metrics: Map<string, Float32Array>;
}

/** The rows, columnar: `times[i]` and each metric's `[i]` for i < rowCount. */
export class LiveTable {
  readonly times = new Float64Array(LIVE_ROWS);
  rowCount = 0;
  readonly objects = new Map<string, LiveObject>();
  /** Grows at every change (for read models that memoise on it). */
  version = 0;
  /**
   * The legend of the last answer and, per column, the array it went to: a host's answers repeat the same legend
   * (thousands of entries) until a VM comes or goes, and then nothing needs looking up.
   */
  private lastLegend: readonly string[] = [];
  private lastTargets: (Float32Array | null)[] = [];

  get lastTime(): number {
    return this.rowCount > 0 ? this.times[this.rowCount - 1] : NaN;
  }

  get firstTime(): number {
    return this.rowCount > 0 ? this.times[0] : NaN;
  }

  object(kind: string, uuid: string): LiveObject | undefined {
    return this.objects.get(`${kind}:${uuid}`);
  }

  /** The values of a metric, oldest first (a view: copy before keeping it across a refresh). */
  series(kind: string, uuid: string, metric: string): Float32Array | undefined {
    return this.object(kind, uuid)?.metrics.get(metric)?.subarray(0, this.rowCount);
  }

  /**
   * Takes an answer in: `replace` drops everything first (a whole window); otherwise rows newer than the last are
   * appended and objects the host no longer holds are dropped. Returns the uuids of VMs that were not there before
   * (their older rows are unknown until `fill`).
   */
  merge(updates: RrdUpdates, replace: boolean): string[] {
    if (!replace && sameLegend(updates.legend, this.lastLegend)) return this.append(updates);
    const columns = updates.legend.map(parseLegendEntry);
    const last = replace ? -Infinity : this.lastTime;
    let first = 0;
    while (first < updates.times.length && !(updates.times[first] > (Number.isNaN(last) ? -Infinity : last))) first++;
    const incoming = updates.times.length - first;
    if (replace) {
      this.objects.clear();
      this.rowCount = 0;
    }
    const existing = new Set(this.objects.keys());
    // Make room: the oldest rows go.
    const keep = Math.max(0, Math.min(this.rowCount, LIVE_ROWS - incoming));
    const drop = this.rowCount - keep;
    const taken = Math.min(incoming, LIVE_ROWS);
    const skip = incoming - taken;
    if (drop > 0) {
      this.times.copyWithin(0, drop, this.rowCount);
      for (const object of this.objects.values()) for (const values of object.metrics.values()) values.copyWithin(0, drop, this.rowCount);
    }
    for (let r = 0; r < taken; r++) this.times[keep + r] = updates.times[first + skip + r];
    const rowCount = keep + taken;
    const seen = new Set<string>();
    const written = new Set<Float32Array>();
    const added: string[] = [];
    const width = updates.legend.length;
    const targets: (Float32Array | null)[] = [];
    columns.forEach((entry, c) => {
      targets.push(null);
      if (!entry) return;
      const key = `${entry.kind}:${entry.uuid}`;
      let object = this.objects.get(key);
      if (!object) {
        object = { kind: entry.kind, uuid: entry.uuid, metrics: new Map() };
        this.objects.set(key, object);
        if (!replace && entry.kind === "vm") added.push(entry.uuid);
      }
      seen.add(key);
      let values = object.metrics.get(entry.metric);
      if (!values) {
        values = new Float32Array(LIVE_ROWS).fill(NaN);
        object.metrics.set(entry.metric, values);
      }
      for (let r = 0; r < taken; r++) values[keep + r] = updates.values[(first + skip + r) * width + c];
      written.add(values);
      targets[c] = values;
    });
    // A VM that left the host (stopped, migrated away) leaves the table; metrics not in this answer get NaN rows.
    for (const key of existing) if (!seen.has(key)) this.objects.delete(key);
    this.rowCount = rowCount;
    for (const object of this.objects.values()) {
      for (const values of object.metrics.values()) if (!written.has(values)) values.fill(NaN, keep, rowCount);
    }
    this.lastLegend = updates.legend;
    this.lastTargets = targets;
    this.version++;
    return added;
  }

  /** New rows of an answer with the same legend as the last: straight into the arrays they go to. */
  private append(updates: RrdUpdates): string[] {
    const last = this.lastTime;
    let first = 0;
    while (first < updates.times.length && !(updates.times[first] > (Number.isNaN(last) ? -Infinity : last))) first++;
    const taken = Math.min(updates.times.length - first, LIVE_ROWS);
    if (taken === 0) return [];
    first = updates.times.length - taken;
    const keep = Math.max(0, Math.min(this.rowCount, LIVE_ROWS - taken));
    const drop = this.rowCount - keep;
    const targets = this.lastTargets;
    if (drop > 0) {
      this.times.copyWithin(0, drop, this.rowCount);
      for (const values of targets) values?.copyWithin(0, drop, this.rowCount);
    }
    const width = updates.legend.length;
    for (let r = 0; r < taken; r++) {
      this.times[keep + r] = updates.times[first + r];
      const row = (first + r) * width;
      for (let c = 0; c < width; c++) {
        const values = targets[c];
        if (values) values[keep + r] = updates.values[row + c];
      }
    }
    this.rowCount = keep + taken;
    this.version++;
    return [];
  }

  /** Fills the older rows of objects from an answer about them (the history of a VM that just appeared). */
  fill(updates: RrdUpdates): void {
    const index = new Map<number, number>();
    for (let i = 0; i < this.rowCount; i++) index.set(this.times[i], i);
    const width = updates.legend.length;
    updates.legend.forEach((legend, c) => {
      const entry = parseLegendEntry(legend);
      const values = entry && this.object(entry.kind, entry.uuid)?.metrics.get(entry.metric);
      if (!values) return;
      for (let r = 0; r < updates.times.length; r++) {
        const i = index.get(updates.times[r]);
        if (i !== undefined && Number.isNaN(values[i])) values[i] = updates.values[r * width + c];
      }
    });
    this.version++;
  }
}

function sameLegend(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `/rrd_updates` of the host at 5 s, in its clock: `start`, and one VM only (its history) or the host and all;
 * `whole` marks the big request of a whole window (the source bounds how many run at once).
 */
export type LiveFetch = (query: { start: number; vm?: string; whole?: boolean }) => Promise<RrdUpdates>;

export interface LiveSnapshot {
  table: LiveTable;
  /** The host's clock minus ours, in ms. */
  offsetMs: number;
  /** The last refresh failed: the rows (if any) are older than they should be. */
  error: Error | null;
  /** A refresh is still running (the reader chose not to wait for it longer). */
  pending: boolean;
}

/** A host's live table and when to refresh it. */
export class HostLiveStats {
  private readonly table = new LiveTable();
  private inflight: Promise<void> | null = null;
  private lastAttempt = -Infinity;
  private error: Error | null = null;
  private errorAt = -Infinity;
  private offsetMs = 0;
  private refetchAll = false;
  lastUsed: number;

  constructor(
    private readonly fetch: LiveFetch,
    private readonly hostOffset: () => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {
    this.lastUsed = now();
  }

  /**
   * The table, refreshed first when a new row is due (readers share the refresh). `waitMs`: how long to wait for
   * that refresh at most; past it, the table as it is (`pending`).
   */
  async read(waitMs = Infinity): Promise<LiveSnapshot> {
    this.lastUsed = this.now();
    const refresh = this.inflight ?? this.startRefreshIfDue();
    if (refresh) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const patience = Number.isFinite(waitMs) ? new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))) : null;
      await (patience ? Promise.race([refresh, patience]) : refresh);
      clearTimeout(timer);
    }
    return { table: this.table, offsetMs: this.offsetMs, error: this.error, pending: this.inflight !== null };
  }

  private startRefreshIfDue(): Promise<void> | null {
    const now = this.now();
    const hostNow = (now + this.offsetMs) / 1000;
    const due = !(this.table.lastTime + LIVE_STEP + ROW_GRACE_S > hostNow);
    if (!due && !this.refetchAll) return null;
    if (this.error && now - this.errorAt < RETRY_MS) return null;
    if (now - this.lastAttempt < MIN_INTERVAL_MS) return null;
    this.lastAttempt = now;
    this.inflight = this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async refresh(): Promise<void> {
    try {
      this.offsetMs = await this.hostOffset();
      const hostNow = (this.now() + this.offsetMs) / 1000;
      const last = this.table.lastTime;
      // The whole window when there is nothing yet or too old to continue; else from the last row on (inclusive, so
      // that the answer is never empty: old xapi fails on exports without rows).
      const whole = this.refetchAll || !(last > hostNow - (LIVE_ROWS - 2) * LIVE_STEP);
      // Ten minutes less a little: a start older than the 5-second archive holds makes the host answer per minute.
      const updates = await this.fetch(whole ? { start: Math.floor(hostNow - (LIVE_ROWS - 2) * LIVE_STEP), whole } : { start: last });
      expectStep(updates);
      const added = this.table.merge(updates, whole);
      this.refetchAll = added.length > MAX_BACKFILLS;
      if (!this.refetchAll) {
        for (const uuid of added) {
          const history = await this.fetch({ start: this.table.firstTime, vm: uuid });
          if (history.step === LIVE_STEP) this.table.fill(history);
        }
      }
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error : new Error(String(error));
      this.errorAt = this.now();
    }
  }
}

function expectStep(updates: RrdUpdates): void {
  if (updates.step !== LIVE_STEP) {
    throw new XapiProtocolError(`rrd_updates: the host answered rows of ${updates.step} s for 5-second statistics`, { method: "GET /rrd_updates" });
  }
}
