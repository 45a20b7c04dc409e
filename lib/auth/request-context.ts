/**
 * The client address of the current request, for login throttling and the audit log.
 *
 * Next.js puts the socket address in X-Forwarded-For only when the request has none, so a client talking to
 * Next directly can forge it: the address is only trustworthy behind reverse proxies that append to the
 * header, counted by XENDECK_TRUSTED_PROXIES (the address the first trusted proxy saw is used).
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { isIP } from "node:net";
import { getConfig } from "@/lib/config";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
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

/** The client address from request headers, given how many trusted reverse proxies sit in front. */
export function clientAddressFromHeaders(headers: HeaderSource, trustedProxies: number): string | null {
  const hops = (headerValue(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length === 0) return null;
  const index = Math.max(0, hops.length - Math.max(trustedProxies, 1));
  return normaliseAddress(hops[index]!);
}

const requestAddress = new AsyncLocalStorage<string | null>();

/** Runs `fn` with `address` as the current request's address (used by the next-auth route handler). */
export function runWithClientAddress<T>(address: string | null, fn: () => T): T {
  return requestAddress.run(address, fn);
}

/**
 * The current request's client address: the one set by `runWithClientAddress`, else read from `next/headers`
 * (server components, server actions, route handlers); null when unknown.
 */
export async function currentClientAddress(): Promise<string | null> {
  const stored = requestAddress.getStore();
  if (stored !== undefined) return stored;
  try {
    const { headers } = await import("next/headers");
    return clientAddressFromHeaders(await headers(), getConfig().trustedProxies);
  } catch {
    return null; // outside a request (scripts, tests)
  }
}
