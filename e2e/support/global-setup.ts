/**
 * Starts everything the end-to-end tests need, once per run:
 *
 * 1. the XAPI simulator, in this process: pools "lab", "production", "dev" and "dr-site" (registered) and
 *    "staging" (left for the registration test), 3 hosts and 24 VMs each, operations at 1/10 of their real duration,
 *    no background activity (tests make the changes they expect);
 * 2. a fresh SQLite database in e2e/.run/<run>/, migrated, with the seeded users (see SEEDED_USERS) and the
 *    pools registered (e2e/support/db-cli.ts);
 * 3. the production build (`next build`, unless XENDECK_SKIP_BUILD=1), copied to the run directory and served
 *    by `next start` on a free port;
 * 4. a signed-in browser state per seeded user.
 *
 * Returns the teardown, which copies the server's log to test-results/server.log and verifies the audit log's
 * hash chain of the whole run: a broken chain fails the run (naming the first broken entry) and keeps the run
 * directory for inspection. What the tests need to know is in the run-info file (e2e/support/run-info.ts).
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, request } from "@playwright/test";
import { buildApp, copyBuild, freePort, startAppServer, stopChild, waitForHttp } from "../../lib/dev/demo/next-server";
import { startSimulator } from "../../lib/dev/xapi-sim/index";
import { assertAuditChainIntact } from "./access";
import { runDbCli } from "./db";
import type { SetupResult, SetupSpec } from "./db-cli";
import { RUN_INFO_ENV, type RunInfo, type SeededUser } from "./run-info";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const SIM_POOLS = ["lab", "production", "staging", "dev", "dr-site"];
/** "dr-site" is for specs whose changes would disturb the others (host maintenance, reboots). */
const REGISTERED_POOLS = ["lab", "production", "dev", "dr-site"];

/**
 * The accounts every run starts with. `operator` and `viewer` hold their role on pool "production";
 * `nobody` has no ACL at all. Tests that change an account (disable it...) create their own.
 */
const SEEDED_USERS: Record<SeededUser, { password: string; isAdmin?: boolean; productionRole?: "operator" | "viewer" }> = {
  admin: { password: "e2e-admin-password", isAdmin: true },
  operator: { password: "e2e-operator-password", productionRole: "operator" },
  viewer: { password: "e2e-viewer-password", productionRole: "viewer" },
  nobody: { password: "e2e-nobody-password" },
};

const log = (message: string) => process.stdout.write(`[e2e setup] ${message}\n`);

