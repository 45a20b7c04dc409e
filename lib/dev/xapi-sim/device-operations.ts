/**
 * A VM's power state, guest agent and running operations decide what its VBDs, their disks and its VIFs
 * allow; xapi recomputes their `allowed_operations` after each VM operation, and so do the power-state
 * transitions here.
 */
import type { VbdRecord, VdiRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";
import { refreshVbdOperations } from "./vbd-rules";
import { refreshVdiOperations } from "./vdi-rules";
import { refreshVifOperations } from "./vif-rules";

export function refreshDeviceOperations(pool: SimPool, vm: StoredObject<VmRecord>): void {
  for (const ref of vm.rec.VBDs) {
    const vbd = pool.store.getOf<VbdRecord>("VBD", ref);
    if (!vbd) continue;
    refreshVbdOperations(pool, vbd);
    const vdi = pool.store.getOf<VdiRecord>("VDI", vbd.rec.VDI);
    if (vdi) refreshVdiOperations(pool, vdi);
  }
  for (const ref of vm.rec.VIFs) {
    const vif = pool.store.getOf<VifRecord>("VIF", ref);
    if (vif) refreshVifOperations(pool, vif);
  }
}
