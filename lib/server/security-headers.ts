/**
 * The security headers of every response, set by XenDeck's HTTP server before Next.js handles the request (so
 * pages, route handlers, redirects, static files and the server's own error answers all carry them).
 *
 * The Content-Security-Policy allows scripts by a nonce made for each request: the server also writes the
 * policy into the request's `content-security-policy` header, where Next.js reads the nonce and puts it on the
 * scripts it renders ('strict-dynamic' then trusts the chunks those scripts load). The one inline script of our
 * own (the colour theme, run before first paint) is allowed by its hash. Styles may be inline: React and the
 * design system set style attributes, which nonces cannot cover, and styles cannot run code.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { themeInitScript } from "../ui/theme";

export interface SecurityHeaderOptions {
  /** `next dev`: React's development build needs eval for its debugging information. */
  dev: boolean;
  /** The public URL (NEXTAUTH_URL), when set: HSTS when it is https; the websocket origin. */
  publicUrl?: string | null;
}

const THEME_SCRIPT_HASH = `'sha256-${createHash("sha256").update(themeInitScript).digest("base64")}'`;

/** Headers that do not change from one request to the next. */
export function staticSecurityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), interest-cohort=()",
    // For browsers without CSP frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  // Only when browsers reach XenDeck over https: on plain http the header is ignored anyway, and sending it from
  // a test or lab host could pin a name to https for a year.
  if (options.publicUrl?.startsWith("https://")) headers["Strict-Transport-Security"] = "max-age=31536000";
  return headers;
}

/** A Host header fit to appear in a policy (a name or address and a port); null otherwise. */
function safeHost(host: string | undefined): string | null {
  return host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : null;
}

/**
 * The websocket origins of the site (VM consoles): `'self'` covers ws:/wss: of the same host in current
 * browsers, named explicitly for the others. From the public URL when set, else from the request's Host.
 */
function websocketSources(options: SecurityHeaderOptions, host: string | undefined): string[] {
  if (options.publicUrl) {
    const url = new URL(options.publicUrl);
    return [`${url.protocol === "https:" ? "wss" : "ws"}://${url.host}`];
  }
  const safe = safeHost(host);
  return safe ? [`ws://${safe}`, `wss://${safe}`] : [];
}

/** The Content-Security-Policy for a response whose scripts carry `nonce`. */
export function contentSecurityPolicy(nonce: string, options: SecurityHeaderOptions, host?: string): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", THEME_SCRIPT_HASH, ...(options.dev ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...websocketSources(options, host)],
    ["frame-ancestors", "'none'"],
    ["frame-src", "'none'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'"],
  ];
  return directives.map((directive) => directive.join(" ")).join("; ");
}

/** Sets the headers on `response`, and the policy on `request` for Next.js to find the nonce. */
export type SecurityHeaderApplier = (request: IncomingMessage, response: ServerResponse) => void;

export function securityHeaderApplier(options: SecurityHeaderOptions): SecurityHeaderApplier {
  const fixed = Object.entries(staticSecurityHeaders(options));
  return (request, response) => {
    const policy = contentSecurityPolicy(randomBytes(16).toString("base64"), options, request.headers.host);
    // Whatever the client sent under these names must not choose the nonce Next.js uses.
    delete request.headers["content-security-policy-report-only"];
    request.headers["content-security-policy"] = policy;
    response.setHeader("Content-Security-Policy", policy);
    for (const [name, value] of fixed) response.setHeader(name, value);
  };
}
