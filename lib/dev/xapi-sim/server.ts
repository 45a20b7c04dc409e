/**
 * The HTTP(S) side: one listener per host on its own loopback address, every listener on the same port, so
 * that `host.address` is a plain IP as with real XAPI. Routes: XML-RPC on `POST /`, `/RPC2`, `/xmlrpc`;
 * JSON-RPC on `POST /jsonrpc`; consoles on `CONNECT /console` and websocket upgrades (consoles.ts). Bodies above the size cap are refused (413), unparsable bodies get HTTP 500,
 * replies carry `Content-Type: text/xml` / `application/json` exactly and are streamed with a
 * Content-Length. Faults: a host can refuse connections (listener closed) or hang (requests never
 * answered), and responses can be cut in the middle.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { tlsPairOf } from "./config";
import { ConsoleService } from "./consoles";
import type { SimCore } from "./core";
import type { CallOutcome, Dispatcher } from "./dispatch";
import { HTTP_ROUTES } from "./http-routes";
import { relocateConsoles } from "./objects";
import type { SimPool } from "./pool";
import { jsonFailure, jsonSuccess, parseJsonRequest, type JsonRpcRequest } from "./protocol/jsonrpc";
import { byteLength, type Part } from "./protocol/encodable";
import type { RpcValue } from "./protocol/values";
import { parseMethodCall, xmlBare, xmlFailure, xmlSuccess } from "./protocol/xmlrpc";

export type HostState = "up" | "refuse" | "hang";

const XML_PATHS = new Set(["/", "/RPC2", "/xmlrpc"]);
const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "X-Requested-With" };

/** One host's listener. */
export class HostEndpoint {
  state: HostState = "up";
  /** False while the simulated host is shut down or rebooting. */
  powered = true;
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  private port = 0;

  constructor(
    private readonly site: SimServer,
    readonly pool: SimPool,
    readonly hostRef: string,
    readonly address: string,
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.site.handle(this, req, res);
    const tls = tlsPairOf(site.core.options.tls, address);
    this.server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
    // Event clients long-poll for 60 s; keep their connections open between calls.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 70_000;
    this.server.requestTimeout = 0;
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    // Consoles: CONNECT tunnels and websocket upgrades (consoles.ts).
    this.server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => site.consoles.accept(this, req, socket, head, "connect"));
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => site.consoles.accept(this, req, socket, head, "upgrade"));
    this.server.on("tlsClientError", () => {});
    this.server.on("clientError", (_error, socket) => socket.destroy());
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        this.server.off("listening", onListening);
        reject(error);
      };
      const onListening = () => {
        this.server.off("error", onError);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      };
      this.server.once("error", onError);
      this.server.once("listening", onListening);
      this.server.listen(port, this.address);
    });
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        this.dropConnections();
        return resolve();
      }
      this.server.close(() => resolve());
      this.dropConnections();
    });
  }

  /** Cuts every open connection (a toolstack restart, a host going away). */
  dropConnections(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  hang(res: ServerResponse): void {
    this.hung.add(res);
    res.on("close", () => this.hung.delete(res));
  }

  async setState(state: HostState): Promise<void> {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    if (state === "refuse") await this.close();
    else if (previous === "refuse" && this.powered) await this.listen(this.port);
    // Leaving "hang": the requests left hanging fail rather than stay stuck forever.
    if (previous === "hang") for (const res of [...this.hung]) res.destroy();
  }

  /** A host that is off refuses connections whatever the injected state; back on, the injected state applies again. */
  async setPowered(on: boolean): Promise<void> {
    if (on === this.powered) return;
    this.powered = on;
    if (!on) await this.close();
    else if (this.state !== "refuse") await this.listen(this.port);
  }
}

export class SimServer {
  readonly endpoints: HostEndpoint[] = [];
  readonly consoles: ConsoleService;
  port = 0;

  constructor(
    readonly core: SimCore,
    private readonly dispatcher: Dispatcher,
  ) {
    this.consoles = new ConsoleService(core);
  }

  /** Binds every host of every pool on one port (a free one when the option is 0), retrying on conflicts. */
  async start(addresses: { pool: SimPool; hostRef: string; address: string }[]): Promise<void> {
    const wanted = this.core.options.port;
    for (let attempt = 0; ; attempt++) {
      const endpoints = addresses.map((a) => new HostEndpoint(this, a.pool, a.hostRef, a.address));
      try {
        let port = wanted;
        for (const ep of endpoints) port = await ep.listen(port);
        this.port = port;
        this.endpoints.push(...endpoints);
        // Console locations name the port, known only now.
        this.core.port = port;
        for (const pool of this.core.pools) relocateConsoles(pool);
        return;
      } catch (error) {
        await Promise.all(endpoints.map((ep) => ep.close()));
        const code = (error as NodeJS.ErrnoException).code;
        if (wanted !== 0 || code !== "EADDRINUSE" || attempt >= 20) throw error;
      }
    }
  }

  endpointOf(hostRef: string): HostEndpoint | undefined {
    return this.endpoints.find((e) => e.hostRef === hostRef);
  }

