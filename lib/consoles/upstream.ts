/**
 * Opening a console on the host that runs the VM, as XAPI clients do: `CONNECT /console?uuid=...` on the
 * console's location with the pool's session as the `session_id` cookie; after `HTTP/1.1 200 OK` the socket
 * carries the console's protocol (RFB or vt100) as raw bytes.
 *
 * The location comes from the pool, but XenDeck does not follow it blindly: it must point at the VM's resident
 * host (as the cache knows it), keep the pool's scheme (no plain http for an https pool), and its TLS
 * certificate must pass the pool's trust policy (pinned fingerprints cover the members' certificates too).
 * The session travels in a header, never in a URL, a log line or an error message.
 */
import "server-only";
import net, { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type tls from "node:tls";
import type { PoolConnection } from "@/lib/xapi";
import { assertTrusted, connectTls, type TrustPolicy } from "@/lib/xapi/tls";
import type { ConsoleEndpoint } from "./locate";

/** TCP + TLS + XAPI's answer, at most. */
const OPEN_TIMEOUT_MS = 10_000;
/** An answer head longer than this is not XAPI's. */
const MAX_HEAD_BYTES = 16 * 1024;

export type UpstreamErrorCode = "LOCATION_REFUSED" | "HOST_UNREACHABLE" | "CERTIFICATE_REFUSED" | "SESSION_REFUSED" | "CONSOLE_UNAVAILABLE";

/** Why a console could not be opened, in words safe to show and audit. */
export class ConsoleUpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ConsoleUpstreamError";
  }
}

/** Checks a console location against the resident host and the pool's scheme; returns it parsed. */
export function checkedLocation(endpoint: ConsoleEndpoint, poolUrl: URL): URL {
  let url: URL;
  try {
    url = new URL(endpoint.location);
  } catch {
    throw new ConsoleUpstreamError("LOCATION_REFUSED", "The pool gave a console location that is not a URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConsoleUpstreamError("LOCATION_REFUSED", "The console location is not an http(s) URL.");
  if (poolUrl.protocol === "https:" && url.protocol !== "https:")
    throw new ConsoleUpstreamError("LOCATION_REFUSED", "The console location is plain http while the pool is reached over https.");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host.toLowerCase() !== endpoint.hostAddress.toLowerCase())
    throw new ConsoleUpstreamError("LOCATION_REFUSED", "The console location does not point at the host the VM runs on.");
  if (url.username || url.password) throw new ConsoleUpstreamError("LOCATION_REFUSED", "The console location carries credentials.");
  return url;
}

/**
 * Opens the console at `endpoint` with `connection`'s session; resolves with the stream of console bytes,
 * paused (nothing is lost before its reader is attached: resume it then).
 */
export async function openUpstream(connection: PoolConnection, endpoint: ConsoleEndpoint): Promise<Duplex> {
  const url = checkedLocation(endpoint, connection.client.masterUrl);
  for (let attempt = 0; ; attempt++) {
    const { session, trust } = await connection.client.httpSession();
    const socket = await connectTo(url, trust);
    const status = await sendConnect(socket, url, session).catch((error: unknown) => {
      socket.destroy();
      throw error;
    });
    if (status === 200) return socket;
    socket.destroy();
    // A session the host does not know (expired, toolstack restarted): log in again once, as for RPC calls.
    if (status === 401 && attempt === 0) {
      connection.client.sessionRefused(session);
      continue;
    }
    if (status === 401) throw new ConsoleUpstreamError("SESSION_REFUSED", "The host refused the pool's session for the console.");
    throw new ConsoleUpstreamError("CONSOLE_UNAVAILABLE", `The host did not open the console (HTTP ${status}): the VM may have stopped or moved.`);
  }
}

function connectTo(url: URL, trust: TrustPolicy): Promise<Socket> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  return new Promise((resolve, reject) => {
    const unreachable = (error: Error) =>
      reject(
        new ConsoleUpstreamError(
          "HOST_UNREACHABLE",
          `The host ${host} cannot be reached for the console (${(error as NodeJS.ErrnoException).code ?? error.message}).`,
        ),
      );
    if (url.protocol === "https:") {
      connectTls({ host, port, timeoutMs: OPEN_TIMEOUT_MS }, (error, socket: tls.TLSSocket) => {
        if (error) {
          socket.destroy();
          return unreachable(error);
        }
        try {
          assertTrusted(socket, host, trust);
        } catch (refused) {
          socket.destroy();
          return reject(new ConsoleUpstreamError("CERTIFICATE_REFUSED", (refused as Error).message));
        }
        resolve(socket);
      });
      return;
    }
    const socket = net.connect({ host, port, family: isIP(host) || undefined });
    socket.setTimeout(OPEN_TIMEOUT_MS, () => socket.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    socket.once("connect", () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once("error", (error) => {
      socket.destroy();
      unreachable(error);
    });
  });
}

/** Writes the CONNECT request and reads the answer's head; bytes after it are put back for the reader. */
function sendConnect(socket: Socket, url: URL, session: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new ConsoleUpstreamError("HOST_UNREACHABLE", "The host did not answer the console request in time.")), OPEN_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onError = (error: Error) =>
      fail(new ConsoleUpstreamError("HOST_UNREACHABLE", `The console connection failed (${(error as NodeJS.ErrnoException).code ?? "error"}).`));
    const onClose = () => fail(new ConsoleUpstreamError("CONSOLE_UNAVAILABLE", "The host closed the console connection before answering."));
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) fail(new ConsoleUpstreamError("CONSOLE_UNAVAILABLE", "The host answered the console request with garbage."));
        return;
      }
      cleanup();
      socket.pause();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString("latin1"));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(status ? Number(status[1]) : 0);
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
    const target = `${url.pathname}${url.search}`;
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${url.host}\r\nCookie: session_id=${session}\r\nUser-Agent: XenDeck\r\n\r\n`);
  });
}
