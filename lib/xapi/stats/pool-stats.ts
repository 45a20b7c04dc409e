/**
 * Statistics of one pool's hosts, fetched on demand over the pool's client (its session, TLS pinning and
 * concurrency bound) from each host's `/rrd_updates`, in the host's clock (its offset measured with
 * `host.get_servertime`), and cached so that every viewer shares them:
 *
 * - `live(hostRef)`: the last ten minutes at 5 s of the host and every VM on it (live-table.ts), one request per
 *   host every 5 s at most, incremental;
 * - `archive(hostRef, step, object)`: one object's rows at 1 min / 1 h / 1 day (archive-cache.ts).
 *
 * One instance per pool connection, process-wide (Next.js bundles this module more than once).
 */
import type { PoolConnection } from "../connection";
import { XapiError } from "../errors";
import { Semaphore } from "../semaphore";
import { ArchiveCache } from "./archive-cache";
import { HostClocks } from "./host-clock";
import { HostLiveStats, LIVE_STEP, type LiveSnapshot } from "./live-table";
import { rrdUpdatesSink, type RrdUpdates } from "./rrd-updates-parser";

/** Resolutions of the coarse archives and how many rows each holds. */
export const ARCHIVE_ROWS = { 60: 120, 3600: 168, 86400: 366 } as const;
export type ArchiveStep = keyof typeof ARCHIVE_ROWS;

export type StatsObject = { kind: "vm"; uuid: string } | { kind: "host" };

export interface ArchiveSnapshot {
  updates: RrdUpdates;
  offsetMs: number;
}

/** A small answer (new rows, one object) comes in seconds; a whole window of hundreds of VMs may take a while. */
const STATS_TIMEOUT_MS = 20_000;
const WHOLE_WINDOW_TIMEOUT_MS = 60_000;
/**
 * Whole windows (megabytes to fetch and parse for a big host) at once in this process: when a server starts with
 * every dashboard asking for every host, they come a few at a time instead of all timing out together.
 */
const wholeWindows = new Semaphore(3);
/** Live tables nobody read for this long are dropped. */
const LIVE_IDLE_MS = 2 * 60_000;

export class PoolStatsSource {
  readonly clocks: HostClocks;
  private readonly liveStats = new Map<string, HostLiveStats>();
  private readonly archives: ArchiveCache;

  constructor(
    private readonly connection: Pick<PoolConnection, "client" | "cache">,
    private readonly now: () => number = Date.now,
  ) {
    this.clocks = new HostClocks(connection.client, now);
    this.archives = new ArchiveCache(now);
  }

  /** The host's live table, refreshed when a row is due (waiting `waitMs` at most for that; default: until done). */
  live(hostRef: string, waitMs?: number): Promise<LiveSnapshot> {
    let stats = this.liveStats.get(hostRef);
    if (!stats) {
      this.sweep();
      stats = new HostLiveStats(
        ({ start, vm, whole }) => {
          const query = { start: String(start), interval: String(LIVE_STEP), cf: "AVERAGE", json: "true", ...(vm ? { vm_uuid: vm } : { host: "true" }) };
          return whole ? wholeWindows.run(() => this.fetch(hostRef, query, WHOLE_WINDOW_TIMEOUT_MS)) : this.fetch(hostRef, query);
        },
        () => this.clocks.offsetOf(hostRef),
        this.now,
      );
      this.liveStats.set(hostRef, stats);
    }
    return stats.read(waitMs);
  }

  /** One object's rows at a coarse resolution, over the archive's whole span. */
  async archive(hostRef: string, step: ArchiveStep, object: StatsObject): Promise<ArchiveSnapshot> {
    const offsetMs = await this.clocks.offsetOf(hostRef);
    const hostNow = (this.now() + offsetMs) / 1000;
    const key = `${hostRef}|${step}|${object.kind === "vm" ? object.uuid : "host"}`;
    const updates = await this.archives.get(key, hostNow, () =>
      this.fetch(hostRef, {
        // Half a step inside the archive's span, so that a clock off by a little still selects this archive.
        start: String(Math.floor(hostNow - step * (ARCHIVE_ROWS[step] - 0.5))),
        interval: String(step),
        cf: "AVERAGE",
        json: "true",
        ...(object.kind === "vm" ? { vm_uuid: object.uuid } : { host: "true", vm_uuid: "none" }),
      }),
    );
    return { updates, offsetMs };
  }

  private async fetch(hostRef: string, query: Record<string, string>, timeoutMs = STATS_TIMEOUT_MS): Promise<RrdUpdates> {
    const address = this.connection.cache.get("host", hostRef)?.address;
    if (!address) throw new XapiError("HANDLE_INVALID", ["host", hostRef], { method: "GET /rrd_updates" });
    try {
      return await this.connection.client.getResource("/rrd_updates", query, rrdUpdatesSink, { address, timeoutMs });
    } catch (error) {
      // The host may have restarted with another clock: measure it again next time.
      this.clocks.forget(hostRef);
      throw error;
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [hostRef, stats] of this.liveStats) if (now - stats.lastUsed > LIVE_IDLE_MS) this.liveStats.delete(hostRef);
  }
}

const SOURCES = Symbol.for("xendeck.xapi.statsSources");
type GlobalWithSources = typeof globalThis & { [SOURCES]?: WeakMap<object, PoolStatsSource> };

/** The statistics source of a pool connection (one per connection, shared by the whole process). */
export function poolStatsOf(connection: PoolConnection): PoolStatsSource {
  const holder = globalThis as GlobalWithSources;
  const sources = (holder[SOURCES] ??= new WeakMap());
  let source = sources.get(connection);
  if (!source) sources.set(connection, (source = new PoolStatsSource(connection)));
  return source;
}
