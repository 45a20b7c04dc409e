/**
 * XenDeck's side of the XAPI registry: where pool configurations come from (the database) and when the
 * registry reloads them. `instrumentation.ts` starts it with the server; pool registration, edit, enable,
 * disable and removal call `refreshPoolRegistry()` so that the change is live before the page re-renders.
 */
import "server-only";
import { loadPoolConnectionConfigs } from "@/lib/pools/store";
import { getPoolRegistry, startRegistry, stopRegistry } from "@/lib/xapi";

const GLOBAL_KEY = Symbol.for("xendeck.inventory.registryStarted");
type GlobalWithFlag = typeof globalThis & { [GLOBAL_KEY]?: boolean };

/**
 * Connects every enabled registered pool. A database that cannot be read (not migrated yet, unreachable) is
 * reported and retried by the registry's periodic refresh instead of stopping the server.
 */
export async function startPoolRegistry(): Promise<void> {
  const holder = globalThis as GlobalWithFlag;
  if (holder[GLOBAL_KEY]) return;
  holder[GLOBAL_KEY] = true;
  try {
    await startRegistry(loadPoolConnectionConfigs);
  } catch (error) {
    console.error(`[xendeck] could not load the registered pools (${error instanceof Error ? error.message : String(error)}); retrying in the background`);
    getPoolRegistry().startPeriodicRefresh();
  }
}

/**
 * Reloads the registrations now (after a pool was registered, edited, enabled, disabled or removed). Only where
 * this process serves the pools (the registry was started): a script that registers pools (the demo's and the
 * tests' set-up) leaves connecting to the server.
 */
export async function refreshPoolRegistry(): Promise<void> {
  await getPoolRegistry().refresh();
}

/** Logs out of every pool (server shutdown). */
export async function stopPoolRegistry(): Promise<void> {
  await stopRegistry();
}
