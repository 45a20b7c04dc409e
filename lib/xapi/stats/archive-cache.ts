/**
 * The coarse archives (1 minute for 2 hours, 1 hour for a week, 1 day for a year) of one object at a time: a VM's
 * graphs over a week need that VM's rows only, not the whole host's. One request in flight per (host, resolution,
 * object), the answer reused until the host has written a new row (a minute, an hour, a day later), failures
 * remembered for a few seconds. Entries nobody read for a while are dropped.
 */
import { LruMap } from "@/lib/memo";
import type { RrdUpdates } from "./rrd-updates-parser";

/** The host writes a row a moment after its end: do not ask before. */
const ROW_GRACE_S = 2;
const MIN_INTERVAL_MS = 5_000;
const RETRY_MS = 5_000;
const IDLE_MS = 15 * 60_000;
const MAX_ENTRIES = 2_000;

interface Entry {
  result: RrdUpdates | null;
  error: Error | null;
  at: number;
  inflight: Promise<void> | null;
  lastUsed: number;
}

export class ArchiveCache {
  /** Bounded (keys name objects the requests ask for); each answer is reused only until its host's next row is due. */
  private readonly entries = new LruMap<string, Entry>(MAX_ENTRIES);

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The answer for `key`, fetched when there is none yet or when a newer row is due (`hostNowS`: the host's time in
   * seconds). Rejects with the last failure while it is recent.
   */
  async get(key: string, hostNowS: number, fetch: () => Promise<RrdUpdates>): Promise<RrdUpdates> {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry) {
      this.sweep(now);
      entry = { result: null, error: null, at: -Infinity, inflight: null, lastUsed: now };
      this.entries.set(key, entry);
    }
    entry.lastUsed = now;
    if (!entry.inflight && this.due(entry, now, hostNowS)) {
      const target = entry;
      target.at = now;
      target.inflight = fetch().then(
        (result) => {
          target.result = result;
          target.error = null;
        },
        (error: unknown) => {
          target.error = error instanceof Error ? error : new Error(String(error));
        },
      );
      void target.inflight.finally(() => {
        target.inflight = null;
      });
    }
    if (entry.inflight) await entry.inflight;
    if (entry.error && (!entry.result || this.now() - entry.at < RETRY_MS)) throw entry.error;
    return entry.result!;
  }

  private due(entry: Entry, now: number, hostNowS: number): boolean {
    if (entry.error) return now - entry.at >= RETRY_MS;
    if (!entry.result) return true;
    if (now - entry.at < MIN_INTERVAL_MS) return false;
    return hostNowS >= entry.result.end + entry.result.step + ROW_GRACE_S;
  }

  private sweep(now: number): void {
    this.entries.deleteWhere((entry) => !entry.inflight && now - entry.lastUsed > IDLE_MS);
  }
}
