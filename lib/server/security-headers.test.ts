import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { themeInitScript } from "@/lib/ui/theme";
import { contentSecurityPolicy, securityHeaderApplier, staticSecurityHeaders } from "./security-headers";

const directives = (policy: string) => new Map(policy.split("; ").map((directive) => [directive.split(" ")[0]!, directive.split(" ").slice(1)]));

function fakeExchange(requestHeaders: Record<string, string>) {
  const request = { headers: { ...requestHeaders } } as unknown as IncomingMessage;
  const sent = new Map<string, string>();
  const response = { setHeader: (name: string, value: string) => sent.set(name.toLowerCase(), value) } as unknown as ServerResponse;
  return { request, response, sent };
}

describe("content security policy", () => {
  it("allows scripts by nonce and our theme script by its hash, and nothing framed, embedded or re-based", () => {
    const policy = directives(contentSecurityPolicy("bm9uY2U=", { dev: false }, "xendeck.test:3000"));
    const themeHash = `'sha256-${createHash("sha256").update(themeInitScript).digest("base64")}'`;
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'", themeHash]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("connect-src")).toEqual(["'self'", "ws://xendeck.test:3000", "wss://xendeck.test:3000"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
  });

  it("names the public URL's websocket origin when set, and never a Host header that could inject directives", () => {
    expect(directives(contentSecurityPolicy("n", { dev: false, publicUrl: "https://deck.example.net" }, "evil.test")).get("connect-src")).toEqual([
      "'self'",
      "wss://deck.example.net",
    ]);
    expect(directives(contentSecurityPolicy("n", { dev: false }, "a.test; script-src *")).get("connect-src")).toEqual(["'self'"]);
    expect(directives(contentSecurityPolicy("n", { dev: false }, "[::1]:3000")).get("connect-src")).toEqual(["'self'", "ws://[::1]:3000", "wss://[::1]:3000"]);
  });

  it("allows eval only in development, where React needs it", () => {
    expect(directives(contentSecurityPolicy("n", { dev: true })).get("script-src")).toContain("'unsafe-eval'");
    expect(directives(contentSecurityPolicy("n", { dev: false })).get("script-src")).not.toContain("'unsafe-eval'");
  });
});

describe("security headers", () => {
  it("sends HSTS only when the public URL is https", () => {
    expect(staticSecurityHeaders({ dev: false, publicUrl: "https://deck.example.net" })["Strict-Transport-Security"]).toBe("max-age=31536000");
    expect(staticSecurityHeaders({ dev: false, publicUrl: "http://deck.example.net" })).not.toHaveProperty("Strict-Transport-Security");
    expect(staticSecurityHeaders({ dev: false })).not.toHaveProperty("Strict-Transport-Security");
  });

  it("gives each request a new nonce, in the response and in the request header Next.js reads, replacing the client's", () => {
    const apply = securityHeaderApplier({ dev: false });
    const first = fakeExchange({ host: "xendeck.test", "content-security-policy": "script-src 'nonce-chosen'", "content-security-policy-report-only": "x" });
    const second = fakeExchange({ host: "xendeck.test" });
    apply(first.request, first.response);
    apply(second.request, second.response);

    const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];
    expect(nonceOf(first.sent.get("content-security-policy"))).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(first.request.headers["content-security-policy"]).toBe(first.sent.get("content-security-policy"));
    expect(first.request.headers["content-security-policy-report-only"]).toBeUndefined();
    expect(nonceOf(second.sent.get("content-security-policy"))).not.toBe(nonceOf(first.sent.get("content-security-policy")));
    expect(Object.fromEntries(first.sent)).toMatchObject({
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "x-frame-options": "DENY",
    });
    expect(first.sent.get("permissions-policy")).toContain("camera=()");
  });
});
