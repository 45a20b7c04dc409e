/**
 * Where the Prisma schemas and migrations live, and how the PostgreSQL schema is derived from the SQLite one.
 * `prisma/schema.prisma` is the only schema anyone edits; `prisma/postgresql/schema.prisma` is written by
 * `npm run db:generate` (a unit test fails when it drifts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DatabaseProvider } from "@/lib/config";

/** The repository root (this file is lib/db/schema-files.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const SCHEMA_PATHS: Record<DatabaseProvider, string> = {
  sqlite: path.join(REPO_ROOT, "prisma/schema.prisma"),
  postgresql: path.join(REPO_ROOT, "prisma/postgresql/schema.prisma"),
};

export const MIGRATIONS_DIRS: Record<DatabaseProvider, string> = {
  sqlite: path.join(REPO_ROOT, "prisma/migrations/sqlite"),
  postgresql: path.join(REPO_ROOT, "prisma/migrations/postgresql"),
};

const VARIANT_HEADER = "// GENERATED from prisma/schema.prisma by `npm run db:generate`: do not edit (edit prisma/schema.prisma instead).\n";

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g"));
  if (matches?.length !== 1) {
    throw new Error(`prisma/schema.prisma: expected exactly one ${what}, found ${matches?.length ?? 0}`);
  }
  return text.replace(pattern, replacement);
}

/** The PostgreSQL variant of the SQLite schema: same models, provider and client output changed. */
export function derivePostgresSchema(sqliteSchema: string): string {
  let text = replaceOnce(sqliteSchema, /provider\s*=\s*"sqlite"/, 'provider = "postgresql"', 'provider = "sqlite" line');
  text = replaceOnce(
    text,
    /output(\s*)=\s*"\.\.\/lib\/db\/generated\/sqlite"/,
    'output$1= "../../lib/db/generated/postgresql"',
    'output = "../lib/db/generated/sqlite" line',
  );
  return VARIANT_HEADER + text;
}

/** The schema text of `provider` as committed. */
export function readSchema(provider: DatabaseProvider): string {
  return readFileSync(SCHEMA_PATHS[provider], "utf8");
}
