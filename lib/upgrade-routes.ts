/**
 * The table of websocket endpoints, by path prefix. It lives on `globalThis` because the two sides run in
 * different module graphs: the custom server (http-server.ts, loaded by Node) reads it, while the endpoints
 * register from Next's bundle (instrumentation.ts), where the session check and the pool registry live.
 * Dependency-free on purpose, so both graphs can import it.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** A websocket endpoint: receives the upgrade request, already stamped with its peer address. */
export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const ROUTES_KEY = Symbol.for("xendeck.server.upgradeRoutes");
type GlobalWithRoutes = typeof globalThis & { [ROUTES_KEY]?: Map<string, UpgradeRoute> };

/** Upgrade handlers by path prefix (e.g. "/api/consoles/"). */
export const UPGRADE_ROUTES: Map<string, UpgradeRoute> = ((globalThis as GlobalWithRoutes)[ROUTES_KEY] ??= new Map());
