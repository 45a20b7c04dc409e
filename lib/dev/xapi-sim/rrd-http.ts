/**
 * The statistics endpoints every simulated host serves, as xapi's rrdd_proxy.ml and xcp-rrdd's
 * rrdd_http_handler.ml do:
 *
 * - `GET /rrd_updates?start=&interval=&cf=&host=true&vm_uuid=&json`: what this host holds, its own RRD
 *   (`host=true`) and those of the VMs whose domain runs here (`vm_uuid=<uuid>` one of them, `none` none);
 *   `start` is required (400 without), negative means relative to the last update.
 * - `GET /host_rrd[?json]`: this host's whole RRD.
 * - `GET /vm_rrd?uuid=[&json]`: a VM's whole RRD where it lives: served here, or a 302 to the host running the
 *   VM; a VM without a domain has its RRD archived on the master (a member redirects there).
 *
 * Every request needs a session (`session_id` in the query or a cookie, or Basic credentials), else 401. Times are
 * the serving host's (its clock offset applies), so a client must ask for `start` in host time.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRouteContext } from "./http-routes";
import { PoolStats } from "./rrd-history";
import { hostSource, vmSource, type RrdSource } from "./rrd-sources";
import { rrdDumpJson, rrdDumpXml, xport, xportJson, xportXml } from "./rrd-export";

/** Pieces written between two yields to the event loop: a big answer must not stall the other hosts. */
const PIECES_PER_SLICE = 40;

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/** A valid session of the pool (marked active), or the pool's credentials in Basic authentication. */
function authorized({ pool, url, req }: HttpRouteContext): boolean {
  const ref = url.searchParams.get("session_id") ?? cookie(req.headers.cookie, "session_id");
  if (ref) {
    try {
      pool.sessions.validate(ref);
      return true;
    } catch {
      return false;
    }
  }
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!basic) return false;
  const [username, ...password] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
  return username === pool.core.options.username && password.join(":") === pool.core.options.password;
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const unauthorized = (res: ServerResponse) => plain(res, 401, "Unauthorized", { "WWW-Authenticate": 'Basic realm="xapi"' });
/** What xapi answers when the RRD library raises (no archive fits, a start that is not a number...). */
const internalError = (res: ServerResponse, why: string) => plain(res, 500, `Internal error: ${why}`);

/** Builds the body piece by piece, giving the event loop a turn now and then, and sends it with its length. */
async function send(res: ServerResponse, contentType: string | undefined, pieces: Iterable<string>): Promise<void> {
  const parts: string[] = [];
  let count = 0;
  for (const piece of pieces) {
    parts.push(piece);
    if (++count % PIECES_PER_SLICE === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (res.destroyed) return;
    }
  }
  const body = Buffer.from(parts.join(""), "utf8");
  res.writeHead(200, { ...(contentType ? { "Content-Type": contentType } : {}), "Content-Length": body.length, "Access-Control-Allow-Origin": "*" });
  res.end(body);
}

function wantsJson(url: URL, req: IncomingMessage): boolean {
  return url.searchParams.has("json") || /application\/json/i.test(req.headers.accept ?? "");
}

/** Seconds, as xapi's Int64.of_string reads them; NaN when it is not an integer. */
function int64(text: string): number {
  return /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
}

interface HostClock {
  /** Seconds this host's clock is ahead of the true time. */
  offset: number;
  /** The host's time of its last update (its own clock), in seconds. */
  lastUpdated: number;
  /** True time, in seconds. */
  now: number;
}

function hostClock({ core, hostRef }: HttpRouteContext): HostClock {
  return { offset: core.clock.offsetOf(hostRef) / 1000, lastUpdated: core.clock.hostNow(hostRef) / 1000, now: core.clock.now() / 1000 };
}

