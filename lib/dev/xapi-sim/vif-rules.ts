/**
 * XAPI's rules for VIF operations (xapi_vif_helpers.ml valid_operations), in its order: one operation at a
 * time, no hotplug on dom0, plug/unplug only while the VM runs (and not while it shuts down or suspends), and
 * hotplug support of an HVM guest (PV drivers).
 */
import type { VifOperations, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { isHvm } from "./device-numbers";
import { OperationTable, sameOperations } from "./operation-table";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";
import { hotplugRefusal } from "./vbd-rules";

type Vif = StoredObject<VifRecord>;

const VIF_OPS: readonly VifOperations[] = ["attach", "plug", "unplug"];

export function vifOperationTable(pool: SimPool, vif: Vif): OperationTable<VifOperations> {
  const table = new OperationTable(VIF_OPS);
  const vm = pool.need<VmRecord>("VM", vif.rec.VM);
  const current = Object.entries(vif.rec.current_operations);
  if (current.length > 0) {
    // xapi folds the list with cons: both come out reversed.
    const refs = current.map(([task]) => task).reverse();
    const types = current.map(([, op]) => op).reverse();
    table.refuse(VIF_OPS, ["OTHER_OPERATION_IN_PROGRESS", "VIF", vif.ref, `{${types.join("; ")}}`, `{${refs.join("; ")}}`]);
  }
  if (vm.rec.is_control_domain && vm.rec.domid === 0) table.refuse(["plug"], ["OPERATION_NOT_ALLOWED", "Control domain does not support hotplug"]);
  const power = vm.rec.power_state;
  if (power === "Running" && vif.rec.currently_attached) table.refuse(["plug"], ["DEVICE_ALREADY_ATTACHED", vif.ref]);
  else if (power === "Running") table.refuse(["unplug"], ["DEVICE_ALREADY_DETACHED", vif.ref]);
  else table.refuse(["plug", "unplug"], ["VM_BAD_POWER_STATE", vm.ref, "running", power.toLowerCase()]);
  for (const op of Object.values(vm.rec.current_operations)) {
    if (["clean_shutdown", "hard_shutdown", "suspend", "pause"].includes(op)) {
      table.refuse(["plug", "unplug"], ["OPERATION_NOT_ALLOWED", `Current operation on VM:${vm.ref} is ${op}`]);
    }
  }
  if (power === "Running" && isHvm(vm.rec)) {
    const refusal = hotplugRefusal(pool, vm, "vif");
    if (refusal) table.refuse(["plug", "unplug"], refusal);
  }
  return table;
}

export function assertVifOperation(pool: SimPool, vif: Vif, op: VifOperations): void {
  vifOperationTable(pool, vif).assert(op);
}

export function refreshVifOperations(pool: SimPool, vif: Vif): void {
  if (vif.dtime) return;
  const next = vifOperationTable(pool, vif).allowed();
  if (!sameOperations(next, vif.rec.allowed_operations)) pool.store.update(vif, { allowed_operations: next });
}
