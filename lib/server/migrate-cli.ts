/**
 * `npm run db:migrate` (also run by `npm start` and the demo): loads .env files like Next does, validates the
 * configuration, applies pending
 * migrations to DATABASE_URL (creating data/ and the SQLite file), and on an empty database creates the first
 * admin, printing a generated password once.
 *
 * Runs with `node --experimental-wasm-modules --conditions=react-server --import tsx` (the schema engine is
 * WebAssembly; the react-server condition lets server-only modules load outside Next).
 */
import nextEnv from "@next/env";
import { ensureInitialAdmin } from "@/lib/auth/initial-admin";
import { ConfigError, getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";

function describeDatabase(url: string): string {
  if (url.startsWith("file:")) return `SQLite ${url.slice("file:".length)}`;
  const parsed = new URL(url);
  return `PostgreSQL ${parsed.hostname || "(socket)"}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
}

// The same .env files the server reads (Next loads them), so both use the same database.
nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

try {
  const config = getConfig();
  const applied = await migrateDatabase(config.databaseUrl);
  console.log(`Database (${describeDatabase(config.databaseUrl)}): ${applied.length ? `applied ${applied.join(", ")}` : "up to date"}.`);
  const admin = await ensureInitialAdmin();
  if (admin.created && admin.generatedPassword) {
    console.log(
      [
        "",
        "  ┌──────────────────────────────────────────────────────────────┐",
        `  │ First administrator created: ${admin.username.padEnd(32)}│`,
        `  │ Password (shown only this once): ${admin.generatedPassword.padEnd(28)}│`,
        "  └──────────────────────────────────────────────────────────────┘",
        "",
      ].join("\n"),
    );
  } else if (admin.created) {
    console.log(`First administrator created: ${admin.username} (password from XENDECK_ADMIN_PASSWORD).`);
  }
  await getDb().$disconnect();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Database migration failed: ${(error as Error).message}`);
  process.exit(1);
}
