/**
 * A private, throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary directory), for the migration
 * generator and the PostgreSQL tests. It listens only on a Unix socket in its own directory, so it needs no
 * free TCP port and cannot collide with another cluster. When running as root, the server runs as the
 * `postgres` OS user (PostgreSQL refuses to run as root).
 */
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface PostgresCluster {
  /** Connection URL of database `database` in this cluster. */
  url(database: string): string;
  /** Creates an empty database (optionally copied from `template`) and returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** Stops the server and deletes its files. */
  stop(): void;
}

const PORT = 5432;

/** The bin directory of the newest PostgreSQL installed under /usr/lib/postgresql (or $XENDECK_PG_BIN). */
export function findPostgresBin(): string {
  const candidates = process.env.XENDECK_PG_BIN
    ? [process.env.XENDECK_PG_BIN]
    : existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : [];
  const bin = candidates.find((dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl")));
  if (!bin) {
    throw new Error(
      "PostgreSQL is not installed: no initdb/pg_ctl in /usr/lib/postgresql/*/bin. " +
        "Install it with `apt-get install postgresql` (or set XENDECK_PG_BIN to the directory holding initdb and pg_ctl).",
    );
  }
  return bin;
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error("Running as root but there is no `postgres` OS user to run PostgreSQL as (install the postgresql package)");
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Starts a new cluster; call `stop()` when done (it is also stopped when the process exits). */
export function startPostgresCluster(): PostgresCluster {
  const bin = findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), "xendeck-pg-"));
  if (asRoot) {
    const { uid, gid } = postgresUserIds();
    chownSync(dir, uid, gid);
  }
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");

  /** Runs a PostgreSQL program, as the `postgres` user when we are root. */
  const spawnPostgres = (program: string, args: string[], options: { stdio?: "ignore" } = {}) => {
    const executable = path.join(bin, program);
    return asRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", executable, ...args], { encoding: "utf8", cwd: dir, ...options })
      : spawnSync(executable, args, { encoding: "utf8", cwd: dir, ...options });
  };
  const run = (program: string, args: string[]) => {
    const result = spawnPostgres(program, args);
    if (result.status !== 0) {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(`${program} failed (exit ${result.status}): ${result.stderr || result.stdout}${log ? `\n${log}` : ""}`);
    }
  };

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stop);
    spawnPostgres("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate"], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);

  try {
    run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
    const serverOptions = [
      "-c listen_addresses=''",
      `-c unix_socket_directories='${dir}'`,
      `-p ${PORT}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    run("pg_ctl", ["start", "-D", dataDir, "-w", "-t", "60", "-l", logFile, "-o", serverOptions]);
  } catch (error) {
    stop();
    throw error;
  }

  const url = (database: string) => `postgresql://postgres@localhost:${PORT}/${encodeURIComponent(database)}?host=${encodeURIComponent(dir)}`;

  return {
    url,
    async createDatabase(name, template) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name) || (template && !/^[a-z_][a-z0-9_]*$/.test(template))) {
        throw new Error(`Invalid database name: ${name}`);
      }
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
  };
}
