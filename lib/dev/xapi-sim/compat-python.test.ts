/**
 * Compatibility with Python's standard xmlrpc.client used the way the official XenAPI.py SDK uses it
 * (compat/xenapi_compat.py, standard library only), run with python3.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 10, speed: 0.03 });
});
afterAll(() => sim.stop());

it("works with xmlrpc.client the XenAPI.py way (session, Failure, HOST_IS_SLAVE, event_from, Async)", async () => {
  const script = fileURLToPath(new URL("./compat/xenapi_compat.py", import.meta.url));
  const args = [script, sim.pools[0].hosts[1].url, sim.controlUrl, sim.username, sim.password];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("python3", args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const checks = stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { check: string; ok: boolean; detail: unknown });
  expect(stderr).toBe("");
  expect(checks.filter((c) => !c.ok)).toEqual([]);
  expect(checks.map((c) => c.check)).toEqual([
    "HOST_IS_SLAVE followed",
    "API version",
    "VM.get_all_records",
    "64-bit ints arrive as strings",
    "booleans arrive as bool",
    "Failure envelope",
    "Async.VM.start task",
    "task result is an XML-RPC value",
    "Async.VM.clean_shutdown",
    "control API expires sessions",
    "SESSION_INVALID answered by a new login",
    "logout",
  ]);
  expect(code).toBe(0);
});
