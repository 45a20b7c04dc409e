/**
 * Every timer a simulator sets goes through here, so that `stop()` can clear them all and leave no handle
 * behind (tests call `stop()` in `afterAll`).
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const handle = setTimeout(
      () => {
        this.pending.delete(handle);
        fn();
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
    if (this.stopped) clearTimeout(handle);
    else this.pending.add(handle);
    return handle;
  }

  clear(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.pending.delete(handle);
  }

  /** Resolves after `ms`, or rejects with `abortReason()` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.clear(handle);
        reject(signal?.reason);
      };
      const handle = this.setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stopAll(): void {
    this.stopped = true;
    for (const handle of this.pending) clearTimeout(handle);
    this.pending.clear();
  }
}
