/**
 * `npm run bench:console`: what XenDeck's console proxy costs, against a direct connection to the simulator.
 *
 * Starts the simulator (one pool, its VMs' consoles served as XAPI serves them) in this process, a fresh SQLite
 * database with the pool registered and operator accounts, and the production build on a free port (built first
 * unless XENDECK_SKIP_BUILD=1, served from a private copy), as `npm start` runs it. Then, with 1 and with 20
 * consoles at once (each on its own running VM, over a websocket with the `binary` subprotocol, as noVNC):
 *
 * - throughput: each console asks for its whole screen again and again (Raw, 32 bpp) for a few seconds;
 *   bytes per second per console and in total;
 * - latency: each console does sequential round trips (a 1×1 update request and its 20-byte answer); p50/p95,
 *   and what the proxy adds to a direct connection;
 *
 * both directly (the simulator's `ws://<host>/console?uuid=...` with the pool session) and through XenDeck
 * (`/api/consoles/<vm>` with a XenDeck session). Last, the server's memory per open console: its resident set
 * (from /proc) with 0 and with `--idle` consoles open (connected, first screen received).
 *
 *   npm run bench:console [-- --seconds 4 --round-trips 300 --idle 60]
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import WebSocket, { createWebSocketStream } from "ws";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { adminActor, ensureRegisteredPool, ensureUser, prepareDatabase } from "@/lib/dev/demo/seed";
import { buildApp, copyBuild, freePort, ROOT, startAppServer, stopChild, waitForHttp } from "@/lib/dev/demo/next-server";
import { TestClient } from "@/lib/dev/test/sim-client";
import { startSimulator } from "@/lib/dev/xapi-sim/index";
import type { ConsoleRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { RfbProbe } from "./rfb-probe";
import { percentile, signIn } from "./bench-http";

const MB = 1024 * 1024;
/** Consoles per user stay under XenDeck's per-user limit (10). */
const CONSOLES_PER_USER = 8;

interface Target {
  vmUuid: string;
  location: string;
}

