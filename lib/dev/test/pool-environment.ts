/**
 * Integration test environment for the read models and the actions: a simulator (pools "lab" and "production"),
 * a migrated SQLite database with the `admin` account and both pools registered through the repositories, and
 * the process-wide XAPI registry connected to them (as instrumentation.ts does in the server). One environment
 * per test file; `user()` adds accounts with ACLs.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { AclObjectKind, Role } from "@/lib/access/can";
import { loadActorByUsername, type CurrentUser } from "@/lib/auth/session-user";
import { resetConfigForTests } from "@/lib/config";
import { setDbForTests } from "@/lib/db/client";
import { loadPoolConnectionConfigs } from "@/lib/pools/store";
import { sqliteTestDbFactory, type TestDb, type TestDbFactory } from "@/lib/dev/test/database";
import { adminActor, ensureRegisteredPool, ensureUser, prepareDatabase } from "@/lib/dev/demo/seed";
import { startSimulator, type Simulator, type SimulatorOptions } from "@/lib/dev/xapi-sim/index";
import { getPoolRegistry, startRegistry, stopRegistry } from "@/lib/xapi/registry";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface SimVm {
  ref: string;
  uuid: string;
  name: string;
  powerState: string;
}

export interface InventoryEnvironment {
  sim: Simulator;
  admin: CurrentUser;
  /** Registration id and XAPI uuid of each simulated pool, by name. */
  pools: Record<string, { id: string; uuid: string }>;
  db: TestDb;
  /** Creates (once) an account with these ACLs and returns it as an actor. */
  user(username: string, acls?: { kind: AclObjectKind; uuid: string; role: Role }[]): Promise<CurrentUser>;
  /** The ordinary VMs of a simulated pool as the simulator holds them now. */
  vms(pool: string): SimVm[];
  /** Waits until the registry's cache of every pool reflects the simulator's current state. */
  catchUp(): Promise<void>;
}

export function inventoryEnvironmentForFile(options: SimulatorOptions = {}): () => InventoryEnvironment {
  let environment: InventoryEnvironment | undefined;
  let factory: TestDbFactory | undefined;
  let dataDir: string | undefined;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "xendeck-inventory-test-"));
    factory = await sqliteTestDbFactory();
    const db = await factory.create();
    const env = {
      XENDECK_DATA_DIR: dataDir,
      XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      XENDECK_ADMIN_PASSWORD: "inventory-admin-password",
      DATABASE_URL: db.url,
    };
    for (const [key, value] of Object.entries(env)) {
      savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
    resetConfigForTests();
    setDbForTests(db.db);

    const sim = await startSimulator({ pools: 2, hostsPerPool: 2, vmsPerPool: 10, speed: 0.02, ...options });
    await prepareDatabase();
    const admin = await adminActor();
    const pools: InventoryEnvironment["pools"] = {};
    for (const pool of sim.pools) {
      const registered = await ensureRegisteredPool(admin, { label: pool.name, url: pool.masterUrl, username: sim.username, password: sim.password });
      pools[pool.name] = { id: registered.pool.id, uuid: registered.poolUuid };
    }
    const registry = await startRegistry(loadPoolConnectionConfigs, {
      refreshIntervalMs: 0,
      logger: quiet,
      connection: { eventTimeoutS: 2, backoff: { baseMs: 50, maxMs: 300 }, client: { callTimeoutMs: 1_500, connectTimeoutMs: 500 }, logger: quiet },
    });
    await Promise.all(registry.all().map((connection) => connection.waitForSync(10_000)));

    environment = {
      sim,
      admin,
      pools,
      db,
      async user(username, acls = []) {
        await ensureUser(admin, { username, password: "test-password-1", acls });
        return (await loadActorByUsername(username))!;
      },
      vms(poolName) {
        const pool = sim.pools.find((candidate) => candidate.name === poolName)!;
        return sim.inspect
          .all<{ uuid: string; name_label: string; power_state: string; is_a_template: boolean; is_a_snapshot: boolean; is_control_domain: boolean }>(
            "VM",
            pool.index,
          )
          .filter(({ record }) => !record.is_a_template && !record.is_a_snapshot && !record.is_control_domain)
          .map(({ ref, record }) => ({ ref, uuid: record.uuid, name: record.name_label, powerState: record.power_state }));
      },
      async catchUp() {
        await Promise.all(
          getPoolRegistry()
            .all()
            .map((connection) => connection.catchUp(5_000)),
        );
      },
    };
  });

  afterAll(async () => {
    await stopRegistry();
    await environment?.sim.stop();
    setDbForTests(undefined);
    await environment?.db.close();
    await factory?.dispose();
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetConfigForTests();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return () => {
    if (!environment) throw new Error("the inventory environment exists only inside the tests");
    return environment;
  };
}
