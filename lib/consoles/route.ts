/**
 * The console endpoint: `GET /api/consoles/<vm uuid>[?protocol=rfb|vt100]` upgraded to a websocket (the
 * browser offers the `binary` subprotocol, as noVNC does with XAPI). In order:
 *
 * 1. load shedding: at most MAX_PENDING handshakes are worked on at once (503 beyond, before any work);
 * 2. the Origin must be XenDeck's own (403): another site cannot open a console with the user's cookies;
 * 3. the session cookie must hold a valid session, checked like every page does (401);
 * 4. the websocket is accepted; what follows is refused with a close code and a sentence the page shows:
 *    the VM must exist and be visible to the user (else "not found", whether it exists or not), the user must
 *    have `vm.console` on it (`host.console` for a control domain), the user and the server must be under
 *    their console limits, the VM must be running;
 * 5. the console is opened on the VM's resident host with the pool's session (upstream.ts); if the host says
 *    no because the cache was behind (the VM just moved), the cache catches up and it is tried once more;
 * 6. the opening is audited (`vm.console`, ok) and only then bytes flow (relay.ts); the close is audited with
 *    the duration, the bytes each way and why it closed. Every refusal is audited too (outcome `refused`, or
 *    `error` when the host could not open the console).
 *
 * While open, the console is re-authorized every few seconds (open-consoles.ts).
 */
import "server-only";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { can } from "@/lib/access/can";
import { NOT_SIGNED_IN, PASSWORD_CHANGE_REQUIRED } from "@/lib/access/refusal";
import { recordAudit, type AuditInput } from "@/lib/audit/record";
import { userFromSessionCookies } from "@/lib/auth/current-user";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getConfig } from "@/lib/config";
import { CONSOLE_CLOSE } from "./close-codes";
import { consoleEndpoint, locateConsoleVm, type LocatedConsoleVm } from "./locate";
import { openConsoles, type OpenConsole } from "./open-consoles";
import { ConsoleRelay, type EarlyMessage } from "./relay";
import { consoleClientAddress, consoleTarget, cookieReader, isSameOrigin, type ConsoleTarget } from "./request";
import { RfbActivityTracker } from "./rfb-activity";
import { ConsoleUpstreamError, openUpstream } from "./upstream";

/** The same answer for a VM that does not exist and one the user may not see (as the VM pages give). */
const NOT_FOUND = "This VM does not exist, or you do not have access to it.";
/** Handshakes being worked on at once; more are refused at once (a flood of connections costs nothing else). */
const MAX_PENDING = 32;
/** Consoles one user may have open at once, and the whole server. */
export const MAX_CONSOLES_PER_USER = 10;
export const MAX_CONSOLES = 200;
/** Largest message a browser may send (a pasted text is one ClientCutText message). */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long the cache may take to catch up with a VM that moved, before the second attempt. */
const CATCH_UP_MS = 3_000;

export const CONSOLE_AUDIT_ACTION = "vm.console";
export const CONSOLE_CLOSE_AUDIT_ACTION = "vm.console.close";

const websockets = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: MAX_MESSAGE_BYTES,
  handleProtocols: (protocols) => (protocols.has("binary") ? "binary" : false),
});

let pending = 0;
let shedSince = 0;
let shedCount = 0;

