/**
 * Background warm-up of the XML-RPC wire fragments: after start, every object's `<value><struct>` bytes are
 * built a few milliseconds at a time between requests, so that the first client's `get_all_records` or full
 * `event.from` finds them cached (a changed object rebuilds its fragment on next use). XML only: it is what
 * XAPI clients speak by default (JSON-RPC fragments are built on demand). Costs the fragments' memory (~26 KB
 * per VM with its disks, interfaces and metrics, see README).
 */
import type { SimCore } from "./core";
import { SERVED_CLASSES } from "./records";

/** Work per slice before yielding to the event loop. */
const SLICE_MS = 8;

export function warmUpFragments(core: SimCore): Promise<void> {
  const objects = (function* () {
    for (const pool of core.pools) for (const cls of SERVED_CLASSES) yield* pool.store.all(cls);
  })();
  return new Promise((resolve) => {
    const slice = () => {
      if (core.timers.isStopped) return resolve();
      const until = performance.now() + SLICE_MS;
      for (let n = 0; ; n++) {
        // Check the clock every 64 objects: reading it costs more than encoding a small record.
        if ((n & 63) === 0 && performance.now() > until) return void setImmediate(slice);
        const next = objects.next();
        if (next.done) return resolve();
        if (!next.value.dtime) next.value.xml();
      }
    };
    // setImmediate, not a timer: requests that arrived meanwhile are handled before the next slice.
    setImmediate(slice);
  });
}
