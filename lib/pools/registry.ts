/**
 * XenDeck's side of the XAPI registry: where pool configurations come from (the database) and when the
 * registry reloads them. `instrumentation.ts` starts it with the server; pool registration, edit, enable,
 * disable and removal call `refreshPoolRegistry()` so that the change is live before the page re-renders.
 */
import "server-only";
import { loadPoolConnectionConfigs } from "@/lib/pools/store";
import { getPoolRegistry, isXapiError, startRegistry, stopRegistry, XapiError, type XapiErrorKind } from "@/lib/xapi";

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

/** Reloads the registrations now (after a pool was registered, edited, enabled, disabled or removed). */
export async function refreshPoolRegistry(): Promise<void> {
  const registry = getPoolRegistry();
  registry.setSource(loadPoolConnectionConfigs);
  await registry.refresh();
}

/** Logs out of every pool (server shutdown). */
export async function stopPoolRegistry(): Promise<void> {
  await stopRegistry();
}

/**
 * An error thrown by a registry connection, as an `XapiError` of this module graph. The registry is created by
 * `instrumentation.ts`, which Next bundles apart from pages and actions: its connections throw XapiErrors of
 * another copy of lib/xapi, which `instanceof` (and so `describeXapiError`) does not recognise. They carry
 * the same fields, so one of ours is rebuilt from them.
 */
export function asLocalXapiError(error: unknown): unknown {
  if (isXapiError(error) || !(error instanceof Error)) return error;
  const { code, params, kind, method } = error as Partial<XapiError>;
  if (typeof code !== "string" || !Array.isArray(params) || typeof kind !== "string") return error;
  return new XapiError(code, params.map(String), { kind: kind as XapiErrorKind, message: error.message, method, cause: error });
}
