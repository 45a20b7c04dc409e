/** Brings a database up to date: the one entry point used by `npm run db:migrate`, the demo and the tests. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { applyMigrations, providerOfUrl } from "./schema-engine";

/**
 * Applies the pending migrations to `url` (creating the SQLite file and its directory when needed) and, on
 * SQLite, switches the file to WAL journaling (a persistent setting: readers no longer block the writer).
 * Returns the names of the migrations applied now.
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  const sqliteFile = providerOfUrl(url) === "sqlite" ? path.resolve(url.slice("file:".length).split("?")[0]!) : null;
  if (sqliteFile) mkdirSync(path.dirname(sqliteFile), { recursive: true });
  const applied = await applyMigrations(url);
  if (sqliteFile) {
    const connection = await new PrismaBetterSqlite3({ url: sqliteFile }).connect();
    try {
      await connection.executeScript("PRAGMA journal_mode = WAL");
    } finally {
      await connection.dispose();
    }
  }
  return applied;
}
