/**
 * Injected faults that apply to calls: latency, failing the next N calls of a method, cutting the next N
 * responses in the middle. (Unreachable hosts are the HTTP server's business; failover, session expiry
 * and outside changes act on the pools.) A rule names a method canonically (`VM.start`, which also covers
 * calls written `VM_start`) and optionally one host and one object (the call's first parameter after the
 * session, by ref or uuid: tests that run side by side then do not consume each other's faults). `Async.VM.start` is a method of its own: a fail rule
 * for it refuses the asynchronous call itself, while a fail rule for `VM.start` also makes the task of an
 * `Async.VM.start` call fail, the way a real operation fails after its task was created.
 */
import type { VmOperationName } from "./config";
import { XapiError } from "./errors";

export interface LatencyRule {
  ms: number;
  /** Only calls of this method (canonical `Class.method`). */
  method?: string;
  /** Only calls received by this host (uuid or address). */
  host?: string;
}

export interface FailRule {
  method: string;
  count: number;
  /** `[code, ...params]` */
  error: string[];
  host?: string;
  /** Only calls on this object (ref or uuid of the first parameter after the session). */
  object?: string;
}

export interface TruncateRule {
  method: string;
  count: number;
  host?: string;
  object?: string;
}

export interface CallTarget {
  /** Canonical method name, with `Async.` for asynchronous calls. */
  method: string;
  hostUuid: string;
  hostAddress: string;
  /** Ref and uuid of the object the call is about (its first parameter after the session), when it names one. */
  objectRef?: string;
  objectUuid?: string;
}

export class FaultState {
  latency: LatencyRule[] = [];
  fail: FailRule[] = [];
  truncate: TruncateRule[] = [];
  /** Operation durations set at run time (ms, not scaled by the speed), e.g. a copy made long enough to cancel. */
  durations: Partial<Record<VmOperationName, number>> = {};

  setDuration(operation: VmOperationName, ms: number): void {
    if (!(ms >= 0)) throw new Error("a duration needs ms >= 0");
    this.durations[operation] = ms;
  }

  addLatency(rule: LatencyRule): void {
    if (!(rule.ms >= 0)) throw new Error("latency needs ms >= 0");
    this.latency.push({ ...rule });
  }

  failNext(rule: FailRule): void {
    if (!rule.method || !(rule.count >= 1) || !Array.isArray(rule.error) || rule.error.length === 0) {
      throw new Error("failNext needs a method, a count >= 1 and an error [code, ...params]");
    }
    this.fail.push({ ...rule, error: rule.error.map(String) });
  }

  truncateNext(rule: TruncateRule): void {
    if (!rule.method || !(rule.count >= 1)) throw new Error("truncateNext needs a method and a count >= 1");
    this.truncate.push({ ...rule });
  }

  reset(): void {
    this.latency = [];
    this.fail = [];
    this.truncate = [];
    this.durations = {};
  }

  /** Whether a rule names an object (only then does the dispatcher work out which object a call is about). */
  scopedByObject(): boolean {
    return this.fail.some((rule) => rule.object) || this.truncate.some((rule) => rule.object);
  }

  /** Total delay to add before answering this call. */
  delayFor(target: CallTarget): number {
    let ms = 0;
    for (const rule of this.latency) {
      if (matches(rule, target)) ms += rule.ms;
    }
    return ms;
  }

  /** Consumes one matching fail rule and returns its error, if any. */
  takeFailure(target: CallTarget): XapiError | undefined {
    const rule = this.fail.find((r) => matches(r, target));
    if (!rule) return undefined;
    if (--rule.count <= 0) this.fail.splice(this.fail.indexOf(rule), 1);
    const [code, ...params] = rule.error;
    return new XapiError(code, params);
  }

  /** Consumes one matching truncate rule. */
  takeTruncation(target: CallTarget): boolean {
    const rule = this.truncate.find((r) => matches(r, target));
    if (!rule) return false;
    if (--rule.count <= 0) this.truncate.splice(this.truncate.indexOf(rule), 1);
    return true;
  }
}

function matches(rule: { method?: string; host?: string; object?: string }, target: CallTarget): boolean {
  if (rule.host && rule.host !== target.hostUuid && rule.host !== target.hostAddress) return false;
  if (rule.object && rule.object !== target.objectRef && rule.object !== target.objectUuid) return false;
  return !rule.method || rule.method === target.method;
}
