/**
 * Writes a new migration for BOTH providers from the changes made to prisma/schema.prisma:
 *
 *   npm run db:migration -- <name>
 *
 * Works offline: for each provider the committed migrations are applied to a throwaway database (a temporary
 * SQLite file; a private PostgreSQL cluster started with initdb/pg_ctl), which the WASM schema engine then
 * compares with the datamodel. The SQL it prints becomes prisma/migrations/<provider>/<timestamp>_<name>/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatabaseProvider } from "@/lib/config";
import { startPostgresCluster } from "@/lib/dev/test/postgres-cluster";
import { diffMigrationsToSchema, LOCKFILE_NAME, lockfileContent } from "@/lib/db/schema-engine";
import { MIGRATIONS_DIRS, REPO_ROOT } from "@/lib/db/schema-files";

const name = process.argv[2];
if (!name || !/^[a-z0-9][a-z0-9_]*$/.test(name)) {
  console.error("Usage: npm run db:migration -- <name>   (lower-case letters, digits and _; e.g. add_pool_notes)");
  process.exit(2);
}

/** Prisma's folder naming: UTC timestamp then the name, so folders sort in creation order. */
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const folder = `${stamp}_${name}`;

async function sqliteDiff(): Promise<string | null> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "xendeck-migration-"));
  try {
    return await diffMigrationsToSchema(`file:${path.join(dir, "scratch.db")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresDiff(): Promise<string | null> {
  const cluster = startPostgresCluster();
  try {
    return await diffMigrationsToSchema(await cluster.createDatabase("scratch"));
  } finally {
    cluster.stop();
  }
}

function write(provider: DatabaseProvider, sql: string): void {
  const dir = MIGRATIONS_DIRS[provider];
  mkdirSync(path.join(dir, folder), { recursive: true });
  if (!existsSync(path.join(dir, LOCKFILE_NAME))) writeFileSync(path.join(dir, LOCKFILE_NAME), lockfileContent(provider));
  writeFileSync(path.join(dir, folder, "migration.sql"), sql);
  console.log(`Wrote ${path.relative(REPO_ROOT, path.join(dir, folder, "migration.sql"))}`);
}

const diffs: [DatabaseProvider, string | null][] = [
  ["sqlite", await sqliteDiff()],
  ["postgresql", await postgresDiff()],
];
if (diffs.every(([, sql]) => sql === null)) {
  console.log("The migrations already match prisma/schema.prisma: nothing to write.");
} else {
  for (const [provider, sql] of diffs) {
    if (sql === null) console.warn(`No change for ${provider} (only the other provider differs).`);
    else write(provider, sql);
  }
}
