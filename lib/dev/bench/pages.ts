/**
 * `npm run bench:pages`: server response time of the VM list page at 10,000 VMs.
 *
 * Starts the simulator (2 pools × 5,000 VMs, no background activity), a fresh SQLite database in a temporary
 * directory with both pools registered, and the production build (built first unless XENDECK_SKIP_BUILD=1,
 * served from a private copy); signs in; waits for both pools to be synchronised; then, for each scenario
 * (first page, a filtered search, a sort) and each user (a global admin, and an operator whose access comes
 * from per-VM ACLs, so that every row goes through `can()`), 10 concurrent clients request the page, as a
 * full document load and as an in-app navigation (the React Server Components payload: what search, filters,
 * sorting, paging and live refreshes fetch), after a warm-up on every one of these requests; the time to the
 * last byte of each response is recorded. Prints p50/p95 per scenario (goal: p50 under 50 ms), once with a
 * single client and once with `--clients` concurrent ones (keep-alive connections, like browsers), and the
 * server's CPU time per request (from /proc: what the 10-client figures are bound by on a one-threaded server,
 * and much less noisy on a shared machine).
 *
 *   npm run bench:pages [-- --vms 5000 --pools 2 --clients 10 --requests 40 --per-page 50 --instances 1 --compress --profile DIR --serve]
 *
 * `--instances N` starts N app servers on ports of their own, as the documented scale-out (several
 * app instances behind a load balancer): the same build, database and secrets, each with its own connections
 * to the simulator's pools. Client i talks to instance i mod N throughout (a load balancer with sticky
 * connections); the session cookie from signing in on the first instance is used on all of them. Measuring
 * starts once every instance's pools are synchronised; the table adds each instance's CPU per request it served.
 * The clients accept gzip, as browsers do. The server answers uncompressed, as configured by default (a TLS proxy
 * in front compresses); `--compress` measures it with XENDECK_COMPRESS=1 (Node compresses every response).
 * `--profile DIR` writes a CPU profile of the server (open it in Chrome's DevTools).
 * `--serve` sets everything up, prints the server's address and the users' session cookies, and keeps serving
 * until Ctrl-C instead of measuring (to profile or try requests by hand).
 * With XENDECK_DIST_DIR set (e.g. e2e/.run/next-perf), the bench builds into that directory and serves it
 * (no shared `.next`, no copy); XENDECK_SKIP_BUILD=1 serves the build already there.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { adminActor, ensureRegisteredPool, ensureUser, prepareDatabase } from "@/lib/dev/demo/seed";
import { buildApp, copyBuild, freePort, ROOT, runLogged, startAppServer, stopChild, waitForHttp } from "@/lib/dev/demo/next-server";
import { startSimulator } from "@/lib/dev/xapi-sim/index";
import { percentile, signIn } from "./bench-http";

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

/**
 * How a browser asks for the page: a full document load, or a navigation within the app (search, filter,
 * sort, page links, live refreshes), which fetches only the React Server Components payload.
 */
type RequestKind = "document" | "navigation";

/**
 * One keep-alive agent per bench, as a browser keeps its connections. The measured requests go through
 * `node:http` rather than `fetch`: on a 2-core machine the load generator shares the CPUs with the servers, and
 * `fetch` cost about 1.4 ms of CPU per 120 kB response against 0.5 ms here, time the servers then lacked.
 */
const agent = new http.Agent({ keepAlive: true });

