/**
 * What a console websocket request says, read from the raw upgrade request (no Next.js request scope here):
 * which VM and console protocol, the session cookies, whether it comes from XenDeck's own pages (Origin), and
 * the client's address for the audit log.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { CookieReader } from "@/lib/auth/current-user";
import { clientAddressFromHeaders } from "@/lib/auth/request-context";

/** Where consoles are served: `/api/consoles/<vm uuid>[?protocol=rfb|vt100]`. */
export const CONSOLE_PATH_PREFIX = "/api/consoles/";

export type ConsoleProtocol = "rfb" | "vt100";

/** The peer address stamped by the custom server (lib/server/http-server.ts), which no client can set. */
const PEER_ADDRESS_HEADER = "x-xendeck-peer-address";

export interface ConsoleTarget {
  vmUuid: string;
  protocol: ConsoleProtocol;
}

/** The VM and protocol a request asks for; null when the URL is not a console URL. */
export function consoleTarget(url: string | undefined): ConsoleTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url ?? "", "http://xendeck.invalid");
  } catch {
    return null;
  }
  if (!parsed.pathname.startsWith(CONSOLE_PATH_PREFIX)) return null;
  const vmUuid = parsed.pathname.slice(CONSOLE_PATH_PREFIX.length);
  if (!/^[0-9A-Za-z-]{1,100}$/.test(vmUuid)) return null;
  const protocol = parsed.searchParams.get("protocol") ?? "rfb";
  if (protocol !== "rfb" && protocol !== "vt100") return null;
  return { vmUuid, protocol };
}

/** Reads cookies from a raw Cookie header, as `userFromSessionCookies` wants them. */
export function cookieReader(header: string | undefined): CookieReader {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(index + 1).trim());
  }
  return (name) => cookies.get(name);
}

/**
 * Is the request from a page of XenDeck itself? Browsers always send `Origin` on websocket handshakes and
 * pages cannot forge it, so this is what stops another site from opening consoles with the user's cookies
 * (cross-site websocket hijacking). With NEXTAUTH_URL set, the Origin must be that URL's origin; otherwise
 * it must name the host the request was sent to.
 */
export function isSameOrigin(request: IncomingMessage, publicUrl: string | null): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  if (publicUrl) return parsed.origin === new URL(publicUrl).origin;
  const host = request.headers.host;
  return typeof host === "string" && host.toLowerCase() === parsed.host;
}

/**
 * The client's address for the audit log: the socket's peer when XenDeck is reached directly, the address the
 * first trusted proxy saw otherwise (the same rule as lib/auth/request-context.ts).
 */
export function consoleClientAddress(request: IncomingMessage, trustedProxies: number): string | null {
  if (trustedProxies > 0) return clientAddressFromHeaders(request.headers, trustedProxies);
  const peer = request.headers[PEER_ADDRESS_HEADER];
  const address = typeof peer === "string" && peer ? peer : (request.socket.remoteAddress ?? "");
  const plain = address.toLowerCase().startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(plain) ? plain : null;
}
