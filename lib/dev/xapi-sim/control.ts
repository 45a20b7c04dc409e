/**
 * The control API: plain JSON over HTTP on 127.0.0.1 (its own port, not part of XAPI), offering the same
 * fault injection, outside changes and inspection as `sim.faults` / `sim.outside` / `sim.inspect` to tools
 * and tests running in another process (the web app's e2e tests, a demo operator). Endpoints are listed in
 * README.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { HostMetricsRecord, HostRecord } from "@/lib/xapi/model/records.generated";
import type { VmOperationName } from "./config";
import { XapiError } from "./errors";
import { JSON_FLAVORS, type JsonFlavor } from "./rrd-export";
import type { SimulatorHandle } from "./simulator";

const MAX_BODY = 64 * 1024;

class BadRequest extends Error {}

type Body = Record<string, unknown>;
type Route = (body: Body, params: string[]) => unknown;

export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  url = "";

  constructor(private readonly sim: SimulatorHandle) {}

  async start(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private routes(): Record<string, Route> {
    const sim = this.sim;
    const str = (body: Body, key: string, required = true): string | undefined => {
      const v = body[key];
      if (v === undefined && !required) return undefined;
      if (typeof v !== "string" || v === "") throw new BadRequest(`"${key}" must be a non-empty string`);
      return v;
    };
    const num = (body: Body, key: string, fallback?: number): number => {
      const v = body[key] ?? fallback;
      if (typeof v !== "number" || !Number.isFinite(v)) throw new BadRequest(`"${key}" must be a number`);
      return v;
    };
    const poolKey = (body: Body) => (typeof body.pool === "number" || typeof body.pool === "string" ? body.pool : 0);
    return {
      "GET /": () => ({
        username: sim.username,
        pools: sim.pools.map((p) => ({ name: p.name, uuid: p.uuid, masterUrl: p.masterUrl, hosts: p.hosts })),
      }),
      "POST /faults/latency": (b) => sim.faults.latency({ ms: num(b, "ms"), method: str(b, "method", false), host: str(b, "host", false) }),
      "POST /faults/host": (b) => {
        const state = str(b, "state");
        if (state !== "up" && state !== "refuse" && state !== "hang") throw new BadRequest('"state" must be up, refuse or hang');
        return sim.faults.setHostState(str(b, "host")!, state);
      },
      "POST /faults/failover": (b) => sim.faults.failover(poolKey(b), str(b, "host")!, { dropConnections: b.dropConnections !== false }),
      "POST /faults/expire-sessions": (b) => ({ expired: sim.faults.expireSessions(b.pool === undefined ? undefined : poolKey(b)) }),
      "POST /faults/fail": (b) => {
        if (!Array.isArray(b.error) || b.error.length === 0) throw new BadRequest('"error" must be [code, ...params]');
        sim.faults.failNext({
          method: str(b, "method")!,
          error: b.error.map(String),
          count: num(b, "count", 1),
          host: str(b, "host", false),
          object: str(b, "object", false),
        });
      },
      "POST /faults/truncate": (b) =>
        sim.faults.truncateNext({ method: str(b, "method")!, count: num(b, "count", 1), host: str(b, "host", false), object: str(b, "object", false) }),
      "POST /faults/duration": (b) => sim.faults.duration(str(b, "operation") as VmOperationName, num(b, "ms")),
      "POST /faults/reset": () => sim.faults.reset(),
      "POST /outside/vm": (b) =>
        sim.outside.vm(str(b, "vm")!, {
          power_state: str(b, "power_state", false) as never,
          host: str(b, "host", false),
          fields: (b.fields as Record<string, unknown> | undefined) ?? undefined,
        }),
      "POST /outside/alert": (b) => ({
        ref: sim.outside.alert(poolKey(b), {
          name: str(b, "name")!,
          priority: b.priority === undefined ? undefined : num(b, "priority"),
          cls: str(b, "cls", false) as never,
          obj_uuid: str(b, "obj_uuid", false),
          body: str(b, "body", false),
        }),
      }),
      "POST /outside/alarm": (b) => ({
        ref: sim.outside.alarm({
          variable: str(b, "variable")!,
          cls: str(b, "cls", false) as never,
          obj_uuid: str(b, "obj_uuid")!,
          value: b.value === undefined ? undefined : num(b, "value"),
          triggerLevel: b.triggerLevel === undefined ? undefined : num(b, "triggerLevel"),
        }),
      }),
      "POST /outside/power-on": (b) => sim.outside.powerOnHost(str(b, "host")!),
      "POST /outside/activity": () => sim.outside.activityStep(),
      "POST /clock": (b) => {
        if (b.advanceMs !== undefined) sim.clock.advance(num(b, "advanceMs"));
        if (b.offsetMs !== undefined) sim.clock.setOffset(num(b, "offsetMs"), str(b, "host", false));
        return { now: sim.clock.now() };
      },
      "POST /stats/burst": (b) => ({
        running: sim.stats.burst(str(b, "vm")!, {
          seconds: b.seconds === undefined ? undefined : num(b, "seconds"),
          cpu: b.cpu === undefined ? undefined : num(b, "cpu"),
        }),
      }),
      "POST /stats/json": (b) => {
        const flavor = str(b, "flavor");
        if (!JSON_FLAVORS.includes(flavor as JsonFlavor)) throw new BadRequest(`"flavor" must be one of ${JSON_FLAVORS.join(", ")}`);
        sim.stats.setJsonFlavor(flavor as JsonFlavor);
      },
      "GET /inspect/vm/*": (_b, [key]) => {
        const vm = sim.inspect.vm(key);
        if (!vm) throw new NotFound(`no VM ${key}`);
        return vm;
      },
      "GET /inspect/host/*": (_b, [key]) => {
        const found = sim.findHost(key);
        if (!found) throw new NotFound(`no host ${key}`);
        const host = sim.inspect.get<HostRecord>("host", found.ref, found.pool.index)!;
        const metrics = sim.inspect.get<HostMetricsRecord>("host_metrics", host.record.metrics, found.pool.index);
        return { ...host, live: metrics?.record.live ?? false };
      },
      "GET /inspect/console/*": (_b, [key]) => {
        const view = sim.inspect.console(key);
        if (!view) throw new NotFound(`no VM ${key}`);
        return view;
      },
      "GET /inspect/object/*": (_b, [path]) => {
        // `<class>/<ref, uuid or name>`, in whichever pool holds it (tasks, SRs, messages...).
        const [cls, ...rest] = path.split("/");
        const key = rest.join("/");
        for (const pool of sim.pools) {
          const found = sim.inspect.get(cls, key, pool.index);
          if (found) return found;
        }
        throw new NotFound(`no ${cls} ${key}`);
      },
      "GET /inspect/calls": () => sim.inspect.callLog(),
      "DELETE /inspect/calls": () => sim.inspect.clearCallLog(),
      "GET /inspect/consistency": () => ({ errors: sim.inspect.consistencyErrors() }),
      "GET /inspect/vdi-content/*": (_b, [key]) => {
        const content = sim.inspect.vdiContent(key);
        if (!content) throw new NotFound(`nothing was uploaded into VDI ${key}`);
        return { size: content.size, sha256: content.sha256, uploads: content.uploads, head: content.head.toString("base64") };
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = decodeURIComponent((req.url ?? "/").split("?")[0]);
      const routes = this.routes();
      let route = routes[`${req.method} ${path}`];
      let params: string[] = [];
      if (!route) {
        for (const [key, r] of Object.entries(routes)) {
          const [method, pattern] = key.split(" ");
          if (method === req.method && pattern.endsWith("/*") && path.startsWith(pattern.slice(0, -1)) && path.length > pattern.length - 1) {
            route = r;
            params = [path.slice(pattern.length - 1)];
          }
        }
      }
      if (!route) return reply(res, 404, { error: `no route ${req.method} ${path}` });
      const body = await readJson(req);
      const result = await route(body, params);
      reply(res, 200, { ok: true, ...(result && typeof result === "object" && !Array.isArray(result) ? result : result === undefined ? {} : { result }) });
    } catch (error) {
      if (error instanceof NotFound) return reply(res, 404, { error: error.message });
      if (error instanceof XapiError) return reply(res, 409, { error: error.message, errorDescription: error.description });
      reply(res, 400, { error: (error as Error).message });
    }
  }
}

class NotFound extends Error {}

function readJson(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BadRequest("body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8").trim();
      if (text === "") return resolve({});
      try {
        const body = JSON.parse(text);
        if (typeof body !== "object" || body === null || Array.isArray(body)) return reject(new BadRequest("body must be a JSON object"));
        resolve(body as Body);
      } catch {
        reject(new BadRequest("body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