/** Opens an RFB session over a websocket. */
async function connect(url: string, headers: Record<string, string>): Promise<RfbProbe> {
  const websocket = new WebSocket(url, ["binary"], { headers, perMessageDeflate: false });
  const stream = createWebSocketStream(websocket);
  stream.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    websocket.once("open", () => resolve());
    websocket.once("unexpected-response", (_request, response) => reject(new Error(`${url}: HTTP ${response.statusCode}`)));
    websocket.once("error", reject);
  });
  const probe = new RfbProbe(stream);
  await probe.handshake();
  return probe;
}

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function throughput(probes: RfbProbe[], seconds: number): Promise<{ perConsole: number; total: number }> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const bytes = await Promise.all(
    probes.map(async (probe) => {
      let received = 0;
      while (performance.now() < deadline) received += await probe.update(0, 0, probe.width, probe.height);
      return received;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const total = bytes.reduce((a, b) => a + b, 0) / elapsed;
  return { total, perConsole: total / probes.length };
}

async function latency(probes: RfbProbe[], roundTrips: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  await Promise.all(
    probes.map(async (probe) => {
      for (let i = 0; i < roundTrips; i++) {
        const started = performance.now();
        await probe.update(0, 0, 1, 1);
        times.push(performance.now() - started);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: "string" }, "round-trips": { type: "string" }, idle: { type: "string" } } });
  const seconds = Number(values.seconds ?? 4);
  const roundTrips = Number(values["round-trips"] ?? 300);
  const idle = Number(values.idle ?? 60);
  const most = 20;

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xendeck-bench-console-"));
  const runDir = path.join(ROOT, "e2e", ".run", `bench-console-${process.pid}`);
  const env = {
    DATABASE_URL: `file:${path.join(dataDir, "xendeck.db")}`,
    XENDECK_DATA_DIR: dataDir,
    XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    XENDECK_ADMIN_PASSWORD: "bench-admin-password",
  };
  Object.assign(process.env, env);
  resetConfigForTests();

  const needed = Math.max(most, idle);
  const sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: Math.ceil(needed * 1.6), seed: 1 });
  let server: ChildProcess | undefined;
  const open: RfbProbe[] = [];
  try {
    const xapi = new TestClient(sim.pools[0]!.masterUrl);
    const poolSession = await xapi.login(sim.username, sim.password);
    const targets: Target[] = sim.inspect
      .all<VmRecord>("VM")
      .filter(({ record }) => !record.is_a_template && !record.is_control_domain && record.power_state === "Running")
      .map(({ record }) => ({
        vmUuid: record.uuid,
        location: record.consoles.map((ref) => sim.inspect.get<ConsoleRecord>("console", ref)!.record).find((c) => c.protocol === "rfb")!.location,
      }));
    if (targets.length < needed) throw new Error(`only ${targets.length} running VMs for ${needed} consoles`);

    await prepareDatabase();
    const admin = await adminActor();
    await ensureRegisteredPool(admin, { label: sim.pools[0]!.name, url: sim.pools[0]!.masterUrl, username: sim.username, password: sim.password });
    const users = Array.from({ length: Math.ceil(needed / CONSOLES_PER_USER) }, (_, index) => `bench-console-${index + 1}`);
    for (const username of users)
      await ensureUser(admin, { username, password: "bench-console-password", acls: [{ kind: "pool", uuid: sim.pools[0]!.uuid, role: "operator" }] });
    await getDb().$disconnect();

    if (process.env.XENDECK_SKIP_BUILD !== "1") {
      console.log("Building the app (next build)…");
      await buildApp({ logFile: path.join(runDir, "build.log"), ifMissing: true });
    }
    const distDir = await copyBuild(path.join(runDir, "next"));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    server = startAppServer({ port, env: { ...process.env, ...env, NEXTAUTH_URL: baseUrl }, logFile: path.join(runDir, "server.log"), distDir });
    await waitForHttp(`${baseUrl}/login`, 60_000, server);
    const cookies = await Promise.all(users.map((username) => signIn(baseUrl, username, "bench-console-password")));
    // The pool must be synchronised before the proxy can find the VMs.
    const first = targets[0]!;
    for (let attempt = 0; ; attempt++) {
      try {
        (await connect(`${baseUrl.replace("http", "ws")}/api/consoles/${first.vmUuid}`, { Cookie: cookies[0]!, Origin: baseUrl })).close();
        break;
      } catch (error) {
        if (attempt > 120) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }

    const direct = (target: Target) => connect(target.location.replace(/^http/, "ws"), { Cookie: `session_id=${poolSession}` });
    const proxied = (target: Target, index: number) =>
      connect(`${baseUrl.replace("http", "ws")}/api/consoles/${target.vmUuid}`, { Cookie: cookies[Math.floor(index / CONSOLES_PER_USER)]!, Origin: baseUrl });

    console.log(
      `\nConsoles: RFB Raw 32 bpp over websockets, screens of 720×400 to 1024×768; ${seconds} s of full-screen updates, ${roundTrips} round trips per console.`,
    );
    console.log(
      `${"path".padEnd(10)}${"consoles".padStart(9)}${"MB/s each".padStart(11)}${"MB/s total".padStart(12)}${"RTT p50 ms".padStart(12)}${"p95 ms".padStart(9)}`,
    );
    const rows: Record<string, { p50: number; p95: number }> = {};
    for (const count of [1, most]) {
      for (const [name, openConsole] of [
        ["direct", direct],
        ["proxy", proxied],
      ] as const) {
        const probes = await Promise.all(targets.slice(0, count).map((target, index) => openConsole(target, index)));
        await latency(probes, 20); // warm-up
        const rate = await throughput(probes, seconds);
        const rtt = await latency(probes, roundTrips);
        rows[`${name}-${count}`] = rtt;
        for (const probe of probes) probe.close();
        console.log(
          `${name.padEnd(10)}${String(count).padStart(9)}${(rate.perConsole / MB).toFixed(1).padStart(11)}${(rate.total / MB).toFixed(1).padStart(12)}${rtt.p50.toFixed(2).padStart(12)}${rtt.p95.toFixed(2).padStart(9)}`,
        );
      }
    }
    for (const count of [1, most]) {
      const added = rows[`proxy-${count}`]!.p50 - rows[`direct-${count}`]!.p50;
      console.log(`Added latency per round trip through XenDeck, ${count} console${count === 1 ? "" : "s"}: ${added.toFixed(2)} ms (p50).`);
    }

    // Memory: idle consoles held open through XenDeck.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = rssBytes(server.pid);
    for (let index = 0; index < idle; index++) {
      const probe = await proxied(targets[index]!, index);
      await probe.update(0, 0, probe.width, probe.height);
      open.push(probe);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = rssBytes(server.pid);
    console.log(
      `Server memory: ${(before / MB).toFixed(0)} MB resident with no console, ${(after / MB).toFixed(0)} MB with ${idle} open: ${((after - before) / idle / 1024).toFixed(0)} KiB per open console.`,
    );
  } finally {
    for (const probe of open) probe.close();
    await stopChild(server);
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.XENDECK_KEEP_RUN !== "1") rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:console: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
