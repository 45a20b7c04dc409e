/**
 * The client address of the current request, for login throttling and the audit log.
 *
 * The base is the TCP peer of the request's socket, which XenDeck's HTTP server writes into
 * `x-xendeck-peer-address` (replacing any value a client sent): no client can choose it. With no trusted proxy
 * (XENDECK_TRUSTED_PROXIES=0, the default) that is the client address and X-Forwarded-For is ignored, since any
 * client can write it. Behind N reverse proxies that each append the address they saw, the client is the N-th
 * address from the right of X-Forwarded-For: what the client itself wrote further left is ignored.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { isIP } from "node:net";
import { getConfig } from "@/lib/config";
import { PEER_ADDRESS_HEADER } from "./peer-address";

/** Fetch-style headers (Next's requests and `headers()`), or a Node-style record (next-auth's request object). */
export type HeaderSource = Pick<Headers, "get"> | Record<string, string | string[] | undefined>;

export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === "function") return (headers as Pick<Headers, "get">).get(name) ?? undefined;
  headers = headers as Record<string, string | string[] | undefined>;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Cleans one address: IPv4-mapped IPv6 shown as IPv4, ports and brackets removed; null when not an IP. */
function normaliseAddress(raw: string): string | null {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  if (address.toLowerCase().startsWith("::ffff:") && isIP(address.slice(7)) === 4) address = address.slice(7);
  return isIP(address) ? address : null;
}

/**
 * The client address from request headers, given how many trusted reverse proxies sit in front: the socket's
 * peer with none; otherwise the `trustedProxies`-th address from the right of X-Forwarded-For, or the peer when
 * the header has fewer entries (a request that did not come through every proxy). Null when unknown.
 */
export function clientAddressFromHeaders(headers: HeaderSource, trustedProxies: number): string | null {
  const peer = normaliseAddress(headerValue(headers, PEER_ADDRESS_HEADER) ?? "");
  if (trustedProxies <= 0) return peer;
  const hops = (headerValue(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length < trustedProxies) return peer;
  return normaliseAddress(hops[hops.length - trustedProxies]!);
}

const requestAddress = new AsyncLocalStorage<string | null>();

/** Runs `fn` with `address` as the current request's address (used by the next-auth route handler). */
export function runWithClientAddress<T>(address: string | null, fn: () => T): T {
  return requestAddress.run(address, fn);
}

/** The current request's headers from `next/headers`; null outside a request (scripts, tests). */
export async function currentRequestHeaders(): Promise<Pick<Headers, "get"> | null> {
  try {
    const { headers } = await import("next/headers");
    return await headers();
  } catch {
    return null;
  }
}

/**
 * The current request's client address: the one set by `runWithClientAddress`, else read from `next/headers`
 * (server components, server actions, route handlers); null when unknown.
 */
export async function currentClientAddress(): Promise<string | null> {
  const stored = requestAddress.getStore();
  if (stored !== undefined) return stored;
  const headers = await currentRequestHeaders();
  return headers ? clientAddressFromHeaders(headers, getConfig().trustedProxies) : null;
}
