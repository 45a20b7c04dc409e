/**
 * How far a host's clock is from ours. Statistics rows are stamped with the host's clock and `start` must be
 * given in it, so every request needs the offset; `host.get_servertime` gives it (to the second: the answer is
 * truncated, so half a second is added back, and the round trip is split in two). Measured once per host and
 * kept a few minutes; clocks drift slowly.
 */
import type { XapiClient } from "../client";

const KEEP_MS = 10 * 60_000;

interface Measured {
  offsetMs: number;
  at: number;
}

export class HostClocks {
  private readonly measured = new Map<string, Measured>();
  private readonly pending = new Map<string, Promise<number>>();

  constructor(
    private readonly client: Pick<XapiClient, "call">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the host's clock is ahead of ours (negative: behind). */
  async offsetOf(hostRef: string): Promise<number> {
    const known = this.measured.get(hostRef);
    if (known && this.now() - known.at < KEEP_MS) return known.offsetMs;
    let pending = this.pending.get(hostRef);
    if (!pending) {
      pending = this.measure(hostRef).finally(() => this.pending.delete(hostRef));
      this.pending.set(hostRef, pending);
    }
    return pending;
  }

  /** The last measured offset, if any (for display). */
  lastOffsetOf(hostRef: string): number | undefined {
    return this.measured.get(hostRef)?.offsetMs;
  }

  /** Forget a host's offset (after a failure: the host may have been rebooted with another clock). */
  forget(hostRef: string): void {
    this.measured.delete(hostRef);
  }

  private async measure(hostRef: string): Promise<number> {
    const sent = this.now();
    const servertime = await this.client.call<Date>("host.get_servertime", hostRef);
    const received = this.now();
    const offsetMs = Math.round(servertime.getTime() + 500 - (sent + received) / 2);
    this.measured.set(hostRef, { offsetMs, at: received });
    return offsetMs;
  }
}
