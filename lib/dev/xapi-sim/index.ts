/**
 * The XAPI simulator, for tests, demos and benchmarks:
 *
 *   const sim = await startSimulator({ pools: 2, hostsPerPool: 3, vmsPerPool: 30, speed: 0.05 });
 *   sim.pools[0].masterUrl   // http://127.0.1.1:<port>, log in with sim.username / sim.password
 *   sim.faults.failNext({ method: "VM.start", error: ["HOST_OFFLINE", "OpaqueRef:..."] });
 *   await sim.stop();
 *
 * See README.md for the options, the control API and what is (and is not) simulated.
 */
export { startSimulator } from "./simulator";
export type {
  ObjectView,
  PoolKey,
  SimHostInfo,
  SimPoolInfo,
  Simulator,
  SimulatorClock,
  SimulatorFaults,
  SimulatorInspect,
  SimulatorOutside,
  SimulatorStats,
} from "./simulator";
export type { JsonFlavor } from "./rrd-export";
export { BASE_DURATIONS, DEFAULT_PASSWORD } from "./config";
export type { SimulatorOptions, VmOperationName, TlsOptions, TlsKeyPair } from "./config";
export type { HostState } from "./server";
export type { VmChange, AlertSpec } from "./outside";
export type { CallLogEntry } from "./core";
export type { VdiContent } from "./vdi-content";
export type { ConsoleView } from "./consoles";
