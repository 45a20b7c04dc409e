/**
 * THE way a test waits for something that happens in the background (an event applied, a task finished, a
 * stream closed): poll a real condition until it holds, never sleep a fixed time and hope.
 */

const POLL_INTERVAL_MS = 20;

/** Polls `check` until it returns a value other than false, null or undefined (which it returns); fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
