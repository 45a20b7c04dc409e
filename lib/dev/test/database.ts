/**
 * Test fixtures: fresh databases migrated with the real migrations.
 *
 * - SQLite: the migrations are applied once per test file to a template file; each test database is a copy.
 * - PostgreSQL: one private cluster per test file (lib/dev/test/postgres-cluster.ts), the migrations applied once to a
 *   template database; each test database is `CREATE DATABASE ... TEMPLATE`. Fails with a clear message when
 *   PostgreSQL is not installed (never skipped).
 *
 * `testDatabaseForEachTest(provider)` wires this into Vitest: a fresh database before each test, installed as the
 * process-wide client (`getDb()`), and a private environment (data directory, keys) for `getConfig()`.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { resetConfigForTests, type DatabaseProvider } from "@/lib/config";
import { createDbClient, setDbForTests, type Db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { startPostgresCluster, type PostgresCluster } from "./postgres-cluster";

export interface TestDb {
  db: Db;
  url: string;
  provider: DatabaseProvider;
  /** Disconnects the client (the database files go with the fixture's directory or cluster). */
  close(): Promise<void>;
}

/** A source of fresh, migrated test databases for one provider. */
export interface TestDbFactory {
  create(): Promise<TestDb>;
  /** Connection URL of a new, empty (unmigrated) database. */
  createEmpty(): Promise<string>;
  dispose(): Promise<void>;
}

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${++counter}`;

/** SQLite databases in a temporary directory, copied from a template migrated once. */
export async function sqliteTestDbFactory(): Promise<TestDbFactory> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "xendeck-test-db-"));
  const template = path.join(dir, "template.db");
  await migrateDatabase(`file:${template}`);
  return {
    async create() {
      const file = path.join(dir, `${uniqueName("test")}.db`);
      copyFileSync(template, file);
      const url = `file:${file}`;
      const db = createDbClient(url);
      return { db, url, provider: "sqlite", close: () => db.$disconnect() };
    },
    async createEmpty() {
      return `file:${path.join(dir, `${uniqueName("empty")}.db`)}`;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL databases in a private cluster, created from a template database migrated once. */
export async function postgresTestDbFactory(): Promise<TestDbFactory> {
  const cluster: PostgresCluster = startPostgresCluster();
  try {
    await migrateDatabase(await cluster.createDatabase("xendeck_template"));
  } catch (error) {
    cluster.stop();
    throw error;
  }
  return {
    async create() {
      const url = await cluster.createDatabase(uniqueName("test"), "xendeck_template");
      const db = createDbClient(url);
      return { db, url, provider: "postgresql", close: () => db.$disconnect() };
    },
    createEmpty: () => cluster.createDatabase(uniqueName("empty")),
    async dispose() {
      cluster.stop();
    },
  };
}

/** The factory for `provider`. */
export function testDbFactory(provider: DatabaseProvider): Promise<TestDbFactory> {
  return provider === "sqlite" ? sqliteTestDbFactory() : postgresTestDbFactory();
}

/**
 * Gives every test of the calling file a fresh migrated database of `provider`, installed as `getDb()`, and a
 * private configuration (temporary data directory, random keys, `extraEnv`). Returns a getter for the current
 * test database.
 */
export function testDatabaseForEachTest(provider: DatabaseProvider, extraEnv: Record<string, string> = {}): () => TestDb {
  let factory: TestDbFactory | undefined;
  let current: TestDb | undefined;
  let dataDir: string | undefined;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "xendeck-test-data-"));
    const env = {
      XENDECK_DATA_DIR: dataDir,
      XENDECK_SECRET_KEY: randomBytes(32).toString("base64"),
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      ...extraEnv,
    };
    for (const [key, value] of Object.entries(env)) {
      savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
    factory = await testDbFactory(provider);
  });

  beforeEach(async () => {
    current = await factory!.create();
    process.env.DATABASE_URL = current.url;
    resetConfigForTests();
    setDbForTests(current.db);
  });

  afterEach(async () => {
    setDbForTests(undefined);
    await current?.close();
    current = undefined;
  });

  afterAll(async () => {
    await factory?.dispose();
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    delete process.env.DATABASE_URL;
    resetConfigForTests();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return () => {
    if (!current) throw new Error("The test database exists only inside a test");
    return current;
  };
}
