/**
 * What the global setup started, written to a JSON file the tests read (its path travels in
 * XENDECK_E2E_RUN): the app's URL, the simulator's control API, the seeded users and pools, the simulator's VMs.
 */
import { readFileSync } from "node:fs";

export type SeededUser = "admin" | "operator" | "viewer" | "nobody";

export interface RunInfo {
  runDir: string;
  baseUrl: string;
  /** The simulator's control API (faults, outside changes, inspection). */
  controlUrl: string;
  sim: { username: string; password: string };
  /** Environment of the app server (database, data directory, keys): for `runDbCli`. */
  appEnv: Record<string, string>;
  users: Record<SeededUser, { username: string; password: string; storageState: string }>;
  /** Every simulated pool; `id` is set for the registered ones. */
  pools: { name: string; uuid: string; masterUrl: string; hosts: { name: string; uuid: string; address: string }[]; id: string | null }[];
  /** Ordinary VMs of the simulator as seeded. */
  vms: { name: string; pool: string; uuid: string; powerState: string }[];
  /** Templates of the simulator as seeded (names repeat across pools). */
  templates: { name: string; pool: string; uuid: string }[];
}

export const RUN_INFO_ENV = "XENDECK_E2E_RUN";

let cached: RunInfo | undefined;

export function runInfo(): RunInfo {
  if (cached) return cached;
  const file = process.env[RUN_INFO_ENV];
  if (!file) throw new Error(`${RUN_INFO_ENV} is not set: run the tests with npm run test:e2e (the global setup sets it)`);
  cached = JSON.parse(readFileSync(file, "utf8")) as RunInfo;
  return cached;
}
