/**
 * `npm run bench:stats`: the statistics path at 10,000 VMs (5 pools, 3 hosts each, ~670 VMs per host).
 *
 * The simulator runs in a child process (its CPU is not ours). This process is a XenDeck server without pages: a
 * fresh SQLite database with the pools registered, the registry connected to every pool, and the read models the
 * stats routes call. It measures, in one run:
 *
 * 1. floor: this process with every pool connected and nothing asking for statistics, over `--seconds`: CPU share
 *    and heap after a collection;
 * 2. the dashboard's top-N (`statsOverview`, what `/api/stats/overview` answers) for `--viewers` dashboards refreshed
 *    every 5 s (an admin's, and if more, a one-pool viewer's and a one-VM viewer's in turn): the first refresh (every
 *    host's ten minutes fetched and parsed), then the CPU share and heap above the floor over `--seconds`, and the
 *    time of a refresh;
 * 3. parsing one host's `/rrd_updates` (ten minutes at 5 s, the host and all its VMs) as XML, today's JSON and the
 *    legacy JSON5-like text, against a floor measured on the same bytes: `JSON.parse` of the JSON text, and a scan
 *    of the XML for '<' (the least any XML parser must do).
 *
 *   npm run bench:stats [-- --pools 5 --vms 10000 --viewers 1 --seconds 60]
 *
 * Ratios are against floors of the same run: the machine is shared, absolute figures move with its load.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";

const MB = 1024 * 1024;

interface Ready {
  urls: string[];
  username: string;
  password: string;
  /** A running VM and a pool uuid, for the restricted viewers. */
  vmUuid: string;
  poolUuid: string;
}