/** The upgrade handler registered for CONSOLE_PATH_PREFIX (register.ts). Never throws. */
export function handleConsoleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on("error", () => socket.destroy());
  if (pending >= MAX_PENDING) {
    noteShed();
    return refuseHttp(socket, 503, "Too many console connections are being opened; try again shortly.");
  }
  pending++;
  openConsole(request, socket, head)
    .catch((error: unknown) => {
      console.error(`[xendeck consoles] opening a console failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
    })
    .finally(() => pending--);
}

/** Console handshakes being worked on right now. */
export function pendingHandshakes(): number {
  return pending;
}

/** Shed handshakes are logged at most once a minute, with how many. */
function noteShed(): void {
  shedCount++;
  const now = Date.now();
  if (now - shedSince < 60_000) return;
  console.warn(`[xendeck consoles] ${shedCount} console handshake(s) refused: more than ${MAX_PENDING} at once`);
  shedSince = now;
  shedCount = 0;
}

interface AuditBase {
  actor: CurrentUser | null;
  address: string | null;
  target: ConsoleTarget;
}

async function audit(entry: AuditInput): Promise<boolean> {
  try {
    await recordAudit(entry);
    return true;
  } catch (error) {
    console.error(`[xendeck consoles] could not record ${entry.action} on ${entry.object?.uuid}: ${String(error)}`);
    return false;
  }
}

/** A refusal: the object is named only when the user may see it (users read their own audit entries). */
function auditRefusal(base: AuditBase, code: string, message: string, located?: LocatedConsoleVm, outcome: "refused" | "error" = "refused") {
  return audit({
    actor: base.actor,
    address: base.address,
    action: CONSOLE_AUDIT_ACTION,
    object: { kind: "vm", uuid: base.target.vmUuid, label: located?.label ?? null },
    poolId: located?.poolId ?? null,
    params: { protocol: base.target.protocol },
    outcome,
    error: { code, message },
  });
}

async function openConsole(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const config = getConfig();
  const target = consoleTarget(request.url);
  if (!target) return refuseHttp(socket, 404, "Not found");
  const base: AuditBase = { actor: null, address: consoleClientAddress(request, config.trustedProxies), target };
  if (!isSameOrigin(request, config.publicUrl)) {
    await auditRefusal(base, "BAD_ORIGIN", `Console requested from another origin (${String(request.headers.origin ?? "none").slice(0, 200)})`);
    return refuseHttp(socket, 403, "Forbidden");
  }
  const readCookies = cookieReader(request.headers.cookie);
  const user = await userFromSessionCookies(readCookies);
  if (!user) {
    await auditRefusal(base, "NOT_SIGNED_IN", NOT_SIGNED_IN);
    return refuseHttp(socket, 401, NOT_SIGNED_IN);
  }
  base.actor = user;

  const accepted = await acceptWebSocket(request, socket, head);
  if (!accepted) return;
  const { websocket } = accepted;
  const refuse = async (code: number, reason: string, auditCode: string, located?: LocatedConsoleVm, outcome?: "refused" | "error") => {
    await auditRefusal(base, auditCode, reason, located, outcome);
    closeWith(websocket, code, reason);
  };

  if (user.mustChangePassword) return refuse(CONSOLE_CLOSE.notAllowed, PASSWORD_CHANGE_REQUIRED, "PASSWORD_CHANGE_REQUIRED");
  const located = locateConsoleVm(target.vmUuid);
  if (!located || !can(user, located.viewPermission, located.target)) return refuse(CONSOLE_CLOSE.notFound, NOT_FOUND, "NOT_FOUND");
  if (!can(user, located.permission, located.target))
    return refuse(CONSOLE_CLOSE.notAllowed, "You are not allowed to open this console.", "NOT_ALLOWED", located);
  const open = openConsoles();
  if (open.countFor(user.id) >= MAX_CONSOLES_PER_USER)
    return refuse(CONSOLE_CLOSE.tooMany, `You have ${MAX_CONSOLES_PER_USER} consoles open already; close one first.`, "TOO_MANY_CONSOLES", located);
  if (open.size >= MAX_CONSOLES)
    return refuse(CONSOLE_CLOSE.tooMany, "Too many consoles are open on this server; try again later.", "TOO_MANY_CONSOLES", located);

  let upstream: Duplex;
  try {
    upstream = await openOnResidentHost(target, located);
  } catch (error) {
    if (error instanceof NotRunning) return refuse(CONSOLE_CLOSE.notRunning, "The VM is not running, so it has no console now.", "VM_NOT_RUNNING", located);
    const upstreamError = error instanceof ConsoleUpstreamError ? error : new ConsoleUpstreamError("HOST_UNREACHABLE", "The console could not be opened.");
    return refuse(CONSOLE_CLOSE.unavailable, upstreamError.message, upstreamError.code, located, "error");
  }
  if (websocket.readyState !== WebSocket.OPEN) {
    // The browser left while the console was being opened: nothing was shown, nothing to record.
    upstream.destroy();
    return;
  }

  const id = randomUUID();
  const opened = await audit({
    actor: user,
    address: base.address,
    action: CONSOLE_AUDIT_ACTION,
    object: { kind: "vm", uuid: located.vm.uuid, label: located.label },
    poolId: located.poolId,
    params: { protocol: target.protocol, console: id },
    outcome: "ok",
  });
  if (!opened) {
    upstream.destroy();
    return closeWith(websocket, CONSOLE_CLOSE.auditFailed, "The console cannot be audited right now, so it was not opened.");
  }
  startRelay({ id, user, base, located, accepted, upstream, cookieHeader: request.headers.cookie ?? "", readCookies });
}

class NotRunning extends Error {}

/** Opens the console where the VM runs now; one more try after the cache caught up if the host refused. */
async function openOnResidentHost(target: ConsoleTarget, located: LocatedConsoleVm): Promise<Duplex> {
  for (let attempt = 0; ; attempt++) {
    const current = attempt === 0 ? located : locateConsoleVm(target.vmUuid);
    const endpoint = current && consoleEndpoint(current.connection, current.vm, target.protocol);
    if (!current || !endpoint) throw new NotRunning();
    try {
      return await openUpstream(current.connection, endpoint);
    } catch (error) {
      const retry = error instanceof ConsoleUpstreamError && error.code === "CONSOLE_UNAVAILABLE" && attempt === 0;
      if (!retry) throw error;
      await current.connection.catchUp(CATCH_UP_MS).catch(() => {});
    }
  }
}

interface RelayStart {
  id: string;
  user: CurrentUser;
  base: AuditBase;
  located: LocatedConsoleVm;
  accepted: AcceptedWebSocket;
  upstream: Duplex;
  cookieHeader: string;
  readCookies: OpenConsole["readCookies"];
}

function startRelay({ id, user, base, located, accepted, upstream, cookieHeader, readCookies }: RelayStart): void {
  const openedAt = Date.now();
  const tracker = base.target.protocol === "rfb" ? new RfbActivityTracker() : null;
  let closeReason: string | null = null;
  const entry: OpenConsole = {
    id,
    userId: user.id,
    cookieHeader,
    readCookies,
    vmUuid: located.vm.uuid,
    openedAt,
    lastInputAt: openedAt,
    close: (code, reason, auditReason) => {
      closeReason ??= auditReason;
      relay.close(code, shortReason(reason));
    },
    stats: () => ({ ...relay.counters, flowing: relay.flowing }),
  };
  const relay = new ConsoleRelay(accepted.websocket, upstream, {
    earlyMessages: accepted.takeEarlyMessages(),
    onInput: (chunk) => {
      if (!tracker || tracker.feed(chunk)) entry.lastInputAt = Date.now();
    },
    onEnd: (end, counters) => {
      openConsoles().delete(entry);
      const reason = closeReason ?? (end.by === "browser" ? "closed by the browser" : end.by === "console" ? "the console closed on the host" : end.reason);
      void audit({
        actor: user,
        address: base.address,
        action: CONSOLE_CLOSE_AUDIT_ACTION,
        object: { kind: "vm", uuid: located.vm.uuid, label: located.label },
        poolId: located.poolId,
        params: {
          protocol: base.target.protocol,
          console: id,
          durationSeconds: Math.round((Date.now() - openedAt) / 100) / 10,
          bytesToBrowser: counters.toBrowser,
          bytesFromBrowser: counters.fromBrowser,
          reason,
        },
        outcome: "ok",
      });
    },
  });
  openConsoles().add(entry);
}

/** An accepted websocket, and what the browser sent before the console was ready (replayed by the relay). */
interface AcceptedWebSocket {
  websocket: WebSocket;
  takeEarlyMessages(): EarlyMessage[];
}

/** Messages a browser may send before the console is open; more is not a console client. */
const MAX_EARLY_MESSAGES = 64;

/** Completes the websocket handshake; null when the socket went away or the request was not a valid one. */
function acceptWebSocket(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<AcceptedWebSocket | null> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(null);
    const gone = () => resolve(null);
    socket.once("close", gone);
    // ws answers an invalid handshake (400) itself and then never calls back: `close` settles it.
    websockets.handleUpgrade(request, socket, head, (websocket) => {
      socket.off("close", gone);
      // Until the relay starts, messages are kept (none may be lost) and the socket is not read further.
      const early: EarlyMessage[] = [];
      const keep = (data: Buffer, isBinary: boolean) => {
        early.push({ data, isBinary });
        if (early.length > MAX_EARLY_MESSAGES) closeWith(websocket, CONSOLE_CLOSE.badInput, "Too many messages before the console opened.");
      };
      websocket.on("message", keep);
      websocket.on("error", () => websocket.terminate());
      websocket.pause();
      resolve({
        websocket,
        takeEarlyMessages: () => {
          websocket.off("message", keep);
          return early.splice(0);
        },
      });
    });
  });
}

function closeWith(websocket: WebSocket, code: number, reason: string): void {
  // Read again, or the browser's answer to the close frame would wait in a paused socket until ws's timeout.
  websocket.resume();
  if (websocket.readyState === WebSocket.OPEN) websocket.close(code, shortReason(reason));
  else websocket.terminate();
}

/** A close reason fits in 123 bytes. */
function shortReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123
    ? reason
    : `${Buffer.from(reason)
        .subarray(0, 119)
        .toString("utf8")
        .replace(/\uFFFD$/, "")}...`;
}

function refuseHttp(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  const reason = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" }[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
