/**
 * The shape xapi gives its allowed-operations checks for VBDs, VIFs and VDIs: every operation starts allowed,
 * each rule refuses some operations with an error, and the first refusal of an operation is the one reported
 * (so rules run in xapi's order). `allowed_operations` lists the operations nobody refused.
 */
import { XapiError } from "./errors";
import type { Refusal } from "./vm-rules";

export class OperationTable<Op extends string> {
  private readonly refusals = new Map<Op, Refusal>();

  constructor(readonly ops: readonly Op[]) {}

  /** Refuses `ops` with `[code, ...params]` unless an earlier rule refused them already. */
  refuse(ops: readonly Op[], refusal: Refusal): void {
    for (const op of ops) if (!this.refusals.has(op)) this.refusals.set(op, refusal);
  }

  allowed(): Op[] {
    return this.ops.filter((op) => !this.refusals.has(op));
  }

  /** Throws the refusal of `op`, if any. */
  assert(op: Op): void {
    const refusal = this.refusals.get(op);
    if (refusal) throw new XapiError(refusal[0], refusal.slice(1));
  }
}

/** Whether two `allowed_operations` lists are the same (a refresh that changes nothing publishes no event). */
export function sameOperations(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((op, i) => op === b[i]);
}