function timedGet(url: string, cookie: string, kind: RequestKind, expected: string): Promise<number> {
  const headers: Record<string, string> = { Cookie: cookie, "Accept-Encoding": "gzip" };
  if (kind === "navigation") headers.RSC = "1";
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const elapsed = performance.now() - started;
        if (response.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${response.statusCode}`));
        // Compressed answers (--compress) are checked decompressed; the time is the transfer's.
        const raw = Buffer.concat(chunks);
        const body = response.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
        if (!body.includes(expected)) return reject(new Error(`GET ${url}: not the expected page`));
        resolve(elapsed);
      });
    });
    request.on("error", reject);
  });
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

/**
 * `clients` loops of `requests` sequential GETs each, client i to `urls[i mod urls.length]` (one URL per
 * instance); returns every response time, sorted.
 */
async function load(urls: string[], cookie: string, kind: RequestKind, expected: string, clients: number, requests: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const url = urls[client % urls.length]!;
      for (let i = 0; i < requests; i++) times.push(await timedGet(url, cookie, kind, expected));
    }),
  );
  return times.sort((a, b) => a - b);
}

/** How many of `clients` round-robin clients talk to instance `instance` of `instances`. */
function clientsOf(instance: number, instances: number, clients: number): number {
  return Math.floor(clients / instances) + (instance < clients % instances ? 1 : 0);
}

/** CPU time (user + system) the process has used so far, in ms; null where /proc is not available. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  // Fields after the command name (which may hold spaces, hence the last ")"): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(")").at(-1)!.trim().split(" ");
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
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

interface Result {
  kind: RequestKind;
  user: string;
  scenario: string;
  clients: number;
  p50: number;
  p95: number;
  max: number;
  n: number;
  /** Server CPU time per request, ms, all instances together (null without /proc). */
  cpuMs: number | null;
  /** Per instance: its CPU time per request it served, ms (null without /proc or when it served none). */
  instanceCpuMs: (number | null)[];
}

/** Builds into XENDECK_DIST_DIR (a build of one's own), or into the shared `.next` and serves a copy of it. */
async function prepareBuild(runDir: string): Promise<string> {
  const own = process.env.XENDECK_DIST_DIR;
  const build = process.env.XENDECK_SKIP_BUILD !== "1";
  if (own) {
    if (build) {
      console.log(`Building the app into ${own} (next build)…`);
      // next build adds the types of any other distDir to tsconfig.json's "include": a shared file, put back as it was.
      const tsconfig = path.join(ROOT, "tsconfig.json");
      const original = readFileSync(tsconfig, "utf8");
      try {
        await runLogged(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], {
          env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
          logFile: path.join(runDir, "build.log"),
        });
      } finally {
        if (readFileSync(tsconfig, "utf8") !== original) writeFileSync(tsconfig, original);
      }
    }
    return own;
  }
  if (build) {
    console.log("Building the app (next build)…");
    await buildApp({ logFile: path.join(runDir, "build.log") });
  }
  return copyBuild(path.join(runDir, "next"));
}

/** The mean of the figures that are there, formatted; "n/a" when none is. */
function meanCell(values: (number | null | undefined)[], width: number): string {
  const present = values.filter((value): value is number => typeof value === "number");
  return (present.length > 0 ? (present.reduce((a, b) => a + b, 0) / present.length).toFixed(1) : "n/a").padStart(width);
}

function printResults(
  results: Result[],
  clientCounts: number[],
  poolCount: number,
  vmsPerPool: number,
  requests: number,
  instances: number,
  compress: boolean,
): void {
  const across = `${instances > 1 ? `, ${instances} server instances (client i on instance i mod ${instances})` : ""}${compress ? ", gzip by Node (XENDECK_COMPRESS=1)" : ""}`;
  const perInstance = instances > 1 ? "; CPU#i: instance i's CPU per request it served" : "";
  console.log(
    `\nVM list page, ${poolCount * vmsPerPool} VMs${across}, ${requests} requests per client, time to last byte (ms); server CPU per request (ms)${perInstance}:\n`,
  );
  const head = clientCounts
    .map((clients) => `${`${clients} client${clients === 1 ? "" : "s"}: p50`.padStart(17)}${"p95".padStart(7)}${"max".padStart(7)}`)
    .join("");
  const instanceHead = instances > 1 ? Array.from({ length: instances }, (_, i) => `CPU#${i + 1}`.padStart(7)).join("") : "";
  console.log(`${"request".padEnd(12)}${"user".padEnd(24)}${"scenario".padEnd(17)}${head}${"CPU/req".padStart(9)}${instanceHead}`);
  const keys = [...new Set(results.map((r) => `${r.kind}\t${r.user}\t${r.scenario}`))];
  for (const key of keys) {
    const [kind, user, scenario] = key.split("\t") as [string, string, string];
    const rows = results.filter((r) => r.kind === kind && r.user === user && r.scenario === scenario);
    const cells = clientCounts
      .map((clients) => rows.find((r) => r.clients === clients)!)
      .map((r) => `${r.p50.toFixed(1).padStart(17)}${r.p95.toFixed(1).padStart(7)}${r.max.toFixed(0).padStart(7)}`)
      .join("");
    const cpuCell = meanCell(
      rows.map((r) => r.cpuMs),
      9,
    );
    const instanceCells =
      instances > 1
        ? Array.from({ length: instances }, (_, i) =>
            meanCell(
              rows.map((r) => r.instanceCpuMs[i]),
              7,
            ),
          ).join("")
        : "";
    console.log(`${kind.padEnd(12)}${user.padEnd(24)}${scenario.padEnd(17)}${cells}${cpuCell}${instanceCells}`);
  }
  const most = Math.max(...clientCounts);
  for (const kind of ["document", "navigation"] as const) {
    const worst = Math.max(...results.filter((r) => r.kind === kind && r.clients === most && !r.scenario.startsWith("(")).map((r) => r.p50));
    console.log(`Goal p50 < 50 ms with ${most} clients, ${kind} requests: ${worst < 50 ? "met" : "NOT met"} (worst p50 ${worst.toFixed(1)} ms).`);
  }
}

/** One run's requests: which kind, as whom, and the URL on each instance. */
interface Run {
  kind: RequestKind;
  user: string;
  cookie: string;
  scenario: Scenario;
  urls: string[];
}

/** Warms every run up, then times each with 1 and with `clients` clients, with the servers' CPU per request. */
async function measure(
  runs: Run[],
  servers: ChildProcess[],
  { clients, clientCounts, requests, instances }: { clients: number; clientCounts: number[]; requests: number; instances: number },
): Promise<Result[]> {
  // Warm-up of every instance on every request measured, so that the first scenario does not pay for what a
  // server running for a while has done long ago: compiling hot code paths, memoising rows and search keys.
  for (const run of runs) await load(run.urls, run.cookie, run.kind, run.scenario.expect, clients, 10);

  const results: Result[] = [];
  for (const { kind, user, cookie, scenario, urls } of runs) {
    for (const count of clientCounts) {
      const cpuBefore = servers.map((server) => processCpuMs(server.pid));
      const times = await load(urls, cookie, kind, scenario.expect, count, requests);
      const cpuUsed = servers.map((server, i) => {
        const after = processCpuMs(server.pid);
        const before = cpuBefore[i];
        return after === null || before === null || before === undefined ? null : after - before;
      });
      const cpuMs = cpuUsed.includes(null) ? null : cpuUsed.reduce((a: number, b) => a + b!, 0) / times.length;
      const instanceCpuMs = cpuUsed.map((used, i) => {
        const served = clientsOf(i, instances, count) * requests;
        return used === null || served === 0 ? null : used / served;
      });
      results.push({
        kind,
        user,
        scenario: scenario.name,
        clients: count,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        max: times.at(-1)!,
        n: times.length,
        cpuMs,
        instanceCpuMs,
      });
    }
  }
  return results;
}

/** Settles on Ctrl-C or SIGTERM, so that the run stops through main's cleanup (servers, simulator, files) wherever it is. */
function untilInterrupted(): Promise<"interrupted"> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("interrupted"));
    process.once("SIGTERM", () => resolve("interrupted"));
  });
}

