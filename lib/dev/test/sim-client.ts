/**
 * A minimal XAPI client for the simulator's own tests and benchmark (the product's client lives in
 * lib/xapi). It speaks both transports over real HTTP and hands back plain values: untyped XML-RPC values
 * and 64-bit ints arrive as strings in XML-RPC and as numbers in JSON-RPC, exactly as a real client sees them.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { toPlain, type RpcValue } from "@/lib/dev/xapi-sim/protocol/values";
import { formatMethodCall, parseMethodResponsePlain } from "@/lib/dev/xapi-sim/protocol/xmlrpc";
import { formatXapiDate } from "@/lib/dev/xapi-sim/protocol/xapi-types";
import { eventually } from "./eventually";

export type Transport = "xml" | "json";

export class XapiFault extends Error {
  constructor(
    readonly code: string,
    readonly params: string[],
  ) {
    super(`${code}(${params.join(", ")})`);
  }

  get description(): string[] {
    return [this.code, ...this.params];
  }
}

export interface RawReply {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Wraps a wire value to send it exactly as given (e.g. `<i8>` or an untyped int). */
export function wire(value: RpcValue): { __wire: RpcValue } {
  return { __wire: value };
}

export function toRpcValue(value: unknown): RpcValue {
  if (value && typeof value === "object" && "__wire" in value) return (value as { __wire: RpcValue }).__wire;
  if (typeof value === "string") return { t: "str", v: value };
  if (typeof value === "boolean") return { t: "bool", v: value };
  if (typeof value === "number") return Number.isInteger(value) ? { t: "int", v: String(value) } : { t: "double", v: value };
  if (value === null || value === undefined) return { t: "nil" };
  if (value instanceof Date) return { t: "date", v: formatXapiDate(value) };
  if (Array.isArray(value)) return { t: "arr", v: value.map(toRpcValue) };
  return { t: "struct", v: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toRpcValue(v)]) };
}

function toJsonValue(value: unknown): unknown {
  if (value && typeof value === "object" && "__wire" in value) return toPlain((value as { __wire: RpcValue }).__wire);
  if (value instanceof Date) return formatXapiDate(value);
  return value;
}

/**
 * POSTs `body` on a fresh connection and reads the whole reply (TLS certificates are not checked: the
 * simulator is local).
 */
export function post(url: string, path: string, body: string | Buffer, contentType: string): Promise<RawReply> {
  const target = new URL(path, url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: "POST", headers: { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) }, rejectUnauthorized: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export class TestClient {
  session = "";

  constructor(
    readonly url: string,
    readonly transport: Transport = "xml",
    readonly path = transport === "xml" ? "/" : "/jsonrpc",
  ) {}

  /** A client of a simulated pool's master (the first pool's by default), logged in with the simulator's credentials. */
  static async signedIn(sim: { pools: readonly { masterUrl: string }[]; username: string; password: string }, poolIndex = 0): Promise<TestClient> {
    const client = new TestClient(sim.pools[poolIndex]!.masterUrl);
    await client.login(sim.username, sim.password);
    return client;
  }

  async raw(method: string, params: unknown[]): Promise<RawReply> {
    if (this.transport === "xml") return post(this.url, this.path, formatMethodCall(method, params.map(toRpcValue)), "text/xml");
    const body = JSON.stringify({ jsonrpc: "2.0", method, params: params.map(toJsonValue), id: 1 });
    return post(this.url, this.path, body, "application/json");
  }

  /** Calls `method` with exactly these parameters; resolves with the value or rejects with an XapiFault. */
  async call(method: string, ...params: unknown[]): Promise<unknown> {
    const reply = await this.raw(method, params);
    if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
    return this.decode(reply.body);
  }

  decode(body: string): unknown {
    if (this.transport === "json") {
      const doc = JSON.parse(body) as { result?: unknown; error?: { message: string; data: string[] } };
      if (doc.error) throw new XapiFault(doc.error.message, doc.error.data);
      return doc.result;
    }
    const parsed = parseMethodResponsePlain(body);
    if ("fault" in parsed) throw new Error(`XML-RPC fault ${JSON.stringify(parsed.fault)}`);
    const value = parsed.value as Record<string, unknown>;
    if (value && typeof value === "object" && "Status" in value) {
      if (value.Status === "Success") return value.Value;
      const [code, ...rest] = value.ErrorDescription as string[];
      throw new XapiFault(code, rest);
    }
    return value;
  }

  /** Calls with the session as first parameter. */
  s(method: string, ...params: unknown[]): Promise<unknown> {
    return this.call(method, this.session, ...params);
  }

  async login(user: string, password: string): Promise<string> {
    this.session = String(await this.call("session.login_with_password", user, password, "2.21", "xapi-sim tests"));
    return this.session;
  }

  /** `[code, ...params]` of the fault a call of `method` with this client's session answers (fails if it succeeds). */
  async faultOf(method: string, ...params: unknown[]): Promise<string[]> {
    const fault = await this.fault(method, this.session, ...params);
    return [fault.code, ...fault.params];
  }

  /** Rejects with the XapiFault of the call, or fails if the call succeeded. */
  async fault(method: string, ...params: unknown[]): Promise<XapiFault> {
    try {
      await this.call(method, ...params);
    } catch (error) {
      if (error instanceof XapiFault) return error;
      throw error;
    }
    throw new Error(`${method} succeeded, expected an error`);
  }

  /** Waits for a task to finish by polling (tests of the event stream use event.from instead). */
  async waitTask(taskRef: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return eventually(async () => {
      const task = (await this.s("task.get_record", taskRef)) as Record<string, unknown>;
      return task.status !== "pending" && task.status !== "cancelling" && task;
    }, timeoutMs);
  }
}

/** Whether connecting to `url` is refused (the host is off). */
export async function refusesConnections(url: string): Promise<boolean> {
  try {
    await post(url, "/", "", "text/xml");
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ECONNREFUSED";
  }
}
