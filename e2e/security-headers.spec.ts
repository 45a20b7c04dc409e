/**
 * Security headers and the Content-Security-Policy, as served by XenDeck's server: on every kind of response
 * (pages, redirects, route handlers, static files, the server's own 400), a fresh nonce per request that Next's
 * scripts carry, and no CSP violation reported by Chromium on any console page. The list of pages is read from
 * app/(console): a new page is visited without touching this spec (a new kind of dynamic segment needs a
 * sample value below). Malformed URLs answer 400, not 500.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { APIResponse, Page } from "@playwright/test";
import { userId } from "./support/access";
import { runDbCli } from "./support/db";
import { expect, test } from "./support/fixtures";

const CONSOLE_DIR = fileURLToPath(new URL("../app/(console)", import.meta.url));

/** The routes of every page.tsx under `dir`, as patterns ("/vms/[uuid]"); route groups "(x)" add nothing. */
function pageRoutes(dir: string, route = ""): string[] {
  const routes: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      if (entry.startsWith("_")) continue; // private folders (components)
      routes.push(...pageRoutes(full, /^\(.*\)$/.test(entry) ? route : `${route}/${entry}`));
    } else if (entry === "page.tsx") routes.push(route || "/");
  }
  return routes.sort();
}

/** Turns a route pattern into a URL of something that exists in the run. */
function concreteUrl(pattern: string, samples: Record<string, string>): string {
  return pattern.replace(/\/([^/]+)\/\[([^\]]+)\]/g, (_whole, parent: string, segment: string) => {
    const value = samples[`${parent}/[${segment}]`];
    if (!value) throw new Error(`no sample value for ${parent}/[${segment}] in ${pattern}: add one to security-headers.spec.ts`);
    return `/${parent}/${encodeURIComponent(value)}`;
  });
}

function directivesOf(response: APIResponse): Map<string, string[]> {
  const policy = response.headers()["content-security-policy"] ?? "";
  return new Map(
    policy
      .split(";")
      .map((part) => part.trim().split(/\s+/) as [string, ...string[]])
      .map(([name, ...values]) => [name, values]),
  );
}

function expectSecurityHeaders(response: APIResponse, what: string): void {
  const headers = response.headers();
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["referrer-policy"], what).toBe("same-origin");
  expect(headers["permissions-policy"], what).toContain("camera=()");
  expect(headers["x-frame-options"], what).toBe("DENY");
  // The run is served over http: no HSTS (the https case is a unit test of lib/server/security-headers.ts).
  expect(headers["strict-transport-security"], what).toBeUndefined();
  const csp = directivesOf(response);
  expect(csp.get("frame-ancestors"), what).toEqual(["'none'"]);
  expect(csp.get("object-src"), what).toEqual(["'none'"]);
  expect(csp.get("base-uri"), what).toEqual(["'self'"]);
  expect(csp.get("connect-src")?.[0], what).toBe("'self'");
  expect(csp.get("script-src"), what).toEqual(expect.arrayContaining(["'self'", "'strict-dynamic'", expect.stringMatching(/^'nonce-[A-Za-z0-9+/=]+'$/)]));
  expect(csp.get("script-src"), what).not.toContain("'unsafe-inline'");
  expect(csp.get("script-src"), what).not.toContain("'unsafe-eval'");
}

