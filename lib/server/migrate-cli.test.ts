import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createDbClient } from "@/lib/db/client";
import { REPO_ROOT } from "@/lib/db/schema-files";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), "xendeck-migrate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm run db:migrate`'s command on a temporary data directory (explicit variables win over any .env file). */
function migrate(env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|XENDECK_|NEXTAUTH_)/.test(key))) as NodeJS.ProcessEnv;
  return run(
    process.execPath,
    ["--experimental-wasm-modules", "--disable-warning=ExperimentalWarning", "--conditions=react-server", "--import", "tsx", "lib/server/migrate-cli.ts"],
    { cwd: REPO_ROOT, env: { ...clean, XENDECK_DATA_DIR: dir, DATABASE_URL: `file:${path.join(dir, "xendeck.db")}`, ...env } },
  );
}

describe("npm run db:migrate", () => {
  it("creates and migrates the SQLite database under the data directory, prints the first admin's password once", async () => {
    const first = await migrate();
    expect(first.stdout).toMatch(/Database \(SQLite .*xendeck\.db\): applied \d{14}_init/);
    const password = /Password \(shown only this once\): (\S+)/.exec(first.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);

    const second = await migrate();
    expect(second.stdout).toMatch(/up to date/);
    expect(second.stdout).not.toMatch(/Password/);

    const db = createDbClient(`file:${path.join(dir, "xendeck.db")}`);
    try {
      expect(await db.user.findMany({ select: { username: true, isAdmin: true } })).toEqual([{ username: "admin", isAdmin: true }]);
    } finally {
      await db.$disconnect();
    }
  });

  it("stops with a clear message on an invalid configuration", async () => {
    const failed = await migrate({ DATABASE_URL: "mysql://nope" }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("DATABASE_URL: must start with file:");
    expect(failed?.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});
