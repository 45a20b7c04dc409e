/**
 * XAPI's rules for VM operations (xapi_vm_lifecycle.ml): in which power states an operation is allowed,
 * which operations may run concurrently, and the checks in XAPI's order: blocked_operations
 * (OPERATION_BLOCKED), power state (VM_BAD_POWER_STATE with lower-case states), another operation in
 * progress (OTHER_OPERATION_IN_PROGRESS), templates (VM_IS_TEMPLATE), snapshots (VM_IS_SNAPSHOT),
 * provision/revert, the control domain (OPERATION_NOT_ALLOWED). `allowed_operations` is the list of
 * operations that pass these checks, recomputed after every change of the VM.
 */
import type { VmOperations, VmPowerState, VmRecord, VmGuestMetricsRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";

type Vm = StoredObject<VmRecord>;

const ALL_STATES: VmPowerState[] = ["Halted", "Paused", "Suspended", "Running"];

export function allowedPowerStates(vm: VmRecord, op: VmOperations): VmPowerState[] {
  switch (op) {
    case "changing_VCPUs":
    case "changing_static_range":
    case "changing_memory_limits":
      return vm.is_control_domain ? ["Halted", "Running"] : ["Halted"];
    case "changing_shadow_memory":
    case "make_into_template":
    case "provision":
    case "start":
    case "start_on":
      return ["Halted"];
    case "unpause":
      return ["Paused"];
    case "csvm":
    case "resume":
    case "resume_on":
      return ["Suspended"];
    case "awaiting_memory_live":
    case "call_plugin":
    case "clean_reboot":
    case "clean_shutdown":
    case "changing_memory_live":
    case "changing_shadow_memory_live":
    case "changing_VCPUs_live":
    case "data_source_op":
    case "pause":
    case "pool_migrate":
    case "send_sysrq":
    case "send_trigger":
    case "snapshot_with_quiesce":
    case "suspend":
      return ["Running"];
    case "changing_dynamic_range":
      return ["Halted", "Running"];
    case "clone":
    case "copy":
      return vm.is_a_snapshot ? ["Halted", "Suspended"] : ["Halted"];
    case "create_template":
    case "destroy":
    case "export":
      return ["Halted", "Suspended"];
    case "hard_reboot":
      return ["Paused", "Running"];
    case "checkpoint":
    case "get_boot_record":
    case "shutdown":
    case "hard_shutdown":
      return ["Paused", "Suspended", "Running"];
    case "migrate_send":
      return ["Halted", "Suspended", "Running"];
    case "import":
      return [];
    default:
      return ALL_STATES;
  }
}

const LONG_COPIES: VmOperations[] = ["clone", "copy", "export"];
const SNAPSHOTS: VmOperations[] = ["snapshot", "checkpoint"];
const STATE_MACHINE: [VmOperations, VmOperations][] = [
  ["snapshot_with_quiesce", "snapshot"],
  ["migrate_send", "metadata_export"],
  ["migrate_send", "clean_shutdown"],
  ["migrate_send", "clean_reboot"],
  ["migrate_send", "start"],
  ["migrate_send", "start_on"],
];

function allowedConcurrently(op: VmOperations, current: VmOperations[]): boolean {
  const within = (group: VmOperations[]) => group.includes(op) && current.every((c) => group.includes(c));
  if (within(LONG_COPIES) || within(SNAPSHOTS) || within(["get_boot_record"])) return true;
  if (op === "hard_shutdown") return !current.includes("hard_shutdown");
  if (op === "hard_reboot") return !current.some((c) => c === "hard_shutdown" || c === "hard_reboot");
  return current.length === 1 && STATE_MACHINE.some(([state, next]) => state === current[0] && next === op);
}

const TEMPLATE_OPS: VmOperations[] = [
  "changing_dynamic_range",
  "changing_static_range",
  "changing_memory_limits",
  "changing_shadow_memory",
  "changing_VCPUs",
  "clone",
  "copy",
  "export",
  "metadata_export",
  "provision",
];
const SNAPSHOT_OPS: VmOperations[] = ["revert", "clone", "copy", "export", "destroy", "hard_shutdown", "metadata_export"];
const CONTROL_DOMAIN_OPS: VmOperations[] = [
  "data_source_op",
  "changing_memory_live",
  "awaiting_memory_live",
  "metadata_export",
  "changing_dynamic_range",
  "changing_memory_limits",
  "changing_static_range",
  "start",
  "start_on",
  "changing_VCPUs",
  "destroy",
];

/** Why an operation is refused: `[code, ...params]` (an XapiError is only built when it is thrown). */
export type Refusal = [string, ...string[]];

/** The first reason `op` cannot run on `vm` now, or undefined. */
export function operationError(pool: SimPool, vm: Vm, op: VmOperations): Refusal | undefined {
  const r = vm.rec;
  const blocked = r.blocked_operations[op];
  if (blocked !== undefined) return ["OPERATION_BLOCKED", vm.ref, blocked];
  const states = allowedPowerStates(r, op);
  if (!states.includes(r.power_state)) {
    return ["VM_BAD_POWER_STATE", vm.ref, states.map((s) => s.toLowerCase()).join(", "), r.power_state.toLowerCase()];
  }
  const current = Object.entries(r.current_operations);
  if (
    current.length > 0 &&
    !allowedConcurrently(
      op,
      current.map(([, o]) => o),
    )
  ) {
    const [task, running] = current[0];
    return ["OTHER_OPERATION_IN_PROGRESS", "VM", vm.ref, running, task];
  }
  if (r.is_a_template && !r.is_a_snapshot) {
    const isDefault = r.is_default_template || r.other_config.default_template === "true";
    if (!(TEMPLATE_OPS.includes(op) || ((op === "destroy" || op === "migrate_send") && !isDefault))) {
      return ["VM_IS_TEMPLATE", vm.ref, op];
    }
  }
  if (r.is_a_snapshot && !SNAPSHOT_OPS.includes(op)) return ["VM_IS_SNAPSHOT", vm.ref, op];
  if (op === "provision" && !r.is_a_template) return ["PROVISION_ONLY_ALLOWED_ON_TEMPLATE"];
  if (op === "revert" && !r.is_a_snapshot) return ["REVERT_ONLY_ALLOWED_ON_SNAPSHOT"];
  if (r.is_control_domain) {
    if ((op === "changing_VCPUs" || op === "destroy") && r.domid === 0) {
      return ["OPERATION_NOT_ALLOWED", "This operation is not allowed on dom0"];
    }
    if (!CONTROL_DOMAIN_OPS.includes(op)) {
      return ["OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain"];
    }
  }
  if (op === "snapshot_with_quiesce") {
    const gm = pool.store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", r.guest_metrics);
    if (!gm || !("feature-quiesce" in gm.rec.other || "feature-snapshot" in gm.rec.other)) {
      return ["VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", vm.ref];
    }
  }
  return undefined;
}

export function assertOperationValid(pool: SimPool, vm: Vm, op: VmOperations): void {
  const refusal = operationError(pool, vm, op);
  if (refusal) throw new XapiError(refusal[0], refusal.slice(1));
}

/** The operations XAPI evaluates for `allowed_operations` (in its order). */
const ADVERTISED_OPS: VmOperations[] = [
  "snapshot",
  "copy",
  "clone",
  "revert",
  "checkpoint",
  "snapshot_with_quiesce",
  "start",
  "start_on",
  "pause",
  "unpause",
  "clean_shutdown",
  "clean_reboot",
  "hard_shutdown",
  "hard_reboot",
  "suspend",
  "resume",
  "resume_on",
  "export",
  "destroy",
  "provision",
  "changing_VCPUs_live",
  "pool_migrate",
  "migrate_send",
  "make_into_template",
  "changing_static_range",
  "changing_shadow_memory",
  "changing_dynamic_range",
];

export function computeAllowedOperations(pool: SimPool, vm: Vm): VmOperations[] {
  // XAPI folds with cons, so the list comes out reversed.
  return ADVERTISED_OPS.filter((op) => !operationError(pool, vm, op)).reverse();
}

/** Recomputes `allowed_operations`; publishes only when it changed. */
export function refreshAllowedOperations(pool: SimPool, vm: Vm): void {
  if (vm.dtime) return;
  const next = computeAllowedOperations(pool, vm);
  const prev = vm.rec.allowed_operations;
  if (next.length !== prev.length || next.some((op, i) => op !== prev[i])) pool.store.update(vm, { allowed_operations: next });
}
