/**
 * Building and serving the Next.js app from scripts (demo, end-to-end tests, page benchmark).
 *
 * Several engineers and tools share one working tree: builds are serialised by a lock, and tests and
 * benchmarks serve a private copy of the build (`XENDECK_DIST_DIR`, read by next.config.mjs), so that another
 * build replacing `.next` cannot pull the rug from under a running server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is lib/dev/demo/next-server.ts). */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const BUILD_DIR = path.join(ROOT, ".next");
const SERVER_MAIN = path.join(ROOT, "lib", "server", "main.ts");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` holding a machine-wide lock for this working tree (a directory created atomically). */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `xendeck-build-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}.lock`);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(path.join(lock, "pid"), "utf8"));
      } catch {
        // being created or removed
      }
      if (owner && !isAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build holds ${lock} for too long`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs a command, its output appended to `logFile`; rejects with the end of the log when it fails. */
export function runLogged(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, stdio: ["ignore", fd, fd] });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      closeSync(fd);
      if (code === 0) return resolve();
      const log = tail(options.logFile);
      reject(new Error(`${path.basename(command)} ${args.join(" ")} failed (${signal ?? `exit ${code}`}); see ${options.logFile}\n${log}`));
    });
  });
}

/** The last lines of a (small) log file. */
function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * `next build` into `.next` (under the lock). With `ifMissing`, an existing build is kept. The environment
 * passed must not set XENDECK_DIST_DIR.
 */
export async function buildApp(options: { logFile: string; ifMissing?: boolean }): Promise<void> {
  await withBuildLock(async () => {
    if (options.ifMissing && existsSync(path.join(BUILD_DIR, "BUILD_ID"))) return;
    const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
    delete env.XENDECK_DIST_DIR;
    await runLogged(process.execPath, [NEXT_BIN, "build"], { env, logFile: options.logFile });
  });
}

/**
 * Copies the current build to `target` (inside the project: Next resolves distDir from it) without its caches,
 * turning the relative symlinks to external packages into absolute ones. Returns `target` relative to the root,
 * the value for XENDECK_DIST_DIR.
 */
export async function copyBuild(target: string): Promise<string> {
  return withBuildLock(async () => {
    if (!existsSync(path.join(BUILD_DIR, "BUILD_ID"))) throw new Error("no build in .next (run next build first)");
    rmSync(target, { recursive: true, force: true });
    cpSync(BUILD_DIR, target, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => {
        const relative = path.relative(BUILD_DIR, source);
        return !["cache", "dev", "trace", "trace-build"].includes(relative.split(path.sep)[0]!);
      },
    });
    absolutiseLinks(path.join(target, "node_modules"), path.join(BUILD_DIR, "node_modules"));
    return path.relative(ROOT, target);
  });
}

function absolutiseLinks(dir: string, originalDir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const copy = path.join(dir, entry);
    const original = path.join(originalDir, entry);
    if (lstatSync(copy).isSymbolicLink()) {
      const target = path.resolve(path.dirname(original), readlinkSync(copy));
      rmSync(copy);
      symlinkSync(target, copy);
    } else if (lstatSync(copy).isDirectory()) absolutiseLinks(copy, original);
  }
}

/** Starts XenDeck's server (lib/server/main.ts, as `npm start` does) on 127.0.0.1:`port`; output appended to `logFile`. */
export function startAppServer(options: { port: number; env: NodeJS.ProcessEnv; logFile: string; distDir?: string; nodeArgs?: string[] }): ChildProcess {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, "a");
  const env = {
    ...options.env,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production" as const,
    PORT: String(options.port),
    HOSTNAME: "127.0.0.1",
    ...(options.distDir ? { XENDECK_DIST_DIR: options.distDir } : {}),
  };
  const args = [...(options.nodeArgs ?? []), "--import", "tsx", SERVER_MAIN];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", fd, fd] });
  child.on("exit", () => closeSync(fd));
  return child;
}

/** Resolves once `url` answers (any status below 500), or rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the server exited (code ${child.exitCode}) before answering ${url}`);
    try {
      const response = await fetch(url, { redirect: "manual" });
      if (response.status < 500) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** Stops a child with SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
