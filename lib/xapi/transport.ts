/**
 * HTTP(S) POST of XML-RPC bodies to one pool's hosts, with what a long-running server needs:
 * keep-alive agents (one per transport, i.e. per pool), a deadline per call, a cap on the answer size
 * (checked on Content-Length and while reading: never more than the cap in memory), TLS trust decided on the
 * socket before the request is written (see `tls.ts`), plain http only when the URL says http, and typed errors
 * that say whether the request may have reached the server.
 */
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import type tls from "node:tls";
import { CLIENT_CODES, XapiError, XapiProtocolError, XapiTimeoutError, XapiTransportError } from "./errors";
import { assertTrusted, connectTls, type TrustPolicy } from "./tls";

export interface TransportOptions {
  /** Sockets kept per host: the pool's concurrency bound plus the event loop and task watcher. */
  maxSockets: number;
  /** Certificates accepted (see `tls.ts`); read at each new connection so that it can grow. */
  trust: () => TrustPolicy;
  /** Time allowed for TCP + TLS setup. */
  connectTimeoutMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  /** For error messages only. */
  method: string;
}

/** Connection errors after which the request surely did not reach the server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

class PinningHttpsAgent extends https.Agent {
  constructor(
    private readonly transport: TransportOptions,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  // Node's Agent accepts an asynchronous createConnection (socket handed over through the callback): the
  // request is attached to the socket only once the certificate is accepted, so nothing leaks to a wrong peer.
  override createConnection(options: { host?: string | null; port?: number | null }, callback: (error: Error | null, socket?: Duplex) => void): Duplex | undefined {
    const host = options.host ?? "localhost";
    connectTls({ host, port: options.port ?? 443, timeoutMs: this.transport.connectTimeoutMs }, (error, socket: tls.TLSSocket) => {
      if (error) return callback(error);
      try {
        assertTrusted(socket, host, this.transport.trust());
      } catch (certificateError) {
        socket.destroy();
        return callback(certificateError as Error);
      }
      callback(null, socket);
    });
    return undefined;
  }
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: PinningHttpsAgent;

  constructor(options: TransportOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, scheduling: "lifo" as const };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new PinningHttpsAgent(options, agentOptions);
  }

  /** POSTs `body` and resolves with the complete answer body (HTTP 200 only). */
  post(url: URL, body: string, options: PostOptions): Promise<Buffer> {
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") return Promise.reject(new XapiTransportError(`Unsupported URL scheme ${url.protocol}`, { notSent: true }));
    const payload = Buffer.from(body, "utf8");
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      let responseStarted = false;
      const settle = (error: Error | null, result?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(result!);
      };
      const request = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || (secure ? 443 : 80),
        path: url.pathname || "/",
        method: "POST",
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { "Content-Type": "text/xml", "Content-Length": payload.length, "User-Agent": "XenDeck" },
      });
      const fail = (error: Error) => {
        request.destroy();
        settle(error);
      };
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (error instanceof XapiError) return settle(error); // certificate refused in createConnection
        const code = error.code;
        // A reused keep-alive socket that the server had just closed: the request was not processed.
        const notSent = (code !== undefined && NOT_SENT_CODES.has(code)) || (request.reusedSocket && code === "ECONNRESET" && !responseStarted);
        settle(
          new XapiTransportError(`${options.method}: ${describeSocketError(error)} (${url.host})`, {
            errno: code,
            notSent,
            cause: error,
            method: options.method,
          }),
        );
      });
      const timer = setTimeout(
        () => fail(new XapiTimeoutError(`${options.method}: no complete answer from ${url.host} within ${(options.timeoutMs / 1000).toFixed(1)} s`, { method: options.method })),
        options.timeoutMs,
      );
      const onAbort = () => fail(new XapiError(CLIENT_CODES.aborted, [], { kind: "aborted", method: options.method, message: `${options.method}: aborted` }));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });

      request.on("response", (response) => {
        responseStarted = true;
        const declared = Number(response.headers["content-length"]);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          response.destroy();
          return fail(tooLarge(options, declared));
        }
        // With a Content-Length, chunks are copied into one buffer as they arrive (no second copy at the end).
        const whole = Number.isFinite(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : null;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size + chunk.length > options.maxBytes) {
            response.destroy();
            chunks.length = 0;
            return fail(tooLarge(options, size + chunk.length));
          }
          if (whole && size + chunk.length <= whole.length) chunk.copy(whole, size);
          else chunks.push(chunk);
          size += chunk.length;
        });
        const truncated = () =>
          fail(new XapiProtocolError(`${options.method}: the connection closed after ${size} bytes, before the end of the answer (truncated)`, { method: options.method }));
        response.on("error", truncated);
        response.on("close", () => {
          if (!response.complete) truncated();
        });
        response.on("end", () => {
          const body = whole && chunks.length === 0 ? whole.subarray(0, size) : Buffer.concat(whole ? [whole.subarray(0, Math.min(size, whole.length)), ...chunks] : chunks);
          if (response.statusCode !== 200) {
            const excerpt = body.toString("utf8", 0, Math.min(body.length, 200)).replace(/\s+/g, " ");
            return settle(new XapiProtocolError(`${options.method}: HTTP ${response.statusCode} from ${url.host}${excerpt ? `: ${excerpt}` : ""}`, { method: options.method }));
          }
          settle(null, body);
        });
      });
      request.end(payload);
    });
  }

  /** Closes every socket (idle and busy). */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function tooLarge(options: PostOptions, size: number): XapiProtocolError {
  return new XapiProtocolError(
    `${options.method}: the answer exceeds the size limit (${(size / 1e6).toFixed(1)} MB > ${(options.maxBytes / 1e6).toFixed(1)} MB)`,
    { code: CLIENT_CODES.tooLarge, method: options.method },
  );
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "ETIMEDOUT":
      return "connection timed out";
    default:
      return error.message.replace(/OpaqueRef:[0-9a-f-]+/gi, "OpaqueRef:…");
  }
}
