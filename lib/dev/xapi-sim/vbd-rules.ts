/**
 * XAPI's rules for VBD operations (xapi_vbd_helpers.ml valid_operations), in its order: another operation on
 * the VBD, drives not marked unpluggable, non-CD drives (no insert/eject), empty or full drives, the VM's power
 * state (plug/unplug only while it runs), a shutdown or suspend in progress, hotplug support of an HVM guest
 * (PV drivers; CD drives are never hotplugged, only inserted or ejected), a suspended VM's CD drive, and the
 * disk itself (managed, busy, shared with another running VM).
 */
import type { VbdOperations, VbdRecord, VdiRecord, VmGuestMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { isHvm } from "./device-numbers";
import { OperationTable, sameOperations } from "./operation-table";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";

type Vbd = StoredObject<VbdRecord>;

const VBD_OPS: readonly VbdOperations[] = ["attach", "eject", "unplug", "unplug_force", "insert", "plug", "pause", "unpause"];
const SAFE_TO_PARALLELISE: readonly VbdOperations[] = ["pause", "unpause"];
const PLUG_OPS: readonly VbdOperations[] = ["plug", "unplug", "unplug_force"];

export function isSystemDomain(vm: VmRecord): boolean {
  return vm.is_control_domain || vm.other_config.is_system_domain === "true";
}

/** Hotplug refusal of a running HVM guest (Xapi_pv_driver_version): none when its drivers claim support. */
export function hotplugRefusal(pool: SimPool, vm: StoredObject<VmRecord>, device: "vbd" | "vif"): [string, ...string[]] | undefined {
  const gm = pool.store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", vm.rec.guest_metrics)?.rec;
  const claim = gm && (device === "vbd" ? gm.can_use_hotplug_vbd : gm.can_use_hotplug_vif);
  if (claim === "yes") return undefined;
  if (claim === "no") return ["OPERATION_NOT_ALLOWED", `VM states it does not support ${device.toUpperCase()} hotplug.`];
  if (gm?.PV_drivers_detected) return undefined;
  return ["VM_MISSING_PV_DRIVERS", vm.ref];
}

/** The refusals of every VBD operation; `sharing` adds the disk-sharing checks xapi runs before acting. */
export function vbdOperationTable(pool: SimPool, vbd: Vbd, sharing: boolean): OperationTable<VbdOperations> {
  const table = new OperationTable(VBD_OPS);
  const r = vbd.rec;
  const vm = pool.need<VmRecord>("VM", r.VM);
  const current = Object.entries(r.current_operations).sort(([, a], [, b]) => a.localeCompare(b));
  if (current.length > 0) {
    const [task, op] = current[0];
    table.refuse(
      VBD_OPS.filter((o) => !SAFE_TO_PARALLELISE.includes(o)),
      ["OTHER_OPERATION_IN_PROGRESS", "VBD", vbd.ref, op, task],
    );
    const blocking = current.find(([, o]) => !SAFE_TO_PARALLELISE.includes(o));
    if (blocking) table.refuse(["pause"], ["OTHER_OPERATION_IN_PROGRESS", "VBD", vbd.ref, blocking[1], blocking[0]]);
    const notAttach = current.find(([, o]) => o !== "attach" && !SAFE_TO_PARALLELISE.includes(o));
    if (notAttach) table.refuse(["unpause"], ["OTHER_OPERATION_IN_PROGRESS", "VBD", vbd.ref, notAttach[1], notAttach[0]]);
  }
  if (!r.unpluggable) table.refuse(["unplug", "unplug_force"], ["VBD_NOT_UNPLUGGABLE", vbd.ref]);
  if (r.type !== "CD") table.refuse(["insert", "eject"], ["VBD_NOT_REMOVABLE_MEDIA", vbd.ref]);
  if (r.empty) table.refuse(["eject"], ["VBD_IS_EMPTY", vbd.ref]);
  else table.refuse(["insert"], ["VBD_NOT_EMPTY", vbd.ref]);
  const power = vm.rec.power_state;
  if (power === "Running" && r.currently_attached) table.refuse(["plug"], ["DEVICE_ALREADY_ATTACHED", vbd.ref]);
  else if (power === "Running") table.refuse(["unplug", "unplug_force"], ["DEVICE_ALREADY_DETACHED", vbd.ref]);
  else table.refuse(power === "Paused" ? PLUG_OPS : [...PLUG_OPS, "pause", "unpause"], ["VM_BAD_POWER_STATE", vm.ref, "running", power.toLowerCase()]);
  for (const op of Object.values(vm.rec.current_operations)) {
    if (["clean_shutdown", "hard_shutdown", "suspend", "pause"].includes(op)) {
      table.refuse(["plug", "unplug"], ["OPERATION_NOT_ALLOWED", `Current operation on VM:${vm.ref} is ${op}`]);
    }
  }
  if (power === "Running" && isHvm(vm.rec)) {
    const refusal = hotplugRefusal(pool, vm, "vbd");
    if (refusal) table.refuse(PLUG_OPS, refusal);
    if (r.type === "CD") table.refuse(PLUG_OPS, ["OPERATION_NOT_ALLOWED", "HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected"]);
  }
  if (r.type === "CD" && power === "Suspended") table.refuse(["insert", "eject"], ["VM_BAD_POWER_STATE", vm.ref, "halted, running", "suspended"]);
  const vdi = r.empty ? undefined : pool.store.getOf<VdiRecord>("VDI", r.VDI);
  if (vdi) diskRules(pool, table, vbd, vm, vdi, sharing);
  return table;
}

function diskRules(pool: SimPool, table: OperationTable<VbdOperations>, vbd: Vbd, vm: StoredObject<VmRecord>, vdi: StoredObject<VdiRecord>, sharing: boolean) {
  if (!vdi.rec.managed) table.refuse(VBD_OPS, ["VDI_NOT_MANAGED", vbd.ref]);
  const busy = Object.entries(vdi.rec.current_operations).find(([, op]) => op !== "mirror" && op !== "copy");
  if (busy) table.refuse(["attach", "plug", "insert"], ["OTHER_OPERATION_IN_PROGRESS", "VDI", vdi.ref, busy[1], busy[0]]);
  if (vbd.rec.currently_attached || !sharing) return;
  const others = vdi.rec.VBDs.filter((ref) => ref !== vbd.ref)
    .map((ref) => pool.store.getOf<VbdRecord>("VBD", ref))
    .filter((other): other is Vbd => {
      const owner = other && pool.store.getOf<VmRecord>("VM", other.rec.VM);
      if (!other || !owner || owner.rec.power_state === "Suspended" || isSystemDomain(owner.rec)) return false;
      return other.rec.currently_attached || Object.keys(other.rec.current_operations).length > 0;
    });
  const someoneWrites = others.some((other) => other.rec.mode === "RW");
  const needWrite = vbd.rec.mode === "RW";
  if (!vdi.rec.sharable && !isSystemDomain(vm.rec) && (someoneWrites || (needWrite && others.length > 0))) {
    table.refuse(["attach", "insert", "plug"], ["VDI_IN_USE", vdi.ref]);
  }
  if (needWrite && vdi.rec.read_only) table.refuse(["attach", "insert", "plug"], ["VDI_READONLY", vdi.ref]);
}

export function assertVbdOperation(pool: SimPool, vbd: Vbd, op: VbdOperations): void {
  vbdOperationTable(pool, vbd, true).assert(op);
}

export function refreshVbdOperations(pool: SimPool, vbd: Vbd): void {
  if (vbd.dtime) return;
  const next = vbdOperationTable(pool, vbd, false).allowed();
  if (!sameOperations(next, vbd.rec.allowed_operations)) pool.store.update(vbd, { allowed_operations: next });
}
