// Tests of the root proxy.ts (Vitest only collects tests under lib/ and app/).
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "@/lib/auth/paths";
import { config, isPublicPath, proxy } from "@/proxy";

const request = (path: string, cookie?: string) => new NextRequest(new URL(path, "http://xendeck.test"), { headers: cookie ? { cookie } : {} });

describe("proxy (optimistic session check)", () => {
  it("lets the login page, next-auth and Next's assets through", () => {
    for (const path of ["/login", "/login/help", "/api/auth/signin", "/api/auth/callback/credentials", "/_next/static/x.js"]) {
      expect(isPublicPath(path), path).toBe(true);
    }
    for (const path of ["/", "/vms", "/loginx", "/api/events", "/api/authz"]) expect(isPublicPath(path), path).toBe(false);
  });

  it("sends pages without a session cookie to the login page, keeping where they were going", () => {
    const response = proxy(request("/vms?q=power_state%3Arunning"));
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location")!);
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("callbackUrl")).toBe("/vms?q=power_state%3Arunning");
    expect(new URL(proxy(request("/")).headers.get("location")!).search).toBe("");
  });

  it("answers API calls without a session cookie with 401", async () => {
    const response = proxy(request("/api/vms/events"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Not signed in" });
  });

  it("lets requests with a session cookie through (the real check happens next to the data)", () => {
    for (const cookie of ["next-auth.session-token=abc", "__Secure-next-auth.session-token=abc", "next-auth.session-token.0=abc"]) {
      const response = proxy(request("/vms", cookie));
      expect(response.headers.get("x-middleware-next"), cookie).toBe("1");
    }
    expect(proxy(request("/vms", "next-auth.session-token=")).status).toBe(307);
    expect(proxy(request("/vms", "other=abc")).status).toBe(307);
  });
});

describe("proxy matcher", () => {
  it("runs the proxy only on requests without any of the session cookies (it lets the others through anyway)", () => {
    const [entry] = config.matcher;
    expect(config.matcher).toHaveLength(1);
    const names = entry!.missing.map((condition) => condition.key).sort();
    expect(names).toEqual([SECURE_SESSION_COOKIE, `${SECURE_SESSION_COOKIE}.0`, SESSION_COOKIE, `${SESSION_COOKIE}.0`].sort());
    for (const name of names) expect(proxy(request("/vms", `${name}=abc`)).headers.get("x-middleware-next"), name).toBe("1");
  });
});
