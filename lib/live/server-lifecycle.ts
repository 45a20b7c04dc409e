/**
 * What the web server does with the pools over its lifetime (called by `instrumentation.ts`): connect the
 * registered pools at start, and on SIGTERM/SIGINT end the live streams (they would hold Next's graceful
 * shutdown open) and log out of every pool.
 */
import "server-only";
import { closeLiveStreams } from "./hub";
import { startPoolRegistry, stopPoolRegistry } from "@/lib/pools/registry";

export async function startInventory(): Promise<void> {
  await startPoolRegistry();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    closeLiveStreams();
    stopPoolRegistry().catch((error) => console.error(`[xendeck] logging out of the pools failed: ${String(error)}`));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
