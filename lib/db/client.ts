/**
 * The Prisma client: one per process (kept on `globalThis` so Next's dev reloads do not open new connections),
 * with the driver adapter chosen by DATABASE_URL: better-sqlite3 for `file:` URLs, pg for `postgres(ql)://`.
 *
 * Both generated clients come from the same models (prisma/schema.prisma and its PostgreSQL variant), so the
 * PostgreSQL client is typed as the SQLite one: the code uses only what both providers support.
 *
 * SQLite note: the adapter holds one connection, on which every query runs; a write outside a transaction
 * could end up inside another request's open transaction. All writes therefore go through
 * `lockedTransaction` (lib/db/transaction.ts), which the adapter serialises.
 */
import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { getConfig } from "@/lib/config";
import { PrismaClient as PostgresPrismaClient } from "./generated/postgresql/client";
import { PrismaClient as SqlitePrismaClient, type Prisma } from "./generated/sqlite/client";

export type Db = SqlitePrismaClient;
/** The client handed to `$transaction` callbacks. */
export type DbTransaction = Prisma.TransactionClient;

/** How long a SQLite connection waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Absolute path of the file a SQLite `file:` URL names (relative paths are relative to the working directory). */
export function sqliteFilePath(url: string): string {
  return path.resolve(url.slice("file:".length).split("?")[0]!);
}

/** Opens a new client for `url`. Prefer `getDb()`; this is for tools and tests that need their own database. */
export function createDbClient(url: string): Db {
  if (url.startsWith("file:")) {
    const file = sqliteFilePath(url);
    mkdirSync(path.dirname(file), { recursive: true });
    return new SqlitePrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }) });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    return client as unknown as Db;
  }
  throw new Error("DATABASE_URL must start with file: or postgres(ql)://");
}

const globalForDb = globalThis as typeof globalThis & { __xendeckDb?: Db };

/** The process-wide client for DATABASE_URL. */
export function getDb(): Db {
  globalForDb.__xendeckDb ??= createDbClient(getConfig().databaseUrl);
  return globalForDb.__xendeckDb;
}

/** Tests only: make `getDb()` return `db` (a fresh test database), or forget it with `undefined`. */
export function setDbForTests(db: Db | undefined): void {
  globalForDb.__xendeckDb = db;
}
