/**
 * SR operations with XAPI's rules (xapi_sr_operations.ml, message_forwarding.ml): what the SR's backend can do
 * (SR_OPERATION_NOT_SUPPORTED), destroy and forget only once every PBD is unplugged (SR_HAS_PBD), one
 * operation at a time (OTHER_OPERATION_IN_PROGRESS; plugs may run side by side), and `allowed_operations`
 * recomputed whenever that changes. `SR.scan` needs a plugged PBD (on the master for a shared SR:
 * SR_HAS_NO_PBDS), lists itself in current_operations while it runs, and refreshes what the SR reports: each
 * disk's used space (guests keep writing) and the SR's totals.
 */
import type { PbdRecord, SrRecord, StorageOperations, VbdRecord, VdiRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";
import type { Refusal } from "./vm-rules";

type Sr = StoredObject<SrRecord>;

/** XAPI's `all_ops`, in its order. */
const ALL_OPERATIONS: StorageOperations[] = [
  "scan",
  "destroy",
  "forget",
  "plug",
  "unplug",
  "vdi_create",
  "vdi_destroy",
  "vdi_resize",
  "vdi_clone",
  "vdi_snapshot",
  "vdi_mirror",
  "vdi_enable_cbt",
  "vdi_disable_cbt",
  "vdi_data_destroy",
  "vdi_list_changed_blocks",
  "vdi_set_on_boot",
  "vdi_introduce",
  "vdi_revert",
  "update",
  "pbd_create",
  "pbd_destroy",
];

/** Operations that need a capability of the SR's driver (`sm_cap_table`); the others every driver has. */
const NEEDS_CAPABILITY: StorageOperations[] = [
  "vdi_create",
  "vdi_destroy",
  "vdi_resize",
  "vdi_introduce",
  "vdi_mirror",
  "vdi_enable_cbt",
  "vdi_disable_cbt",
  "vdi_data_destroy",
  "vdi_list_changed_blocks",
  "vdi_set_on_boot",
  "update",
  "vdi_revert",
  "vdi_snapshot",
];

/** What the drivers the data set uses can do (their SM features, as operations). */
const DISK_DRIVER: StorageOperations[] = [
  "vdi_create",
  "vdi_destroy",
  "vdi_resize",
  "vdi_mirror",
  "vdi_enable_cbt",
  "vdi_disable_cbt",
  "vdi_data_destroy",
  "vdi_list_changed_blocks",
  "vdi_set_on_boot",
  "update",
  "vdi_snapshot",
];
const DRIVER_CAPABILITIES: Record<string, StorageOperations[]> = {
  ext: DISK_DRIVER,
  nfs: DISK_DRIVER,
  lvm: DISK_DRIVER,
  lvmoiscsi: DISK_DRIVER,
  lvmohba: DISK_DRIVER,
  iso: ["vdi_create", "vdi_destroy", "vdi_introduce"],
};

const SAFE_IN_PARALLEL: StorageOperations[] = ["plug"];

function refusals(pool: SimPool, sr: Sr): Map<StorageOperations, Refusal> {
  const out = new Map<StorageOperations, Refusal>();
  const refuse = (ops: StorageOperations[], refusal: Refusal) => {
    for (const op of ops) if (!out.has(op)) out.set(op, refusal);
  };
  const capabilities = DRIVER_CAPABILITIES[sr.rec.type] ?? [];
  refuse(
    NEEDS_CAPABILITY.filter((op) => !capabilities.includes(op)),
    ["SR_OPERATION_NOT_SUPPORTED", sr.ref],
  );
  const pbds = sr.rec.PBDs.map((ref) => pool.store.getOf<PbdRecord>("PBD", ref)).filter((p) => p !== undefined);
  if (pbds.some((p) => p.rec.currently_attached)) refuse(["destroy", "forget"], ["SR_HAS_PBD", sr.ref]);
  if (sr.rec.PBDs.length === 0) refuse(["destroy"], ["SR_HAS_NO_PBDS", sr.ref]);
  const managed = sr.rec.VDIs.some((ref) => {
    const vdi = pool.store.getOf<VdiRecord>("VDI", ref);
    return vdi?.rec.managed && vdi.rec.type !== "rrd";
  });
  if (managed) refuse(["destroy"], ["SR_NOT_EMPTY"]);
  const current = Object.entries(sr.rec.current_operations).sort(([, a], [, b]) => a.localeCompare(b));
  if (current.length > 0) {
    const [task, op] = current[0];
    refuse(
      ALL_OPERATIONS.filter((o) => !SAFE_IN_PARALLEL.includes(o)),
      ["OTHER_OPERATION_IN_PROGRESS", "SR", sr.ref, op, task],
    );
    const exclusive = current.find(([, o]) => !SAFE_IN_PARALLEL.includes(o));
    if (exclusive) refuse(SAFE_IN_PARALLEL, ["OTHER_OPERATION_IN_PROGRESS", "SR", sr.ref, exclusive[1], exclusive[0]]);
  }
  return out;
}

export function computeSrOperations(pool: SimPool, sr: Sr): StorageOperations[] {
  const refused = refusals(pool, sr);
  return ALL_OPERATIONS.filter((op) => !refused.has(op));
}

export function refreshSrOperations(pool: SimPool, sr: Sr): void {
  if (sr.dtime) return;
  const next = computeSrOperations(pool, sr);
  const prev = sr.rec.allowed_operations;
  if (next.length !== prev.length || next.some((op, i) => op !== prev[i])) pool.store.update(sr, { allowed_operations: next });
}

async function withSrOperation<T>(ctx: CallContext, sr: Sr, op: StorageOperations, body: () => Promise<T>): Promise<T> {
  const { pool } = ctx;
  const refusal = refusals(pool, sr).get(op);
  if (refusal) throw new XapiError(refusal[0], refusal.slice(1));
  const key = ctx.op.taskRef;
  pool.store.update(sr, { current_operations: { ...sr.rec.current_operations, [key]: op } });
  refreshSrOperations(pool, sr);
  try {
    return await body();
  } finally {
    if (!sr.dtime) {
      const current = { ...sr.rec.current_operations };
      delete current[key];
      pool.store.update(sr, { current_operations: current });
      refreshSrOperations(pool, sr);
    }
  }
}

/** The host that runs an operation on the SR: one with a plugged PBD (the master's, for a shared SR). */
function hostFor(pool: SimPool, sr: Sr): string {
  const plugged = sr.rec.PBDs.map((ref) => pool.store.getOf<PbdRecord>("PBD", ref)).filter((p) => p?.rec.currently_attached);
  const pbd = sr.rec.shared ? plugged.find((p) => p!.rec.host === pool.masterRef) : plugged[0];
  if (!pbd) throw new XapiError("SR_HAS_NO_PBDS", [sr.ref]);
  return pbd.rec.host;
}

/** What a scan finds: disks that grew since the last look (thin provisioning), and the SR's totals recounted. */
function rescan(pool: SimPool, sr: Sr): void {
  let physical = 0;
  let virtual = 0;
  for (const ref of sr.rec.VDIs) {
    const vdi = pool.store.getOf<VdiRecord>("VDI", ref);
    if (!vdi) continue;
    const { virtual_size: size, physical_utilisation: used } = vdi.rec;
    const attached = vdi.rec.VBDs.some((v) => pool.store.getOf<VbdRecord>("VBD", v)?.rec.currently_attached);
    // Disks in use keep growing a little (up to their size); ISO images and idle disks do not change.
    const grown = attached && sr.rec.content_type !== "iso" ? Math.min(size, used + Math.round(size * 0.002)) : used;
    if (grown !== used) pool.store.update(vdi, { physical_utilisation: grown });
    physical += grown;
    virtual += size;
  }
  if (physical !== sr.rec.physical_utilisation || virtual !== sr.rec.virtual_allocation) {
    pool.store.update(sr, { physical_utilisation: physical, virtual_allocation: virtual });
  }
}

export function srOperationMessages(r: MessageRegistry): void {
  r.define("SR.scan", (ctx, [ref]) => {
    const sr = ctx.pool.need<SrRecord>("SR", String(ref));
    return withSrOperation(ctx, sr, "scan", async () => {
      hostFor(ctx.pool, sr);
      await ctx.op.work(ctx.core.duration("sr_scan"));
      rescan(ctx.pool, sr);
    });
  });
}
