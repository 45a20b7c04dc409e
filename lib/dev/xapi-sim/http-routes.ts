/**
 * The simulator's HTTP handlers beside the RPC endpoint, by path, as XAPI serves them on every host:
 * `/rrd_updates`, `/host_rrd`, `/vm_rrd` (stats), `/import_raw_vdi` (disk upload), `/console` (consoles)...
 * Each area adds its handlers here; server.ts routes every request that is not an RPC call through this table.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimCore } from "./core";
import { importRawVdi } from "./import-raw-vdi";
import type { SimPool } from "./pool";
import { hostRrdRoute, rrdUpdatesRoute, vmRrdRoute } from "./rrd-http";

export interface HttpRouteContext {
  core: SimCore;
  pool: SimPool;
  /** The host that received the request. */
  hostRef: string;
  /** The request's URL, parsed (query included). */
  url: URL;
  req: IncomingMessage;
  res: ServerResponse;
}

export type HttpRoute = (context: HttpRouteContext) => void | Promise<void>;

/** Handlers by path. */
export const HTTP_ROUTES: Readonly<Record<string, HttpRoute>> = {
  "/import_raw_vdi": importRawVdi,
  "/rrd_updates": rrdUpdatesRoute,
  "/host_rrd": hostRrdRoute,
  "/vm_rrd": vmRrdRoute,
};