async function serve(pools: number, vms: number): Promise<void> {
  const { startSimulator } = await import("@/lib/dev/xapi-sim/index");
  const sim = await startSimulator({ pools, hostsPerPool: 3, vmsPerPool: Math.round(vms / pools), seed: 42 });
  await sim.warmUp();
  const vm = sim.inspect
    .all<{ uuid: string; power_state: string; is_a_template: boolean; is_control_domain: boolean }>("VM", 0)
    .find((v) => v.record.power_state === "Running" && !v.record.is_a_template && !v.record.is_control_domain)!;
  process.send!({
    urls: sim.pools.map((p) => p.masterUrl),
    username: sim.username,
    password: sim.password,
    vmUuid: vm.record.uuid,
    poolUuid: sim.pools[0]!.uuid,
  } satisfies Ready);
  process.on("message", async (message: { cmd: string }) => {
    if (message.cmd === "stop") {
      await sim.stop();
      process.exit(0);
    }
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] ?? NaN;
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function heapAfterCollection(): number {
  global.gc?.();
  global.gc?.();
  return getHeapStatistics().used_heap_size;
}

/** CPU share of this process over `seconds` while `tick` runs every 5 s (or nothing runs). */
async function measure(seconds: number, tick?: () => Promise<number>): Promise<{ share: number; ticks: number[] }> {
  const ticks: number[] = [];
  const startWall = performance.now();
  const startCpu = cpuMs();
  const end = startWall + seconds * 1000;
  while (performance.now() < end) {
    const next = performance.now() + 5_000;
    if (tick) ticks.push(await tick());
    await sleep(Math.max(0, Math.min(next, end) - performance.now()));
  }
  return { share: (cpuMs() - startCpu) / (performance.now() - startWall), ticks };
}

function timed(run: () => unknown, times: number): number {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run();
    runs.push(performance.now() - started);
  }
  return median(runs);
}

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") return serve(Number(process.argv[3]), Number(process.argv[4]));
  const { values } = parseArgs({ options: { pools: { type: "string" }, vms: { type: "string" }, viewers: { type: "string" }, seconds: { type: "string" } } });
  const pools = Number(values.pools ?? 5);
  const vms = Number(values.vms ?? 10_000);
  const viewers = Math.max(1, Number(values.viewers ?? 1));
  const seconds = Math.max(10, Number(values.seconds ?? 60));
  if (!global.gc) console.log("(run with --expose-gc for heap figures: npm run bench:stats does)");

  console.log(`Starting the simulator in a child process: ${pools} pools × 3 hosts, ${vms} VMs...`);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve", String(pools), String(vms)], {
    execArgv: process.execArgv.filter((arg) => arg !== "--expose-gc"),
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (message: Ready) => resolve(message));
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xendeck-bench-stats-"));
  Object.assign(process.env, {
    XENDECK_DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "xendeck.db")}`,
    XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    XENDECK_ADMIN_PASSWORD: "bench-admin-password",
  });
  const { resetConfigForTests } = await import("@/lib/config");
  resetConfigForTests();
  const { adminActor, ensureRegisteredPool, ensureUser, prepareDatabase } = await import("@/lib/dev/demo/seed");
  const { loadActorByUsername } = await import("@/lib/auth/session-user");
  const { loadPoolConnectionConfigs } = await import("@/lib/pools/store");
  const { startRegistry, stopRegistry, getPoolRegistry } = await import("@/lib/xapi/registry");
  const { statsOverview } = await import("@/lib/stats/overview");
  const { parseRrdUpdates } = await import("@/lib/xapi/stats/rrd-updates-parser");
  const quiet = { debug() {}, info() {}, warn() {}, error: (message: string) => console.error(message) };

  try {
    await prepareDatabase();
    const admin = await adminActor();
    for (const [i, url] of ready.urls.entries())
      await ensureRegisteredPool(admin, { label: `pool-${i + 1}`, url, username: ready.username, password: ready.password });
    await ensureUser(admin, { username: "pool-viewer", password: "bench-password-1", acls: [{ kind: "pool", uuid: ready.poolUuid, role: "viewer" }] });
    await ensureUser(admin, { username: "vm-viewer", password: "bench-password-1", acls: [{ kind: "vm", uuid: ready.vmUuid, role: "viewer" }] });
    const users = [admin, (await loadActorByUsername("pool-viewer"))!, (await loadActorByUsername("vm-viewer"))!];
    const synced = performance.now();
    const registry = await startRegistry(loadPoolConnectionConfigs, { refreshIntervalMs: 0, logger: quiet, connection: { logger: quiet } });
    await Promise.all(registry.all().map((connection) => connection.waitForSync(600_000)));
    console.log(`XenDeck connected to ${registry.all().length} pools in ${((performance.now() - synced) / 1000).toFixed(1)} s\n`);

    // 1. Floor.
    await sleep(5_000);
    const floorHeap = heapAfterCollection();
    const floor = await measure(seconds);

    // 2. Dashboards.
    const dashboards = Array.from({ length: viewers }, (_, i) => users[i % users.length]!);
    const refreshAll = async () => {
      const started = performance.now();
      await Promise.all(dashboards.map((user) => statsOverview(user, { limit: 5 })));
      return performance.now() - started;
    };
    // Cold: until every host's ten minutes are in (a refresh waits a few seconds per host, then shows what it has).
    const coldCpu = cpuMs();
    const coldStart = performance.now();
    while (!(await statsOverview(admin, { limit: 5 })).hosts.every((host) => host.message === null)) await sleep(500);
    const cold = performance.now() - coldStart;
    const coldCpuMs = cpuMs() - coldCpu;
    const loaded = await measure(seconds, refreshAll);
    const statsHeap = heapAfterCollection();

    // 3. Parsing one host's answer.
    const connection = getPoolRegistry().all()[0]!;
    const host = connection.cache.list("host")[0]!;
    const collect = () => {
      const chunks: Buffer[] = [];
      return { write: (chunk: Buffer) => void chunks.push(chunk), end: () => Buffer.concat(chunks) };
    };
    const start = String(Math.floor(Date.now() / 1000) - 590);
    const query = { start, interval: "5", cf: "AVERAGE", host: "true" };
    const xml = await connection.client.getResource("/rrd_updates", query, collect, { address: host.address, timeoutMs: 120_000 });
    const json = await connection.client.getResource("/rrd_updates", { ...query, json: "true" }, collect, { address: host.address, timeoutMs: 120_000 });
    const legacy = Buffer.from(
      json
        .toString("utf8")
        .replace(/"([a-z]+)":/g, "$1:")
        .replace(/"([-0-9.e+]+|NaN|Infinity|-Infinity)"/g, "$1"),
    );
    const parsed = parseRrdUpdates(json);
    const parseRuns = 7;
    const results = [
      {
        name: "XML",
        bytes: xml,
        ms: timed(() => parseRrdUpdates(xml), parseRuns),
        floorName: "scan for '<'",
        floorMs: timed(() => countBytes(xml, 60), parseRuns),
      },
      {
        name: "JSON (today's, numbers as strings)",
        bytes: json,
        ms: timed(() => parseRrdUpdates(json), parseRuns),
        floorName: "JSON.parse",
        floorMs: timed(() => JSON.parse(json.toString("utf8")), parseRuns),
      },
      {
        name: "JSON5-like (legacy)",
        bytes: legacy,
        ms: timed(() => parseRrdUpdates(legacy), parseRuns),
        floorName: "JSON.parse of today's JSON",
        floorMs: timed(() => JSON.parse(json.toString("utf8")), parseRuns),
      },
    ];

    const liveHosts = registry.all().reduce((n, c) => n + c.cache.list("host").length, 0);
    console.log(`Statistics path, ${vms} VMs on ${liveHosts} hosts, ${viewers} dashboard(s) refreshed every 5 s, ${seconds} s per phase:`);
    console.log(`  floor (pools connected, no statistics): CPU ${(floor.share * 100).toFixed(1)} %, heap ${(floorHeap / MB).toFixed(0)} MB`);
    console.log(
      `  first refresh (every host's ten minutes fetched and parsed): ${(cold / 1000).toFixed(1)} s, ${(coldCpuMs / 1000).toFixed(1)} s of CPU in this process`,
    );
    console.log(
      `  steady: CPU ${(loaded.share * 100).toFixed(1)} % (stats path: +${((loaded.share - floor.share) * 100).toFixed(1)} points over the floor, ` +
        `×${(loaded.share / Math.max(floor.share, 1e-6)).toFixed(1)}); heap ${(statsHeap / MB).toFixed(0)} MB (stats: +${((statsHeap - floorHeap) / MB).toFixed(0)} MB)`,
    );
    console.log(
      `  a refresh of ${viewers} dashboard(s): p50 ${median(loaded.ticks).toFixed(0)} ms, p95 ${percentile(loaded.ticks, 95).toFixed(0)} ms over ${loaded.ticks.length} refreshes`,
    );
    console.log(`\nParsing one host's /rrd_updates (${parsed.times.length} rows × ${parsed.legend.length} columns), median of ${parseRuns}:`);
    for (const r of results) {
      console.log(
        `  ${r.name.padEnd(36)} ${(r.bytes.length / MB).toFixed(1).padStart(5)} MB  ${r.ms.toFixed(0).padStart(5)} ms  ` +
          `(${r.floorName}: ${r.floorMs.toFixed(0)} ms, ×${(r.ms / r.floorMs).toFixed(1)})`,
      );
    }
    await stopRegistry();
  } finally {
    child.send({ cmd: "stop" });
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The floor of an XML parse: look at every byte once (here: count one of them). */
function countBytes(bytes: Buffer, byte: number): number {
  let count = 0;
  for (let i = bytes.indexOf(byte); i !== -1; i = bytes.indexOf(byte, i + 1)) count++;
  return count;
}

await main();
