/**
 * HTTP(S) POST of XML-RPC bodies to one pool's hosts (and GET of their HTTP resources: statistics), with what a long-running server needs:
 * keep-alive agents (one per transport, i.e. per pool), a deadline per call, a cap on the answer size
 * (checked on Content-Length and while reading: never more than the cap in memory), TLS trust decided on the
 * socket before the request is written (see `tls.ts`), plain http only when the URL says http, and typed errors
 * that say whether the request may have reached the server. The answer goes chunk by chunk to a `BodySink`
 * (the client's is the incremental parser: big answers are parsed while they arrive, never held whole).
 */
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import type tls from "node:tls";
import { CLIENT_CODES, XapiError, XapiHttpError, XapiProtocolError, XapiTimeoutError, XapiTransportError } from "./errors";
import { assertTrusted, connectTls, type TrustPolicy } from "./tls";

export interface TransportOptions {
  /** Sockets kept per host: the pool's concurrency bound plus the event loop and failover probes. */
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

/** Receives the body of an HTTP 200 answer as it arrives; `end` (after the last byte) gives the result. */
export interface BodySink<T> {
  write(chunk: Buffer): void;
  end(): T;
}

/** What a PUT answered: its status and headers, and whether the answer arrived whole. */
export interface PutAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  complete: boolean;
}

/** Bytes of a non-200 answer kept for the error message. */
const EXCERPT_BYTES = 200;

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
  override createConnection(
    options: { host?: string | null; port?: number | null },
    callback: (error: Error | null, socket?: Duplex) => void,
  ): Duplex | undefined {
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

  /**
   * POSTs `body` and feeds the answer to `sink` as it arrives (HTTP 200 only); resolves with `sink.end()`.
   * An error thrown by the sink (a malformed answer) ends the exchange at once.
   */
  post<T>(url: URL, body: string, options: PostOptions, sink: BodySink<T>): Promise<T> {
    return this.exchange("POST", url, Buffer.from(body, "utf8"), options, sink);
  }

  /** GETs `url` (query included) the same way: HTTP resources of a host such as `/rrd_updates`. */
  get<T>(url: URL, options: PostOptions, sink: BodySink<T>): Promise<T> {
    return this.exchange("GET", url, null, options, sink);
  }

  private exchange<T>(method: "GET" | "POST", url: URL, payload: Buffer | null, options: PostOptions, sink: BodySink<T>): Promise<T> {
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") return Promise.reject(new XapiTransportError(`Unsupported URL scheme ${url.protocol}`, { notSent: true }));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let responseStarted = false;
      const settle = (error: Error | null, result?: T) => {
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
        path: `${url.pathname || "/"}${url.search}`,
        method,
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: payload ? { "Content-Type": "text/xml", "Content-Length": payload.length, "User-Agent": "XenDeck" } : { "User-Agent": "XenDeck" },
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
        () =>
          fail(
            new XapiTimeoutError(`${options.method}: no complete answer from ${url.host} within ${(options.timeoutMs / 1000).toFixed(1)} s`, {
              method: options.method,
            }),
          ),
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
        const ok = response.statusCode === 200;
        const excerpt: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (settled) return;
          if (size + chunk.length > options.maxBytes) {
            response.destroy();
            return fail(tooLarge(options, size + chunk.length));
          }
          size += chunk.length;
          if (!ok) {
            if (size - chunk.length < EXCERPT_BYTES) excerpt.push(chunk);
            return;
          }
          try {
            sink.write(chunk);
          } catch (error) {
            response.destroy();
            fail(error as Error);
          }
        });
        const truncated = () =>
          fail(
            new XapiProtocolError(`${options.method}: the connection closed after ${size} bytes, before the end of the answer (truncated)`, {
              method: options.method,
            }),
          );
        response.on("error", truncated);
        response.on("close", () => {
          if (!response.complete) truncated();
        });
        response.on("end", () => {
          if (settled) return;
          if (!ok) {
            const text = Buffer.concat(excerpt).toString("utf8", 0, EXCERPT_BYTES).replace(/\s+/g, " ").trim();
            return settle(
              new XapiHttpError(`${options.method}: HTTP ${response.statusCode} from ${url.host}${text ? `: ${text}` : ""}`, {
                status: response.statusCode ?? 0,
                location: typeof response.headers.location === "string" ? response.headers.location : undefined,
                method: options.method,
              }),
            );
          }
          let result: T;
          try {
            result = sink.end();
          } catch (error) {
            return settle(error as Error);
          }
          settle(null, result);
        });
      });
      request.end(payload ?? undefined);
    });
  }

  /**
   * PUTs `body` to one of XAPI's HTTP handlers (`/import_raw_vdi`...), through the same agents (and so the same
   * certificate checks). Resolves with the answer's status and headers once the exchange is over; an answer
   * cut short after its headers still resolves (`complete: false`): such handlers answer 200 before reading the
   * body and report the outcome in their task, which the caller reads.
   */
  put(url: URL, body: Buffer, options: Omit<PostOptions, "maxBytes">): Promise<PutAnswer> {
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") return Promise.reject(new XapiTransportError(`Unsupported URL scheme ${url.protocol}`, { notSent: true }));
    return new Promise<PutAnswer>((resolve, reject) => {
      let settled = false;
      let answer: PutAnswer | undefined;
      const settle = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (answer) resolve(answer);
        else reject(error ?? new XapiProtocolError(`${options.method}: no answer`, { method: options.method }));
      };
      const request = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: "PUT",
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { "Content-Type": "application/octet-stream", "Content-Length": body.length, "User-Agent": "XenDeck" },
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (error instanceof XapiError) return settle(error);
        settle(
          new XapiTransportError(`${options.method}: ${describeSocketError(error)} (${url.host})`, { errno: error.code, cause: error, method: options.method }),
        );
      });
      const timer = setTimeout(() => {
        request.destroy();
        settle(
          new XapiTimeoutError(`${options.method}: no answer from ${url.host} within ${(options.timeoutMs / 1000).toFixed(1)} s`, { method: options.method }),
        );
      }, options.timeoutMs);
      const onAbort = () => {
        request.destroy();
        settle(new XapiError(CLIENT_CODES.aborted, [], { kind: "aborted", method: options.method, message: `${options.method}: aborted` }));
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      request.on("response", (response) => {
        answer = { status: response.statusCode ?? 0, headers: response.headers, complete: false };
        response.resume();
        response.on("end", () => {
          answer!.complete = true;
          settle(null);
        });
        response.on("close", () => settle(null));
        response.on("error", () => settle(null));
      });
      request.end(body);
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
