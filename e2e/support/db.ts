/**
 * Runs e2e/support/db-cli.ts (XenDeck's repositories, as `admin`) against the test server's database.
 * Asynchronous on purpose: the simulator lives in the test runner's process and must keep answering meanwhile.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NODE_FLAGS = ["--experimental-wasm-modules", "--disable-warning=ExperimentalWarning", "--conditions=react-server", "--import", "tsx"];

/** Runs a db-cli command with `env` (the app server's environment); returns its JSON answer. */
export async function runDbCli<T = unknown>(env: Record<string, string>, args: string[]): Promise<T> {
  let output: string;
  try {
    ({ stdout: output } = await run(process.execPath, [...NODE_FLAGS, path.join(ROOT, "e2e/support/db-cli.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 60_000,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`db-cli ${args[0]} failed: ${stderr.trim() || String(error)}`);
  }
  // The repositories may log; the answer is the last line.
  const last = output.trim().split("\n").at(-1) ?? "null";
  return JSON.parse(last) as T;
}
