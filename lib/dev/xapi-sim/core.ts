/**
 * What every part of one simulator shares: its options, its timers, the injected faults, its pools and a
 * log of the calls it received (tests use it to assert that a call never reached the "pool").
 */
import { SimClock } from "./clock";
import type { ResolvedOptions, VmOperationName } from "./config";
import { FaultState } from "./faults";
import type { SimPool } from "./pool";
import { Timers } from "./timers";

export interface CallLogEntry {
  time: number;
  /** Pool index (0-based) and address of the host that received the call. */
  pool: number;
  host: string;
  /** The method name as the client wrote it. */
  method: string;
}

const CALL_LOG_LIMIT = 10_000;

export class SimCore {
  readonly timers = new Timers();
  readonly clock: SimClock;
  readonly faults = new FaultState();
  readonly pools: SimPool[] = [];
  private calls: CallLogEntry[] = [];
  /** Opens or closes a host's listener as it powers on or off (wired to the HTTP server by the simulator). */
  setHostPowered: (hostRef: string, on: boolean) => Promise<void> = async () => {};
  /** The port every host listens on (0 until they are bound). */
  port = 0;

  constructor(readonly options: ResolvedOptions) {
    this.clock = new SimClock(options.clockOffsetMs);
  }

  /** The base URL a host serves, e.g. `http://127.0.1.2:38511` (what console locations start with). */
  hostUrl(address: string): string {
    return `${this.options.tls ? "https" : "http"}://${address}${this.port ? `:${this.port}` : ""}`;
  }

  /** How long an operation takes right now, in ms. */
  duration(op: VmOperationName): number {
    return this.faults.durations[op] ?? Math.round(this.options.durations[op] * this.options.speed);
  }

  logCall(entry: CallLogEntry): void {
    this.calls.push(entry);
    if (this.calls.length > CALL_LOG_LIMIT * 2) this.calls = this.calls.slice(-CALL_LOG_LIMIT);
  }

  callLog(): CallLogEntry[] {
    return this.calls.slice(-CALL_LOG_LIMIT);
  }

  clearCallLog(): void {
    this.calls = [];
  }
}