/** Signs in through next-auth's credentials endpoint and saves the browser state. */
async function signIn(baseUrl: string, username: string, password: string, file: string): Promise<void> {
  const context = await request.newContext({ baseURL: baseUrl });
  try {
    const { csrfToken } = (await (await context.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await context.post("/api/auth/callback/credentials", { form: { csrfToken, username, password, json: "true" } });
    if (!response.ok()) throw new Error(`signing in ${username} failed: HTTP ${response.status()}`);
    const state = await context.storageState({ path: file });
    if (!state.cookies.some((cookie) => cookie.name.includes("session-token"))) throw new Error(`signing in ${username} gave no session`);
  } finally {
    await context.dispose();
  }
}

/** Waits until every registered pool is connected, as the app sees it. */
async function waitForPools(baseUrl: string, storageState: string, count: number): Promise<void> {
  const context = await request.newContext({ baseURL: baseUrl, storageState });
  try {
    let last = "";
    const connected = async () => {
      const response = await context.get("/api/pools");
      if (!response.ok()) {
        last = `HTTP ${response.status()}`;
        return false;
      }
      const pools = (await response.json()) as { label: string; state: string }[];
      last = pools.map((pool) => `${pool.label}: ${pool.state}`).join(", ");
      return pools.length >= count && pools.every((pool) => pool.state === "connected");
    };
    await expect
      .poll(connected, { timeout: 60_000, message: "the pools connect" })
      .toBe(true)
      .catch(() => {
        throw new Error(`the pools did not connect (${last})`);
      });
  } finally {
    await context.dispose();
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const runDir = path.join(ROOT, "e2e", ".run", `run-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`);
  mkdirSync(path.join(runDir, "auth"), { recursive: true });
  let server: ReturnType<typeof startAppServer> | undefined;

  const sim = await startSimulator({ pools: SIM_POOLS.length, hostsPerPool: 3, vmsPerPool: 24, speed: 0.1, seed: 1 });
  let appEnv: Record<string, string> | undefined;
  /** `verifyAudit`: after a run that got going (not after a failed set-up, which fails the run anyway). */
  const teardown = async ({ keep = process.env.XENDECK_KEEP_RUN === "1", verifyAudit = true } = {}) => {
    await stopChild(server);
    await sim.stop();
    // The server's log outlives the run directory, beside the test results.
    const serverLog = path.join(runDir, "server.log");
    if (existsSync(serverLog)) {
      mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
      copyFileSync(serverLog, path.join(ROOT, "test-results", "server.log"));
    }
    // Every spec has written to the log by now, the server is stopped: the chain must verify from end to end.
    if (verifyAudit && appEnv) {
      try {
        log(assertAuditChainIntact(appEnv));
      } catch (error) {
        log(`AUDIT CHAIN BROKEN; run directory kept: ${path.relative(ROOT, runDir)}`);
        throw error;
      }
    }
    if (!keep) rmSync(runDir, { recursive: true, force: true });
  };
  try {
    log(`simulator up (${sim.pools.map((pool) => pool.name).join(", ")}), control API ${sim.controlUrl}`);

    if (process.env.XENDECK_SKIP_BUILD !== "1") {
      log("building the app (next build)…");
      await buildApp({ logFile: path.join(runDir, "build.log") });
    }
    const distDir = await copyBuild(path.join(runDir, "next"));

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    appEnv = {
      DATABASE_URL: `file:${path.join(runDir, "xendeck.db")}`,
      XENDECK_DATA_DIR: path.join(runDir, "data"),
      XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      NEXTAUTH_URL: baseUrl,
      XENDECK_ADMIN_PASSWORD: SEEDED_USERS.admin.password,
      // Tests sign in often from one address; the throttling itself has its own tests.
      XENDECK_LOGIN_MAX_FAILURES_PER_ADDRESS: "10000",
      XENDECK_LOGIN_MAX_FAILURES_PER_ACCOUNT: "50",
      // Likewise every refusal of a request without a session comes from 127.0.0.1 (the cap has its own tests).
      XENDECK_AUDIT_ANONYMOUS_MAX_PER_ADDRESS: "100000",
    };

    const specFile = path.join(runDir, "setup.json");
    const production = sim.pools.find((pool) => pool.name === "production")!;
    const spec: SetupSpec = {
      pools: sim.pools
        .filter((pool) => REGISTERED_POOLS.includes(pool.name))
        .map((pool) => ({ label: pool.name, url: pool.masterUrl, username: sim.username, password: sim.password })),
      users: (Object.entries(SEEDED_USERS) as [SeededUser, (typeof SEEDED_USERS)[SeededUser]][])
        .filter(([name]) => name !== "admin")
        .map(([name, user]) => ({
          username: name,
          password: user.password,
          isAdmin: user.isAdmin,
          acls: user.productionRole ? [{ kind: "pool", uuid: production.uuid, role: user.productionRole }] : [],
        })),
    };
    writeFileSync(specFile, JSON.stringify(spec, null, 2));
    const setup = await runDbCli<SetupResult>(appEnv, ["setup", specFile]);
    log(`database ready, pools registered: ${setup.pools.map((pool) => pool.label).join(", ")}`);

    server = startAppServer({ port, env: { ...process.env, ...appEnv }, logFile: path.join(runDir, "server.log"), distDir });
    await waitForHttp(`${baseUrl}/login`, 60_000, server);

    const users = {} as RunInfo["users"];
    for (const [name, user] of Object.entries(SEEDED_USERS) as [SeededUser, (typeof SEEDED_USERS)[SeededUser]][]) {
      const storageState = path.join(runDir, "auth", `${name}.json`);
      await signIn(baseUrl, name, user.password, storageState);
      users[name] = { username: name, password: user.password, storageState };
    }
    await waitForPools(baseUrl, users.admin.storageState, REGISTERED_POOLS.length);

    const info: RunInfo = {
      runDir,
      baseUrl,
      controlUrl: sim.controlUrl,
      sim: { username: sim.username, password: sim.password },
      appEnv,
      users,
      pools: sim.pools.map((pool) => ({
        name: pool.name,
        uuid: pool.uuid,
        masterUrl: pool.masterUrl,
        hosts: pool.hosts.map((host) => ({ name: host.name, uuid: host.uuid, address: host.address })),
        id: setup.pools.find((registered) => registered.uuid === pool.uuid)?.id ?? null,
      })),
      vms: sim.inspect
        .all<{ uuid: string; name_label: string; power_state: string; is_a_template: boolean; is_a_snapshot: boolean; is_control_domain: boolean }>("VM")
        .filter(({ record }) => !record.is_a_template && !record.is_a_snapshot && !record.is_control_domain)
        .map(({ pool, record }) => ({ name: record.name_label, pool: sim.pools[pool]!.name, uuid: record.uuid, powerState: record.power_state })),
      templates: sim.inspect
        .all<{ uuid: string; name_label: string; is_a_template: boolean; is_a_snapshot: boolean }>("VM")
        .filter(({ record }) => record.is_a_template && !record.is_a_snapshot)
        .map(({ pool, record }) => ({ name: record.name_label, pool: sim.pools[pool]!.name, uuid: record.uuid })),
    };
    const infoFile = path.join(runDir, "run-info.json");
    writeFileSync(infoFile, JSON.stringify(info, null, 2));
    process.env[RUN_INFO_ENV] = infoFile;
    log(`app ready at ${baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s (run directory ${path.relative(ROOT, runDir)})`);
    return () => teardown();
  } catch (error) {
    await teardown({ keep: true, verifyAudit: false });
    log(`set-up failed; logs kept in ${path.relative(ROOT, runDir)}`);
    throw error;
  }
}