export async function rrdUpdatesRoute(ctx: HttpRouteContext): Promise<void> {
  const { pool, hostRef, url, req, res } = ctx;
  if (!authorized(ctx)) return unauthorized(res);
  const query = url.searchParams;
  const startText = query.get("start");
  if (startText === null) return plain(res, 400, "get_rrd_updates: missing the 'start' parameter");
  const start = int64(startText);
  if (Number.isNaN(start)) return internalError(res, `invalid start ${startText.slice(0, 40)}`);
  const interval = int64(query.get("interval") ?? "0");
  const cf = query.get("cf");
  // Only AVERAGE archives exist (xcp-rrdd without min/max); an unknown name means "every consolidation".
  if (cf === "MIN" || cf === "MAX" || cf === "LAST") return internalError(res, "No_RRA_Available");
  const clock = hostClock(ctx);
  const stats = PoolStats.of(pool);
  const sources: RrdSource[] = [];
  if (query.get("host") === "true") sources.push(hostSource(pool, hostRef, stats.host(hostRef), clock.offset, clock.now));
  const vmFilter = query.get("vm_uuid") ?? "all";
  if (vmFilter !== "none") {
    for (const history of stats.rrdsOn(hostRef)) {
      if (vmFilter !== "all" && history.uuid !== vmFilter) continue;
      const source = vmSource(pool, history, clock.offset);
      if (source) sources.push(source);
    }
  }
  const exported = xport(sources, clock.lastUpdated, start, Number.isNaN(interval) ? 0 : interval);
  if (!exported) return internalError(res, "No_RRA_Available");
  if (!wantsJson(url, req)) return send(res, "text/xml", xportXml(exported));
  const flavor = pool.core.options.rrdJson;
  // Old xcp-rrdd wrote its JSON by hand and raised on an export without rows.
  if (flavor === "legacy" && exported.times.length === 0) return internalError(res, 'Invalid_argument("index out of bounds")');
  return send(res, flavor === "legacy" ? undefined : "application/json", xportJson(exported, flavor));
}

function dump(ctx: HttpRouteContext, source: RrdSource, lastUpdated: number): Promise<void> {
  return wantsJson(ctx.url, ctx.req)
    ? send(ctx.res, "application/json", rrdDumpJson(source, lastUpdated))
    : send(ctx.res, "text/xml", rrdDumpXml(source, lastUpdated));
}

export async function hostRrdRoute(ctx: HttpRouteContext): Promise<void> {
  if (!authorized(ctx)) return unauthorized(ctx.res);
  const clock = hostClock(ctx);
  return dump(ctx, hostSource(ctx.pool, ctx.hostRef, PoolStats.of(ctx.pool).host(ctx.hostRef), clock.offset, clock.now), clock.lastUpdated);
}

/** The same request on another host of the pool, as xapi's `make_url` builds it. */
function redirect(ctx: HttpRouteContext, address: string): void {
  const scheme = ctx.core.options.tls ? "https" : "http";
  const location = `${scheme}://${address}:${ctx.req.socket.localPort}${ctx.url.pathname}${ctx.url.search}`;
  ctx.res.writeHead(302, { Location: location, "Content-Length": 0 });
  ctx.res.end();
}

export async function vmRrdRoute(ctx: HttpRouteContext): Promise<void> {
  const { pool, hostRef, url, res } = ctx;
  if (!authorized(ctx)) return unauthorized(res);
  const uuid = url.searchParams.get("uuid");
  if (!uuid) return plain(res, 400, "get_vm_rrd: missing the 'uuid' parameter");
  const vm = pool.store.byUuidOf("VM", uuid);
  const stats = PoolStats.of(pool);
  const history = vm && stats.vm(vm.ref);
  if (!vm) return plain(res, 404, "Not found");
  const owner = stats.rrdHost(vm.ref);
  if (owner && owner !== hostRef) return redirect(ctx, pool.host(owner).rec.address);
  // A VM without a domain: its RRD is archived on the master.
  if (!owner && hostRef !== pool.masterRef) return redirect(ctx, pool.masterAddress());
  const clock = hostClock(ctx);
  const source = history && history.residency.length > 0 ? vmSource(pool, history, clock.offset) : undefined;
  if (!source) return plain(res, 404, "Not found");
  return dump(ctx, source, clock.lastUpdated);
}