/** Collects what Chromium reports about CSP on `page`: violation events and console messages. */
async function watchCsp(page: Page): Promise<string[]> {
  const reports: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())) reports.push(`console: ${message.text()}`);
  });
  await page.exposeFunction("__reportCspViolation", (text: string) => reports.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation(
        `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return reports;
}

/** Waits until the page has loaded and the browser is idle (hydration and its scripts done). */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("load");
  await page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 5_000 })));
}

test.describe("headers", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("are on pages, redirects, route handlers, static files and error answers", async ({ request, run }) => {
    const answers: [string, APIResponse, number][] = [
      ["the login page", await request.get("/login"), 200],
      ["the redirect to the login page", await request.get("/vms", { maxRedirects: 0 }), 307],
      ["a route handler's refusal", await request.get("/api/pools"), 401],
      ["next-auth's CSRF endpoint", await request.get("/api/auth/csrf"), 200],
      ["a static file", await request.get("/favicon.svg"), 200],
      ["a malformed URL", await request.get(`${run.baseUrl}/vms/%E0%A4%A`), 400],
    ];
    for (const [what, response, status] of answers) {
      expect(response.status(), what).toBe(status);
      expectSecurityHeaders(response, what);
    }
  });

  test("carry a new nonce on every page load, which Next's scripts carry too", async ({ page }) => {
    const first = await page.goto("/login");
    const second = await page.goto("/login");
    const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];
    const nonce = nonceOf(second!.headers()["content-security-policy"]);
    expect(nonce).toBeTruthy();
    expect(nonce).not.toBe(nonceOf(first!.headers()["content-security-policy"]));
    const scriptNonces = await page.locator("script[src]").evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
    expect(scriptNonces.length).toBeGreaterThan(0);
    expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  });
});

test.describe("malformed URLs", () => {
  test("answer 400, signed in or not, and the server goes on serving", async ({ request, playwright, run }) => {
    const anonymous = await playwright.request.newContext({ baseURL: run.baseUrl });
    try {
      for (const api of [request, anonymous]) {
        for (const target of ["/vms/%E0%A4%A", "/%", "/hosts/%C0%AF", "/api/pools/%zz"]) {
          const response = await api.get(`${run.baseUrl}${target}`, { maxRedirects: 0 });
          expect(response.status(), target).toBe(400);
        }
      }
      // A query that does not decode is the page's business: it reads its search params leniently.
      expect((await request.get(`${run.baseUrl}/vms?q=%E0%A4%A`)).status()).toBe(200);
      expect((await request.get("/vms")).status()).toBe(200);
    } finally {
      await anonymous.dispose();
    }
  });
});

test.describe("the content security policy", () => {
  test("is not violated on any console page", async ({ page, run, vm }) => {
    test.slow(); // every page of the console, one after the other
    const reports = await watchCsp(page);
    const lab = run.pools.find((pool) => pool.name === "lab")!;
    const group = await runDbCli<{ id: string }>(run.appEnv, ["create-group", `csp-${test.info().workerIndex}-${Date.now().toString(36)}`]);
    const samples: Record<string, string> = {
      "vms/[uuid]": vm("lab", run.vms.find((candidate) => candidate.pool === "lab")!.name).uuid,
      "hosts/[uuid]": lab.hosts[0]!.uuid,
      "pools/[id]": lab.id!,
      "users/[id]": userId(run, "admin"),
      "groups/[id]": group.id,
    };
    const routes = pageRoutes(CONSOLE_DIR);
    expect(routes).toEqual(expect.arrayContaining(["/", "/vms", "/vms/[uuid]", "/settings/two-factor", "/admin/security"]));
    for (const route of routes) {
      const url = concreteUrl(route, samples);
      const response = await page.goto(url);
      expect(response?.status(), url).toBe(200);
      await settled(page);
    }
    // An unknown URL: the not-found page.
    expect((await page.goto("/no/such/page"))?.status()).toBe(404);
    await settled(page);
    expect(reports).toEqual([]);

    // The watch does see a violation: an image from elsewhere is blocked and reported.
    await page.evaluate(() => {
      const image = document.createElement("img");
      image.src = "https://example.invalid/pixel.png";
      document.body.append(image);
    });
    await expect.poll(() => reports.length).toBeGreaterThan(0);
    expect(reports.join("\n")).toContain("img-src");
  });

  test("is not violated on the login page, signing in and out", async ({ browser, run }) => {
    const context = await browser.newContext({ baseURL: run.baseUrl, storageState: { cookies: [], origins: [] } });
    try {
      const page = await context.newPage();
      const reports = await watchCsp(page);
      await page.goto("/login");
      await settled(page);
      await page.getByLabel("Username").fill("viewer");
      await page.getByLabel("Password").fill(run.users.viewer.password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL((url) => url.pathname === "/");
      await settled(page);
      await page.getByRole("button", { name: /Account menu/ }).click();
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(/\/login/);
      await settled(page);
      expect(reports).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
