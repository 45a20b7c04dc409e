/**
 * The simulator's notion of "now" for what depends on host clocks: statistics (RRD rows are stamped in the
 * serving host's time) and `host.get_servertime`. Real hosts' clocks drift away from the client's, so each host
 * can run ahead or behind by an offset; and tests can move the whole clock forward (`advance`) to get new 5-second
 * rows at once instead of waiting for them. Everything else in the simulator (sessions, tasks) keeps real time.
 */
export class SimClock {
  private shiftMs = 0;
  private readonly offsets = new Map<string, number>();

  constructor(private defaultOffsetMs = 0) {}

  /** The true time, in ms since the epoch (real time plus what `advance` added). */
  now(): number {
    return Date.now() + this.shiftMs;
  }

  /** Moves time forward for everything that reads this clock. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move the clock back (${ms} ms)`);
    this.shiftMs += ms;
  }

  /** How far `hostRef`'s clock is ahead of the true time (negative: behind), in ms. */
  offsetOf(hostRef: string): number {
    return this.offsets.get(hostRef) ?? this.defaultOffsetMs;
  }

  /** Sets one host's clock offset, or every host's (those set one by one included) when `hostRef` is absent. */
  setOffset(ms: number, hostRef?: string): void {
    if (!Number.isFinite(ms)) throw new RangeError(`invalid clock offset ${ms}`);
    if (hostRef === undefined) {
      this.defaultOffsetMs = ms;
      this.offsets.clear();
    } else {
      this.offsets.set(hostRef, ms);
    }
  }

  /** `hostRef`'s own clock, in ms since the epoch. */
  hostNow(hostRef: string): number {
    return this.now() + this.offsetOf(hostRef);
  }
}