async function main(): Promise<void> {
  const interrupted = untilInterrupted();
  const { values } = parseArgs({
    options: {
      pools: { type: "string" },
      vms: { type: "string" },
      clients: { type: "string" },
      requests: { type: "string" },
      profile: { type: "string" },
      "per-page": { type: "string" },
      instances: { type: "string" },
      compress: { type: "boolean" },
      serve: { type: "boolean" },
    },
  });
  const poolCount = Number(values.pools ?? 2);
  const vmsPerPool = Number(values.vms ?? 5000);
  const clients = Number(values.clients ?? 10);
  const requests = Number(values.requests ?? 40);
  const clientCounts = clients === 1 ? [1] : [1, clients];
  const instances = Number(values.instances ?? 1);
  if (!Number.isInteger(instances) || instances < 1) throw new Error(`--instances must be a whole number from 1 (got ${values.instances})`);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xendeck-bench-pages-"));
  const runDir = path.join(ROOT, "e2e", ".run", `bench-pages-${process.pid}`);
  const env = {
    DATABASE_URL: `file:${path.join(dataDir, "xendeck.db")}`,
    XENDECK_DATA_DIR: dataDir,
    XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    XENDECK_ADMIN_PASSWORD: "bench-admin-password",
    XENDECK_COMPRESS: values.compress ? "1" : "0",
  };
  Object.assign(process.env, env);
  resetConfigForTests();

  console.log(`Simulator: ${poolCount} pools × ${vmsPerPool} VMs…`);
  const sim = await startSimulator({ pools: poolCount, hostsPerPool: 8, vmsPerPool, seed: 1 });
  const servers: ChildProcess[] = [];
  try {
    await prepareDatabase();
    const admin = await adminActor();
    const registered = [];
    for (const pool of sim.pools)
      registered.push(await ensureRegisteredPool(admin, { label: pool.name, url: pool.masterUrl, username: sim.username, password: sim.password }));
    // An operator whose access is 200 per-VM ACLs: every row of the list goes through can().
    const someVms = sim.inspect
      .all<{ uuid: string; is_a_template: boolean; is_a_snapshot: boolean; is_control_domain: boolean }>("VM")
      .filter(({ record }) => !record.is_a_template && !record.is_a_snapshot && !record.is_control_domain)
      .filter((_, index) => index % 50 === 0)
      .map(({ record }) => ({ kind: "vm" as const, uuid: record.uuid, role: "operator" as const }));
    await ensureUser(admin, { username: "bench-operator", password: "bench-operator-password", acls: someVms });
    await getDb().$disconnect();

    const distDir = await prepareBuild(runDir);
    const nodeArgs = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
    const baseUrls: string[] = [];
    while (baseUrls.length < instances) {
      const baseUrl = `http://127.0.0.1:${await freePort()}`;
      if (baseUrls.includes(baseUrl)) continue;
      const logFile = path.join(runDir, baseUrls.length === 0 ? "server.log" : `server-${baseUrls.length + 1}.log`);
      servers.push(startAppServer({ port: Number(new URL(baseUrl).port), env: { ...process.env, ...env, NEXTAUTH_URL: baseUrl }, logFile, distDir, nodeArgs }));
      baseUrls.push(baseUrl);
    }
    await Promise.all(baseUrls.map((baseUrl, i) => waitForHttp(`${baseUrl}/login`, 60_000, servers[i])));
    const baseUrl = baseUrls[0]!;
    const adminCookie = await signIn(baseUrl, "admin", env.XENDECK_ADMIN_PASSWORD);
    const operatorCookie = await signIn(baseUrl, "bench-operator", "bench-operator-password");
    const syncStarted = performance.now();
    // Every instance synchronises its own pool connections; the first instance's session is valid on all (shared secret).
    await Promise.all(baseUrls.map((url) => waitForPools(url, adminCookie, registered.length, 300_000)));
    const which = instances > 1 ? `on all ${instances} instances ` : "";
    console.log(`Pools synchronised ${which}(${((performance.now() - syncStarted) / 1000).toFixed(1)} s after the server answered).`);

    if (values.serve) {
      const serving = servers.map((server, i) => `${baseUrls[i]} (server pid ${server.pid})`).join(", ");
      console.log(`\nServing ${serving}; Ctrl-C to stop.\n  admin:    Cookie: ${adminCookie}\n  operator: Cookie: ${operatorCookie}`);
      await interrupted;
      return;
    }

    const users = [
      ["admin", adminCookie],
      ["operator (200 VM ACLs)", operatorCookie],
    ] as const;
    const runs: Run[] = [];
    for (const kind of ["document", "navigation"] as const) {
      for (const [user, cookie] of users) {
        for (const scenario of scenarios(values["per-page"])) {
          const pageUrl = `${baseUrl}${scenario.path}`;
          const url = new URL(kind === "navigation" ? await navigationUrl(pageUrl, cookie) : pageUrl);
          runs.push({ kind, user, cookie, scenario, urls: baseUrls.map((base) => `${base}${url.pathname}${url.search}`) });
        }
      }
    }
    const results = await Promise.race([measure(runs, servers, { clients, clientCounts, requests, instances }), interrupted]);
    if (results === "interrupted") {
      console.log("\nInterrupted: stopping the servers and the simulator.");
      return;
    }
    printResults(results, clientCounts, poolCount, vmsPerPool, requests, instances, values.compress === true);
  } finally {
    agent.destroy();
    await Promise.all(servers.map((server) => stopChild(server)));
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
