/**
 * The messages every class gets from the data model: `get_all`, `get_all_records`, `get_record`,
 * `get_by_uuid`, `get_by_name_label`, `get_<field>`, `set_<field>` (RW fields only: read-only fields have no
 * setter, so calling one is MESSAGE_METHOD_UNKNOWN), `add_to_<map>` / `remove_from_<map>`,
 * `add_<set>` / `remove_<set>` (tags). A few explicit messages of the model are plain field updates too
 * (`VM.add_to_other_config`, `SR.set_name_label`...) and share the same code.
 */
import type { MessageSpec } from "@/lib/xapi/model/spec";
import { XapiError } from "./errors";
import { NULL_REF } from "./protocol/xapi-types";
import { classInfo, SERVED_CLASSES, type ClassInfo, type FieldInfo } from "./records";
import type { Handler, MessageRegistry } from "./registry";
import type { SimPool } from "./pool";
import type { AnyObject, StoredObject } from "./store";
import { refreshAllowedOperations } from "./vm-rules";
import type { VmRecord } from "@/lib/xapi/model/records.generated";

/** Explicit messages of the model whose behaviour is exactly a field update. */
const PLAIN_EXPLICIT = new Set([
  "VM.set_other_config",
  "VM.add_to_other_config",
  "VM.remove_from_other_config",
  "VM.set_blocked_operations",
  "VM.add_to_blocked_operations",
  "VM.remove_from_blocked_operations",
  "VM.set_platform",
  "VM.add_to_platform",
  "VM.remove_from_platform",
  "VM.set_HVM_boot_policy",
  "VM.set_actions_after_crash",
  "VM.set_shutdown_delay",
  "VM.set_start_delay",
  "VM.set_order",
  "SR.set_name_label",
  "SR.set_name_description",
  "VDI.set_name_label",
  "VDI.set_name_description",
  "task.set_other_config",
  "task.add_to_other_config",
  "task.remove_from_other_config",
  "network.add_purpose",
  "network.remove_purpose",
  "network.set_default_locking_mode",
]);

export function genericMessages(r: MessageRegistry): void {
  for (const cls of SERVED_CLASSES) {
    const info = classInfo(cls);
    for (const m of info.spec.messages.values()) {
      if (!m.implicit && !PLAIN_EXPLICIT.has(`${cls}.${m.name}`)) continue;
      const handler = genericHandler(info, m);
      if (handler) r.define(`${cls}.${m.name}`, handler);
    }
  }
}

/** The generic implementation of message `m` of class `info`, if it has one. */
export function genericHandler(info: ClassInfo, m: MessageSpec): Handler | undefined {
  const cls = info.name;
  switch (m.name) {
    case "get_all":
      return (ctx) => [...ctx.pool.store.all(cls)].map((o) => o.ref);
    case "get_all_records":
      return (ctx) => new Map([...ctx.pool.store.all(cls)].map((o) => [o.ref, o]));
    case "get_record":
      return (ctx, [self]) => ctx.pool.need(cls, String(self));
    case "get_by_uuid":
      return (ctx, [uuid]) => {
        const obj = ctx.pool.store.byUuidOf(cls, String(uuid));
        if (!obj) throw new XapiError("UUID_INVALID", [cls, String(uuid)]);
        return obj.ref;
      };
    case "get_by_name_label":
      return (ctx, [label]) => [...ctx.pool.store.all(cls)].filter((o) => o.rec.name_label === label).map((o) => o.ref);
  }
  const match = /^(get|set|add_to|remove_from|add|remove)_(.+)$/.exec(m.name);
  if (!match) return undefined;
  const [, verb, fieldName] = match;
  if (info.removedFields.has(fieldName)) {
    return () => {
      throw new XapiError("MESSAGE_REMOVED", []);
    };
  }
  const field = info.fieldsByName.get(fieldName);
  if (!field) return undefined;
  switch (verb) {
    case "get":
      return (ctx, [self]) => ctx.pool.need(cls, String(self)).rec[fieldName];
    case "set":
      return (ctx, [self, value]) => {
        const obj = ctx.pool.need(cls, String(self));
        checkRefs(ctx.pool, field, value);
        change(ctx.pool, obj, fieldName, value);
      };
    case "add_to":
      if (field.type.k !== "map") return undefined;
      return (ctx, [self, key, value]) => {
        const obj = ctx.pool.need(cls, String(self));
        const map = obj.rec[fieldName] as Record<string, unknown>;
        if (Object.hasOwn(map, String(key))) throw new XapiError("MAP_DUPLICATE_KEY", [cls, fieldName, obj.uuid, String(key)]);
        change(ctx.pool, obj, fieldName, { ...map, [String(key)]: value });
      };
    case "remove_from":
      if (field.type.k !== "map") return undefined;
      return (ctx, [self, key]) => {
        const obj = ctx.pool.need(cls, String(self));
        const map = obj.rec[fieldName] as Record<string, unknown>;
        if (!Object.hasOwn(map, String(key))) return;
        const next = { ...map };
        delete next[String(key)];
        change(ctx.pool, obj, fieldName, next);
      };
    case "add":
      if (field.type.k !== "set") return undefined;
      return (ctx, [self, value]) => {
        const obj = ctx.pool.need(cls, String(self));
        const set = obj.rec[fieldName] as unknown[];
        if (!set.includes(value)) change(ctx.pool, obj, fieldName, [...set, value]);
      };
    case "remove":
      if (field.type.k !== "set") return undefined;
      return (ctx, [self, value]) => {
        const obj = ctx.pool.need(cls, String(self));
        const set = obj.rec[fieldName] as unknown[];
        if (set.includes(value))
          change(
            ctx.pool,
            obj,
            fieldName,
            set.filter((v) => v !== value),
          );
      };
  }
  return undefined;
}

/** A ref stored in a field must name a live object of the right class (or be NULL). */
function checkRefs(pool: SimPool, field: FieldInfo, value: unknown): void {
  if (field.type.k === "ref" && value !== NULL_REF) pool.need(field.type.cls, String(value));
}

function change(pool: SimPool, obj: AnyObject, field: string, value: unknown): void {
  pool.store.update(obj, { [field]: value });
  // blocked_operations, is_a_template... decide what the VM allows.
  if (obj.cls.name === "VM") refreshAllowedOperations(pool, obj as unknown as StoredObject<VmRecord>);
}
