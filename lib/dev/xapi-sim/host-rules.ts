/**
 * XAPI's rules for host operations (xapi_host_helpers.ml `valid_operations`): operations that place VMs on a
 * host (provision, vm_resume, vm_migrate) and operations that empty it (evacuate, reboot, shutdown) exclude
 * each other; reboot, shutdown and apply_updates exclude each other; one provision at a time; reboot, shutdown
 * and apply_updates need a disabled host (HOST_NOT_DISABLED); power_on needs a host that is down and a power-on
 * mode. `allowed_operations` lists what passes, recomputed whenever the host's operations or state change.
 */
import type { HostAllowedOperations, HostMetricsRecord, HostRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import type { Refusal } from "./vm-rules";
import type { StoredObject } from "./store";

type Host = StoredObject<HostRecord>;

/** In the model's order, which is the order `allowed_operations` lists them in. */
const ALL_OPERATIONS: HostAllowedOperations[] = [
  "provision",
  "evacuate",
  "shutdown",
  "reboot",
  "power_on",
  "vm_start",
  "vm_resume",
  "vm_migrate",
  "apply_updates",
  "enable",
];
const PLACING: HostAllowedOperations[] = ["provision", "vm_resume", "vm_migrate"];
const EMPTYING: HostAllowedOperations[] = ["evacuate", "reboot", "shutdown"];
const EXCLUSIVE: [HostAllowedOperations, HostAllowedOperations[]][] = [
  ["reboot", ["shutdown", "apply_updates"]],
  ["shutdown", ["reboot", "apply_updates"]],
  ["apply_updates", ["reboot", "shutdown", "enable"]],
  ["provision", ["provision"]],
];

export function isHostLive(pool: SimPool, hostRef: string): boolean {
  const host = pool.store.getOf<HostRecord>("host", hostRef);
  return Boolean(host && pool.store.getOf<HostMetricsRecord>("host_metrics", host.rec.metrics)?.rec.live);
}

/** Why each operation is refused right now (the first reason found, as XAPI keeps the first error per operation). */
function refusals(pool: SimPool, host: Host): Map<HostAllowedOperations, Refusal> {
  const out = new Map<HostAllowedOperations, Refusal>();
  const refuse = (ops: HostAllowedOperations[], refusal: Refusal) => {
    for (const op of ops) if (!out.has(op)) out.set(op, refusal);
  };
  const current = Object.entries(host.rec.current_operations);
  const inProgress = (ops: HostAllowedOperations[]) => current.find(([, op]) => ops.includes(op));
  const busy = (task: string, op: string): Refusal => ["OTHER_OPERATION_IN_PROGRESS", "host", host.ref, op, task];
  const emptying = inProgress(EMPTYING);
  const placing = inProgress(PLACING);
  for (const op of ALL_OPERATIONS.filter((o) => o !== "power_on")) {
    if (PLACING.includes(op) && emptying) refuse([op], busy(...emptying));
    else if (EMPTYING.includes(op) && placing) refuse([op], busy(...placing));
  }
  for (const [running, excluded] of EXCLUSIVE) {
    const entry = current.find(([, op]) => op === running);
    if (entry) refuse(excluded, busy(entry[0], running));
  }
  if (host.rec.enabled) refuse(["reboot", "shutdown", "apply_updates"], ["HOST_NOT_DISABLED"]);
  if (isHostLive(pool, host.ref)) refuse(["power_on"], ["HOST_IS_LIVE", host.ref]);
  if (host.rec.power_on_mode === "") refuse(["power_on"], ["HOST_POWER_ON_MODE_DISABLED"]);
  return out;
}

export function hostOperationError(pool: SimPool, host: Host, op: HostAllowedOperations): Refusal | undefined {
  return refusals(pool, host).get(op);
}

export function computeHostOperations(pool: SimPool, host: Host): HostAllowedOperations[] {
  const refused = refusals(pool, host);
  return ALL_OPERATIONS.filter((op) => !refused.has(op));
}

/** Recomputes `allowed_operations`; publishes only when it changed. */
export function refreshHostOperations(pool: SimPool, host: Host): void {
  if (host.dtime) return;
  const next = computeHostOperations(pool, host);
  const prev = host.rec.allowed_operations;
  if (next.length !== prev.length || next.some((op, i) => op !== prev[i])) pool.store.update(host, { allowed_operations: next });
}

/**
 * Runs `body` as operation `op` of `host` under the key `taskRef`: checked first, listed in current_operations
 * while it runs. Besides the host's own operations, VM operations place VMs this way (vm_start, vm_resume,
 * vm_migrate on the receiving host), as XAPI's reserve_memory_for_vm does.
 */
export async function withHostOperation<T>(pool: SimPool, host: Host, op: HostAllowedOperations, taskRef: string, body: () => Promise<T> | T): Promise<T> {
  const refusal = hostOperationError(pool, host, op);
  if (refusal) throw new XapiError(refusal[0], refusal.slice(1));
  pool.store.update(host, { current_operations: { ...host.rec.current_operations, [taskRef]: op } });
  refreshHostOperations(pool, host);
  try {
    return await body();
  } finally {
    if (!host.dtime) {
      const current = { ...host.rec.current_operations };
      delete current[taskRef];
      pool.store.update(host, { current_operations: current });
      refreshHostOperations(pool, host);
    }
  }
}

/** Calls XAPI forwards to a member fail this way when the member is down (message_forwarding's check_live). */
export function assertHostReachable(pool: SimPool, host: Host): void {
  if (!isHostLive(pool, host.ref)) throw new XapiError("HOST_OFFLINE", [host.ref]);
}
