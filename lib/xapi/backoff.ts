/**
 * Reconnection delays: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
 * random) so that many XenDeck instances do not hammer a pool that comes back in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/** Delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const random = (options.random ?? Math.random)();
  return Math.round(exponential / 2 + (exponential / 2) * random);
}
