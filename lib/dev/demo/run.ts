/**
 * `npm run demo`: XenDeck on its embedded defaults, with simulated pools, in one command.
 *
 * 1. the database (SQLite under data/ unless DATABASE_URL says otherwise) is created or migrated, and the
 *    `admin` account created on first run (password printed once, or XENDECK_ADMIN_PASSWORD);
 * 2. the XAPI simulator starts with the demo data set: pools "lab" and "production", 3 hosts each, 30 VMs
 *    each, and background activity (guests shutting down, alerts...);
 * 3. those pools are registered (or their registration updated: the simulator picks a new port each run);
 * 4. the app is built when there is no build or the sources are newer, then served by lib/server/main.ts (as `npm start` does)
 *    (PORT, default 3000);
 * 5. Ctrl-C stops the server and the simulator.
 *
 * Options: --rebuild (build even when the build looks current), --no-activity, --vms N (per pool).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import { INITIAL_ADMIN_USERNAME } from "@/lib/auth/initial-admin";
import { ConfigError, getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim/index";
import { BUILD_DIR, buildApp, ROOT, startAppServer, stopChild, waitForHttp } from "./next-server";
import { adminActor, ensureRegisteredPool, prepareDatabase } from "./seed";

/** Everything the build depends on: when one of these is newer than the build, the demo rebuilds. */
const SOURCES = ["app", "lib", "public", "proxy.ts", "instrumentation.ts", "next.config.mjs", "package.json", "postcss.config.mjs"];
const IGNORED = new Set(["node_modules", ".next", "generated", "test-fixtures"]);

function newestSourceTime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (IGNORED.has(name) || name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestSourceTime(path.join(entry, name)));
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const buildId = path.join(BUILD_DIR, "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newestSourceTime(path.join(ROOT, source)) <= built);
}

/** A path relative to the repository when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(ROOT, file);
  return relative.startsWith("..") ? file : relative;
}

function box(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length));
  return ["", `  ┌${"─".repeat(width + 2)}┐`, ...lines.map((line) => `  │ ${line.padEnd(width)} │`), `  └${"─".repeat(width + 2)}┘`, ""].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rebuild: { type: "boolean" }, "no-activity": { type: "boolean" }, vms: { type: "string" } } });
  nextEnv.loadEnvConfig(ROOT, false, { info: () => {}, error: console.error });
  const config = getConfig();
  const port = Number(process.env.PORT ?? 3000);
  const vmsPerPool = values.vms === undefined ? 30 : Number(values.vms);
  if (!Number.isInteger(vmsPerPool) || vmsPerPool < 0) throw new ConfigError("--vms must be a whole number");

  const { applied, admin } = await prepareDatabase();
  console.log(`Database ${config.sqlitePath ?? "(PostgreSQL)"}: ${applied.length ? `applied ${applied.join(", ")}` : "up to date"}.`);

  // Assigned below; `stop` may run before either is (Ctrl-C during the build).
  // eslint-disable-next-line prefer-const
  let sim: Simulator | undefined;
  // eslint-disable-next-line prefer-const
  let server: ReturnType<typeof startAppServer> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await stopChild(server);
    await sim?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  sim = await startSimulator({ pools: 2, hostsPerPool: 3, vmsPerPool, seed: 1, activity: values["no-activity"] ? false : { intervalMs: 4000 } });
  const actor = await adminActor();
  for (const pool of sim.pools) {
    const { outcome } = await ensureRegisteredPool(actor, { label: pool.name, url: pool.masterUrl, username: sim.username, password: sim.password });
    const what = { registered: "registered", updated: "registration updated (new address)", unchanged: "already registered" }[outcome];
    console.log(`Simulated pool "${pool.name}" (${pool.hosts.length} hosts) at ${pool.masterUrl}: ${what}.`);
  }
  await getDb().$disconnect();

  if (values.rebuild || !buildIsCurrent()) {
    console.log("Building the app (next build, about a minute)…");
    await buildApp({ logFile: path.join(config.dataDir, "build.log") });
  }

  server = startAppServer({ port, env: process.env, logFile: path.join(config.dataDir, "server.log") });
  server.on("exit", (code) => {
    if (!stopping) {
      console.error(`The server stopped (exit ${code}); see ${path.join(config.dataDir, "server.log")}`);
      void stop(1);
    }
  });
  const url = `http://localhost:${port}`;
  await waitForHttp(`http://127.0.0.1:${port}/login`, 120_000, server);

  const password = admin.created
    ? (admin.generatedPassword ?? "(from XENDECK_ADMIN_PASSWORD)")
    : process.env.XENDECK_ADMIN_PASSWORD
      ? "(from XENDECK_ADMIN_PASSWORD)"
      : "(the one printed when the database was created)";
  console.log(
    box([
      `XenDeck is running: ${url}`,
      `Log in as ${INITIAL_ADMIN_USERNAME}, password: ${password}`,
      ...(admin.created && admin.generatedPassword ? ["(this password is shown only now)"] : []),
      `Simulator control API: ${sim.controlUrl}`,
      `Server log: ${displayPath(path.join(config.dataDir, "server.log"))}`,
      "Ctrl-C to stop.",
    ]),
  );
}

main().catch(async (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
