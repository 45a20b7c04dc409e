/**
 * XAPI's rules for VDI operations (xapi_vdi.ml check_operation_error), in its order: another operation on the
 * disk, an SR without attached PBDs (resize), a disk attached to a running VM (only snapshot, clone and the
 * like run live; copy needs no writer; everything else is VDI_IN_USE), a VBD operation in progress, what the SR
 * type's driver supports (SR_OPERATION_NOT_SUPPORTED), and per-operation rules (physical and tools-SR disks
 * are not destroyed, sharable disks are not snapshotted). `allowed_operations` lists the operations xapi
 * advertises (its pre-Ely set without `blocked` and `force_unlock`).
 */
import type { PbdRecord, SrRecord, VbdRecord, VdiOperations, VdiRecord } from "@/lib/xapi/model/records.generated";
import { OperationTable, sameOperations } from "./operation-table";
import type { SimPool } from "./pool";
import { supportsVdiOperation } from "./sr-drivers";
import type { StoredObject } from "./store";

type Vdi = StoredObject<VdiRecord>;

const ADVERTISED: readonly VdiOperations[] = ["clone", "copy", "resize", "resize_online", "snapshot", "destroy", "forget", "update", "generate_config"];
const LIVE: readonly VdiOperations[] = ["snapshot", "resize_online", "blocked", "clone", "revert_to", "mirror", "enable_cbt", "disable_cbt", "data_destroy"];

export function vdiOperationTable(pool: SimPool, vdi: Vdi, ops: readonly VdiOperations[] = ADVERTISED): OperationTable<VdiOperations> {
  const table = new OperationTable(ops);
  const r = vdi.rec;
  const sr = pool.need<SrRecord>("SR", r.SR);
  const busy = Object.entries(r.current_operations).find(([, op]) => op !== "copy");
  if (busy) table.refuse(ops, ["OTHER_OPERATION_IN_PROGRESS", "VDI", vdi.ref, busy[1], busy[0]]);
  const pbdsAttached = sr.rec.PBDs.some((ref) => pool.store.getOf<PbdRecord>("PBD", ref)?.rec.currently_attached);
  if (!pbdsAttached) table.refuse(["resize"], ["SR_HAS_NO_PBDS", sr.ref]);
  const vbds = r.VBDs.map((ref) => pool.store.getOf<VbdRecord>("VBD", ref)).filter((vbd) => vbd !== undefined);
  const active = vbds.filter((vbd) => vbd.rec.currently_attached);
  const activeWriters = active.filter((vbd) => vbd.rec.mode === "RW");
  for (const op of ops) {
    const blocked = LIVE.includes(op) ? false : op === "copy" ? activeWriters.length > 0 : active.length > 0;
    if (blocked) table.refuse([op], ["VDI_IN_USE", vdi.ref, op]);
  }
  const vbdBusy = vbds.find((vbd) => Object.keys(vbd.rec.current_operations).length > 0);
  if (vbdBusy) {
    const [task, op] = Object.entries(vbdBusy.rec.current_operations)[0];
    table.refuse(
      ops.filter((o) => o !== "data_destroy"),
      ["OTHER_OPERATION_IN_PROGRESS", "VDI", vdi.ref, op, task],
    );
  }
  table.refuse(
    ops.filter((op) => !supportsVdiOperation(sr.rec, op)),
    ["SR_OPERATION_NOT_SUPPORTED", sr.ref],
  );
  if (sr.rec.type === "udev") table.refuse(["destroy"], ["VDI_IS_A_PHYSICAL_DEVICE", vdi.ref]);
  if (sr.rec.is_tools_sr) table.refuse(["destroy"], ["SR_OPERATION_NOT_SUPPORTED", sr.ref]);
  if (r.type === "rrd") table.refuse(["destroy", "forget"], ["VDI_HAS_RRDS", vdi.ref]);
  if (r.sharable) table.refuse(["snapshot"], ["VDI_IS_SHARABLE", vdi.ref]);
  if (r.on_boot === "reset") table.refuse(["snapshot", "copy"], ["VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION"]);
  return table;
}

export function assertVdiOperation(pool: SimPool, vdi: Vdi, op: VdiOperations): void {
  vdiOperationTable(pool, vdi, [op]).assert(op);
}

export function refreshVdiOperations(pool: SimPool, vdi: Vdi): void {
  if (vdi.dtime) return;
  const next = vdiOperationTable(pool, vdi).allowed();
  if (!sameOperations(next, vdi.rec.allowed_operations)) pool.store.update(vdi, { allowed_operations: next });
}
