/**
 * `npm run bench:pages`: server response time of the VM list page at 10,000 VMs.
 *
 * Starts the simulator (2 pools × 5,000 VMs, no background activity), a fresh SQLite database in a temporary
 * directory with both pools registered, and the production build (built first unless XENDECK_SKIP_BUILD=1,
 * served from a private copy); signs in; waits for both pools to be synchronised; then, for each scenario
 * (first page, a filtered search, a sort) and each user (a global admin, and an operator whose access comes
 * from per-VM ACLs, so that every row goes through `can()`), 10 concurrent clients request the page, as a
 * full document load and as an in-app navigation (the React Server Components payload: what search, filters,
 * sorting, paging and live refreshes fetch); the time to the last byte of each response is recorded. Prints
 * p50/p95 per scenario (goal: p50 under 50 ms).
 *
 *   npm run bench:pages [-- --vms 5000 --pools 2 --clients 10 --requests 40 --per-page 50 --profile DIR]
 *
 * `--profile DIR` writes a CPU profile of the server (open it in Chrome's DevTools).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { adminActor, ensureRegisteredPool, ensureUser, prepareDatabase } from "@/lib/demo/seed";
import { buildApp, copyBuild, freePort, ROOT, startNext, stopChild, waitForHttp } from "@/lib/demo/next-server";
import { startSimulator } from "@/lib/xapi-sim/index";

interface Scenario {
  name: string;
  path: string;
  /** Text the answer must contain (it is the right page). */
  expect: string;
}

function scenarios(perPage: string | undefined): Scenario[] {
  const extra = perPage ? `perPage=${perPage}` : "";
  const join = (path: string) => (extra ? `${path}${path.includes("?") ? "&" : "?"}${extra}` : path);
  return [
    { name: "first page", path: join("/vms"), expect: "Virtual machines" },
    { name: "filtered search", path: join(`/vms?q=${encodeURIComponent("web power_state:running")}`), expect: "Virtual machines" },
    { name: "sort by memory", path: join("/vms?sort=memory&dir=desc"), expect: "Virtual machines" },
    // What any console page costs (session, shell, framework), for comparison.
    { name: "(pools page)", path: "/pools", expect: "Pools" },
  ];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Signs in through next-auth and returns the Cookie header of the session. */
async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const csrfResponse = await fetch(`${baseUrl}/api/auth/csrf`);
  const csrfCookies = csrfResponse.headers.getSetCookie().map((cookie) => cookie.split(";")[0]);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: csrfCookies.join("; ") },
    body: new URLSearchParams({ csrfToken, username, password, json: "true" }),
  });
  const session = response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!).find((cookie) => cookie.includes("session-token"));
  if (!session) throw new Error(`signing in ${username} failed (HTTP ${response.status})`);
  return session;
}

/**
 * How a browser asks for the page: a full document load, or a navigation within the app (search, filter,
 * sort, page links, live refreshes), which fetches only the React Server Components payload.
 */
type RequestKind = "document" | "navigation";

