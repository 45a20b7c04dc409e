/**
 * Puts the console endpoint in the custom server's websocket table. Called by instrumentation.ts, inside Next's
 * bundle, where the session check, the database and the pool registry live (lib/server cannot import them: they
 * are server-only modules of Next's graph). On SIGTERM/SIGINT the open consoles are closed, each with its audit
 * entry, so that they do not hold the server's shutdown open.
 */
import "server-only";
import { UPGRADE_ROUTES } from "@/lib/upgrade-routes";
import { CONSOLE_CLOSE } from "./close-codes";
import { openConsoles } from "./open-consoles";
import { CONSOLE_PATH_PREFIX } from "./request";
import { handleConsoleUpgrade } from "./route";

const REGISTERED = Symbol.for("xendeck.consoles.registered");
type GlobalWithFlag = typeof globalThis & { [REGISTERED]?: boolean };

export function registerConsoleRoute(): void {
  UPGRADE_ROUTES.set(CONSOLE_PATH_PREFIX, handleConsoleUpgrade);
  const holder = globalThis as GlobalWithFlag;
  if (holder[REGISTERED]) return;
  holder[REGISTERED] = true;
  const stop = () => openConsoles().closeAll(CONSOLE_CLOSE.serverStopping, "XenDeck is restarting; reconnect in a moment.", "server stopping");
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
