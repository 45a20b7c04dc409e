/**
 * Generates the Prisma clients for both providers into lib/db/generated/{sqlite,postgresql}.
 *
 *   tsx lib/db/generate-cli.ts                   (postinstall: generate from the committed schemas)
 *   tsx lib/db/generate-cli.ts --write-variant   (npm run db:generate: first re-derive prisma/postgresql/schema.prisma)
 *
 * `prisma generate` needs no schema engine, but Prisma 7 tries to download one unless
 * PRISMA_SCHEMA_ENGINE_BINARY names an existing file: this file is used (nothing is executed from it).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { derivePostgresSchema, readSchema, REPO_ROOT, SCHEMA_PATHS } from "./schema-files";

if (process.argv.includes("--write-variant")) {
  mkdirSync(path.dirname(SCHEMA_PATHS.postgresql), { recursive: true });
  writeFileSync(SCHEMA_PATHS.postgresql, derivePostgresSchema(readSchema("sqlite")));
  console.log(`Wrote ${path.relative(REPO_ROOT, SCHEMA_PATHS.postgresql)}`);
}

const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: fileURLToPath(import.meta.url),
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
for (const schema of Object.values(SCHEMA_PATHS)) {
  const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", schema], { cwd: REPO_ROOT, env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`prisma generate failed for ${path.relative(REPO_ROOT, schema)}`);
    process.exit(result.status ?? 1);
  }
}