  async stop(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.close()));
  }

  async handle(ep: HostEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (ep.state === "hang") {
      req.resume();
      ep.hang(res);
      return;
    }
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "OPTIONS") {
      res.writeHead(200, { ...CORS, "Access-Control-Allow-Methods": "POST, OPTIONS", "Content-Length": 0 });
      return void res.end();
    }
    const json = path === "/jsonrpc";
    if (req.method !== "POST" || !(json || XML_PATHS.has(path))) {
      const route = Object.hasOwn(HTTP_ROUTES, path) ? HTTP_ROUTES[path] : undefined;
      if (!route) return plain(res, 404, "Not found");
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? ep.address}`);
      return route({ core: this.core, pool: ep.pool, hostRef: ep.hostRef, url, req, res });
    }
    const body = await readBody(req, res, this.core.options.maxBodyBytes);
    if (body === undefined) return;
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    let parsed: { method: string; params: RpcValue[]; json?: JsonRpcRequest };
    try {
      if (json) {
        const request = parseJsonRequest(body);
        parsed = { method: request.method, params: request.params, json: request };
      } else {
        parsed = parseMethodCall(body);
      }
    } catch (error) {
      // XAPI answers what it cannot parse with an HTTP 500.
      return plain(
        res,
        500,
        `<html><body><h1>HTTP 500 internal server error</h1>An unexpected error occurred; please wait a while and try again. If the problem persists, please contact your support representative.<h1> Additional information </h1>${escapeHtml((error as Error).message)}</body></html>`,
        "text/html",
      );
    }
    const outcome = await this.dispatcher.call({ pool: ep.pool, hostRef: ep.hostRef, method: parsed.method, params: parsed.params, signal: aborted.signal });
    if (res.destroyed) return;
    const parts = parsed.json ? encodeJson(parsed.json, outcome) : encodeXml(outcome);
    await send(res, json ? "application/json" : "text/xml", parts, outcome.truncate);
  }
}

function encodeXml(outcome: CallOutcome): Part[] {
  if (!outcome.ok) return xmlFailure(outcome.error.description);
  return outcome.bare ? xmlBare(outcome.type, outcome.value) : xmlSuccess(outcome.type, outcome.value);
}

function encodeJson(req: JsonRpcRequest, outcome: CallOutcome): Part[] {
  return outcome.ok ? jsonSuccess(req, outcome.type, outcome.value) : jsonFailure(req, outcome.error.description);
}

/** Reads the body up to `limit` bytes; answers 413 and returns undefined beyond it. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"]);
    const refuse = () => {
      res.setHeader("Connection", "close");
      plain(res, 413, "Request Entity Too Large");
      req.destroy();
      resolve(undefined);
    };
    if (declared > limit) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        return refuse();
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", () => {
      if (!done) resolve(undefined);
      done = true;
    });
    req.on("close", () => {
      if (!done && !req.complete) resolve(undefined);
    });
  });
}

const CHUNK = 256 * 1024;

/**
 * Output chunks, reused from one reply to the next (a chunk comes back once the socket has taken it). Fresh
 * chunks for every reply meant ~300 MB of new buffers per full sync of a big pool set, and that much external
 * memory made the garbage collector run full collections of the simulator's whole heap.
 */
const spareChunks: Buffer[] = [];
const MAX_SPARE_CHUNKS = 64;

function takeChunk(): Buffer {
  return spareChunks.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
}

function giveBack(chunk: Buffer): void {
  if (spareChunks.length < MAX_SPARE_CHUNKS) spareChunks.push(chunk);
}

/**
 * Writes the reply with its Content-Length, the parts copied into chunks of CHUNK bytes, waiting for the
 * socket to drain; a truncated reply stops halfway (in the middle of a part, possibly of a character) and drops
 * the connection.
 */
async function send(res: ServerResponse, contentType: string, parts: Part[], truncate: boolean): Promise<void> {
  const total = byteLength(parts);
  res.writeHead(200, { "Content-Type": contentType, "Content-Length": total, ...CORS });
  let budget = truncate ? Math.floor(total / 2) : total;
  let chunk = takeChunk();
  let used = 0;
  const flush = async () => {
    if (used === 0 || res.destroyed) return;
    const full = chunk;
    const ready = res.write(full.subarray(0, used), () => giveBack(full));
    chunk = takeChunk();
    used = 0;
    if (!ready) await drained(res);
  };
  for (const part of parts) {
    if (res.destroyed || budget === 0) break;
    if (typeof part === "string" && part.length * 3 <= Math.min(CHUNK - used, budget)) {
      // Short text (envelope pieces) goes straight into the chunk.
      const n = chunk.write(part, used);
      used += n;
      budget -= n;
      if (used === CHUNK) await flush();
      continue;
    }
    const bytes = typeof part === "string" ? Buffer.from(part) : part;
    const length = Math.min(bytes.length, budget);
    budget -= length;
    for (let offset = 0; offset < length;) {
      const n = Math.min(length - offset, CHUNK - used);
      bytes.copy(chunk, used, offset, offset + n);
      used += n;
      offset += n;
      if (used === CHUNK) await flush();
    }
  }
  await flush();
  giveBack(chunk);
  if (truncate) res.socket?.end(() => res.socket?.destroy());
  else res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function plain(res: ServerResponse, status: number, text: string, contentType = "text/plain"): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}