async function timedGet(url: string, cookie: string, kind: RequestKind, expected: string): Promise<number> {
  const headers: Record<string, string> = { Cookie: cookie, "Accept-Encoding": "gzip" };
  if (kind === "navigation") headers.RSC = "1";
  const started = performance.now();
  const response = await fetch(url, { headers, redirect: "manual" });
  const body = await response.text();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`);
  if (!body.includes(expected)) throw new Error(`GET ${url}: not the expected page`);
  return elapsed;
}

/**
 * Next answers an RSC request without its cache-busting `_rsc` parameter with a redirect to the URL that has
 * it (the browser's router always sends it): ask once, then request that URL.
 */
async function navigationUrl(url: string, cookie: string): Promise<string> {
  const response = await fetch(url, { headers: { Cookie: cookie, RSC: "1" }, redirect: "manual" });
  await response.text();
  const location = response.headers.get("location");
  return response.status === 307 && location ? new URL(location, url).toString() : url;
}

/** `clients` loops of `requests` sequential GETs each; returns every response time, sorted. */
async function load(pageUrl: string, cookie: string, kind: RequestKind, expected: string, clients: number, requests: number): Promise<number[]> {
  const url = kind === "navigation" ? await navigationUrl(pageUrl, cookie) : pageUrl;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < requests; i++) times.push(await timedGet(url, cookie, kind, expected));
    }),
  );
  return times.sort((a, b) => a - b);
}

async function waitForPools(baseUrl: string, cookie: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/api/pools`, { headers: { Cookie: cookie } });
    if (response.ok) {
      const pools = (await response.json()) as { state: string }[];
      if (pools.length === count && pools.every((pool) => pool.state === "connected")) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the pools did not synchronise in time");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pools: { type: "string" }, vms: { type: "string" }, clients: { type: "string" }, requests: { type: "string" }, profile: { type: "string" }, "per-page": { type: "string" } } });
  const poolCount = Number(values.pools ?? 2);
  const vmsPerPool = Number(values.vms ?? 5000);
  const clients = Number(values.clients ?? 10);
  const requests = Number(values.requests ?? 40);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xendeck-bench-pages-"));
  const runDir = path.join(ROOT, "e2e", ".run", `bench-pages-${process.pid}`);
  const env = {
    DATABASE_URL: `file:${path.join(dataDir, "xendeck.db")}`,
    XENDECK_DATA_DIR: dataDir,
    XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    XENDECK_ADMIN_PASSWORD: "bench-admin-password",
  };
  Object.assign(process.env, env);
  resetConfigForTests();

  console.log(`Simulator: ${poolCount} pools × ${vmsPerPool} VMs…`);
  const sim = await startSimulator({ pools: poolCount, hostsPerPool: 8, vmsPerPool, seed: 1 });
  let server: ReturnType<typeof startNext> | undefined;
  try {
    await prepareDatabase();
    const admin = await adminActor();
    const registered = [];
    for (const pool of sim.pools) registered.push(await ensureRegisteredPool(admin, { label: pool.name, url: pool.masterUrl, username: sim.username, password: sim.password }));
    // An operator whose access is 200 per-VM ACLs: every row of the list goes through can().
    const someVms = sim.inspect
      .all<{ uuid: string; is_a_template: boolean; is_a_snapshot: boolean; is_control_domain: boolean }>("VM")
      .filter(({ record }) => !record.is_a_template && !record.is_a_snapshot && !record.is_control_domain)
      .filter((_, index) => index % 50 === 0)
      .map(({ record }) => ({ kind: "vm" as const, uuid: record.uuid, role: "operator" as const }));
    await ensureUser(admin, { username: "bench-operator", password: "bench-operator-password", acls: someVms });
    await getDb().$disconnect();

    if (process.env.XENDECK_SKIP_BUILD !== "1") {
      console.log("Building the app (next build)…");
      await buildApp({ logFile: path.join(runDir, "build.log") });
    }
    const distDir = await copyBuild(path.join(runDir, "next"));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const nodeArgs = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
    server = startNext({ port, env: { ...process.env, ...env, NEXTAUTH_URL: baseUrl }, logFile: path.join(runDir, "server.log"), distDir, nodeArgs });
    await waitForHttp(`${baseUrl}/login`, 60_000, server);
    const adminCookie = await signIn(baseUrl, "admin", env.XENDECK_ADMIN_PASSWORD);
    const operatorCookie = await signIn(baseUrl, "bench-operator", "bench-operator-password");
    const syncStarted = performance.now();
    await waitForPools(baseUrl, adminCookie, registered.length, 300_000);
    console.log(`Pools synchronised (${((performance.now() - syncStarted) / 1000).toFixed(1)} s after the server answered).`);

    const results: { kind: RequestKind; user: string; scenario: string; p50: number; p95: number; max: number; n: number }[] = [];
    for (const kind of ["document", "navigation"] as const) {
      for (const [user, cookie] of [["admin", adminCookie], ["operator (200 VM ACLs)", operatorCookie]] as const) {
        for (const scenario of scenarios(values["per-page"])) {
          const url = `${baseUrl}${scenario.path}`;
          await load(url, cookie, kind, scenario.expect, clients, 3); // warm-up: compiled code paths, memoised rows and search keys
          const times = await load(url, cookie, kind, scenario.expect, clients, requests);
          results.push({ kind, user, scenario: scenario.name, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)!, n: times.length });
        }
      }
    }

    console.log(`\nVM list page, ${poolCount * vmsPerPool} VMs, ${clients} concurrent clients, ${requests} requests each (time to last byte):\n`);
    console.log(`${"request".padEnd(12)}${"user".padEnd(24)}${"scenario".padEnd(18)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"max ms".padStart(9)}${"n".padStart(6)}`);
    for (const r of results) {
      console.log(
        `${r.kind.padEnd(12)}${r.user.padEnd(24)}${r.scenario.padEnd(18)}${r.p50.toFixed(1).padStart(9)}${r.p95.toFixed(1).padStart(9)}${r.max.toFixed(1).padStart(9)}${String(r.n).padStart(6)}`,
      );
    }
    for (const kind of ["document", "navigation"] as const) {
      const worst = Math.max(...results.filter((r) => r.kind === kind && !r.scenario.startsWith("(")).map((r) => r.p50));
      console.log(`Goal p50 < 50 ms, ${kind} requests: ${worst < 50 ? "met" : "NOT met"} (worst p50 ${worst.toFixed(1)} ms).`);
    }
  } finally {
    await stopChild(server);
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.XENDECK_KEEP_RUN !== "1") rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:pages: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
