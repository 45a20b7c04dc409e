/**
 * Changes made "from outside", as if an admin used `xe` on a host or a guest acted by itself: a VM changes
 * power state (with everything a real pool updates: resident_on, domid, metrics, guest metrics, consoles,
 * allowed_operations, events), fields change, alerts appear. No task, no client involved.
 */
import type { MessageRecord, VmPowerState, VmRecord } from "@/lib/xapi/model/records.generated";
import { createAlert } from "./alerts";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import { parseXapiDate, type XType } from "./protocol/xapi-types";
import { classInfo } from "./records";
import type { StoredObject } from "./store";
import { bootError, chooseHost } from "./vm-lifecycle";
import { refreshAllowedOperations } from "./vm-rules";
import { markPaused, markRunning, markStopped } from "./vm-state";

type Vm = StoredObject<VmRecord>;

export interface VmChange {
  power_state?: VmPowerState;
  /** Where the VM starts when it goes from Halted/Suspended to Running/Paused (ref, uuid, name or address). */
  host?: string;
  /** Other fields of the VM record, e.g. `{ name_label: "renamed" }` (not references: those are relations). */
  fields?: Record<string, unknown>;
}

export function changeVm(pool: SimPool, vm: Vm, change: VmChange): void {
  if (change.fields) setFields(pool, vm, change.fields);
  if (change.power_state && change.power_state !== vm.rec.power_state) setPowerState(pool, vm, change.power_state, change.host);
}

function setPowerState(pool: SimPool, vm: Vm, target: VmPowerState, hostKey: string | undefined): void {
  const from = vm.rec.power_state;
  if (vm.rec.is_a_template || vm.rec.is_control_domain) {
    throw new XapiError("OPERATION_NOT_ALLOWED", [`${vm.rec.name_label} has no power state to change`]);
  }
  const bootHost = () => {
    if (!hostKey) return chooseHost(pool, vm);
    const host = pool.findHost(hostKey);
    if (!host) throw new XapiError("HANDLE_INVALID", ["host", hostKey]);
    const error = bootError(pool, vm, host.ref);
    if (error) throw error;
    return host.ref;
  };
  switch (target) {
    case "Halted":
      return markStopped(pool, vm, "Halted");
    case "Suspended":
      if (from === "Halted") throw new XapiError("VM_BAD_POWER_STATE", [vm.ref, "running, paused", "halted"]);
      return markStopped(pool, vm, "Suspended");
    case "Running":
    case "Paused":
      if (from === "Running" || from === "Paused") return markPaused(pool, vm, target === "Paused");
      return markRunning(pool, vm, bootHost(), target === "Paused");
    default:
      throw new XapiError("FIELD_TYPE_ERROR", ["power_state"]);
  }
}

function setFields(pool: SimPool, vm: Vm, fields: Record<string, unknown>): void {
  const info = classInfo("VM");
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const field = info.fieldsByName.get(name);
    if (!field) throw new XapiError("INVALID_VALUE", ["field", name]);
    if (name === "power_state") throw new XapiError("INVALID_VALUE", [name, "use power_state, not fields"]);
    // References are relations kept on both sides by the operations; changing one alone would break them.
    if (field.type.k === "ref" || (field.type.k === "set" && field.type.of.k === "ref")) {
      throw new XapiError("INVALID_VALUE", [name, "references change through XAPI calls"]);
    }
    patch[name] = coerce(field.type, value, name);
  }
  pool.store.update(vm, patch as Partial<VmRecord>);
  refreshAllowedOperations(pool, vm);
}

/** Checks a plain JS (or JSON) value against a field type; dates may be given as text. */
export function coerce(type: XType, value: unknown, name: string): unknown {
  const bad = () => new XapiError("FIELD_TYPE_ERROR", [name]);
  switch (type.k) {
    case "string":
    case "ref":
      if (typeof value !== "string") throw bad();
      return value;
    case "int":
      if (!Number.isSafeInteger(Number(value)) || value === "" || typeof value === "boolean") throw bad();
      return Number(value);
    case "float":
      if (!Number.isFinite(Number(value)) || typeof value === "boolean") throw bad();
      return Number(value);
    case "bool":
      if (typeof value !== "boolean") throw bad();
      return value;
    case "datetime": {
      const date = value instanceof Date ? value : typeof value === "string" ? parseXapiDate(value) : undefined;
      if (!date) throw bad();
      return date;
    }
    case "enum":
      if (typeof value !== "string" || !type.values.includes(value)) throw bad();
      return value;
    case "set":
      if (!Array.isArray(value)) throw bad();
      return value.map((v) => coerce(type.of, v, name));
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad();
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(type.val, v, name)]));
    default:
      throw bad();
  }
}

export interface AlertSpec {
  name: string;
  priority?: number;
  cls?: MessageRecord["cls"];
  obj_uuid?: string;
  body?: string;
}

export function raiseAlert(pool: SimPool, spec: AlertSpec): StoredObject<MessageRecord> {
  return createAlert(pool, {
    name: spec.name,
    priority: spec.priority ?? 3,
    cls: spec.cls ?? "Pool",
    obj_uuid: spec.obj_uuid ?? pool.pool.uuid,
    body: spec.body ?? "",
  });
}
