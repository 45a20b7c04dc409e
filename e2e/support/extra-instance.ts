/**
 * A second XenDeck server for one spec, on the run's build: with another configuration on the run's database
 * (e.g. XENDECK_TRUSTED_PROXIES=1), or on a fresh database of its own, for tests whose settings would disturb the
 * specs running meanwhile (a two-factor policy applies to every account of a database). Stop it in `afterAll`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { freePort, startAppServer, stopChild, waitForHttp } from "../../lib/dev/demo/next-server";
import { runDbCli } from "./db";
import type { SetupSpec } from "./db-cli";
import type { RunInfo } from "./run-info";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ExtraInstance {
  baseUrl: string;
  /** Its environment, for `runDbCli` against its database. */
  env: Record<string, string>;
  /** The `admin` account's password on a fresh database. */
  adminPassword: string;
  stop(): Promise<void>;
}

export async function startExtraInstance(
  run: RunInfo,
  options: { name: string; env?: Record<string, string>; freshDatabase?: boolean },
): Promise<ExtraInstance> {
  const dir = path.join(run.runDir, "instances", options.name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminPassword = options.freshDatabase ? `admin-${randomBytes(8).toString("hex")}` : run.users.admin.password;
  const env: Record<string, string> = {
    ...run.appEnv,
    ...(options.freshDatabase
      ? {
          DATABASE_URL: `file:${path.join(dir, "xendeck.db")}`,
          XENDECK_DATA_DIR: path.join(dir, "data"),
          XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
          NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
          XENDECK_ADMIN_PASSWORD: adminPassword,
        }
      : {}),
    NEXTAUTH_URL: baseUrl,
    ...options.env,
  };
  if (options.freshDatabase) {
    const specFile = path.join(dir, "setup.json");
    writeFileSync(specFile, JSON.stringify({ pools: [], users: [] } satisfies SetupSpec));
    await runDbCli(env, ["setup", specFile]);
  }
  let server: ChildProcess | undefined = startAppServer({
    port,
    env: { ...process.env, ...env },
    logFile: path.join(dir, "server.log"),
    distDir: path.relative(ROOT, path.join(run.runDir, "next")),
  });
  try {
    await waitForHttp(`${baseUrl}/login`, 60_000, server);
  } catch (error) {
    await stopChild(server);
    throw error;
  }
  return {
    baseUrl,
    env,
    adminPassword,
    async stop() {
      await stopChild(server);
      server = undefined;
    },
  };
}
