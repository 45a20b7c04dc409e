/**
 * Records built from the data model: which classes the simulator serves, every field of each class (fields
 * whose lifecycle is `Removed_s` are not served, as real xapi does not serve them), the model's defaults,
 * and the cached wire form of a record.
 */
import { classSpec, type ClassSpec } from "../xapi/model/spec";
import { jsonEncoder } from "./protocol/jsonrpc";
import { NULL_REF, parseType, parseXapiDate, zeroValue, type XType } from "./protocol/xapi-types";
import { xmlEncoder } from "./protocol/xmlrpc";

/** The classes stored and served by the simulator, in the order `system.listMethods` lists them. */
export const SERVED_CLASSES = [
  "session",
  "task",
  "pool",
  "host",
  "host_metrics",
  "host_cpu",
  "VM",
  "VM_metrics",
  "VM_guest_metrics",
  "SR",
  "PBD",
  "VDI",
  "VBD",
  "VIF",
  "network",
  "PIF",
  "console",
  "message",
] as const;

export type ServedClass = (typeof SERVED_CLASSES)[number];

export interface FieldInfo {
  name: string;
  type: XType;
  /** Writable through the implicit `set_<field>` message. */
  rw: boolean;
  /** Wire encoders of the value, compiled once per field. */
  xml: (value: unknown) => string;
  json: (value: unknown) => string;
}

export interface ClassInfo {
  name: string;
  /** The class name as events and `valid_ref_counts` write it. */
  lower: string;
  spec: ClassSpec;
  /** Served fields, in model order. */
  fields: FieldInfo[];
  fieldsByName: Map<string, FieldInfo>;
  /** Fields the model has removed: their messages answer MESSAGE_REMOVED. */
  removedFields: Set<string>;
  /** Sessions are stored but never appear in events: their refs are credentials. */
  evented: boolean;
  makeDefaults: () => Record<string, unknown>;
}

const infos = new Map<string, ClassInfo>();

export function classInfo(name: string): ClassInfo {
  const hit = infos.get(name);
  if (hit) return hit;
  const spec = classSpec(name);
  if (!spec) throw new Error(`class ${name} is not in the model`);
  const served = spec.fields.filter((f) => f.lifecycle !== "Removed_s");
  const fields: FieldInfo[] = served.map((f) => {
    const type = parseType(f.type);
    return { name: f.name, type, rw: f.qualifier === "RW", xml: xmlEncoder(type), json: jsonEncoder(type) };
  });
  const defaults = served.map((f, i) => [f.name, parseDefault(fields[i].type, f.default)] as const);
  const info: ClassInfo = {
    name,
    lower: name.toLowerCase(),
    spec,
    fields,
    fieldsByName: new Map(fields.map((f) => [f.name, f])),
    removedFields: new Set(spec.fields.filter((f) => f.lifecycle === "Removed_s").map((f) => f.name)),
    evented: name !== "session",
    makeDefaults: () => {
      const rec: Record<string, unknown> = {};
      for (const [field, value] of defaults) rec[field] = cloneValue(value);
      return rec;
    },
  };
  infos.set(name, info);
  return info;
}

export function isServedClass(name: string): name is ServedClass {
  return (SERVED_CLASSES as readonly string[]).includes(name);
}

/**
 * A complete record of `cls`: the model's defaults overlaid with `values`. Unknown field names throw, so a
 * typo in the simulator's own code cannot produce a record that the model does not describe.
 */
export function newRecord<R = Record<string, unknown>>(cls: ClassInfo, values: Partial<R>): R {
  const rec = cls.makeDefaults();
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    if (!cls.fieldsByName.has(key)) throw new Error(`${cls.name} has no field ${key}`);
    rec[key] = value;
  }
  return rec as R;
}

/** Deep copy of a record value (sets and maps are copied; dates are never mutated in place). */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.slice() as T;
  if (value && typeof value === "object" && !(value instanceof Date)) return { ...(value as object) } as T;
  return value;
}

/** The `<value><struct>...</struct></value>` fragment of a record, as the bytes that go on the wire. */
export function recordXml(cls: ClassInfo, rec: Record<string, unknown>): Buffer {
  const out = ["<value><struct>"];
  for (const f of cls.fields) out.push("<member><name>", f.name, "</name>", f.xml(rec[f.name]), "</member>");
  out.push("</struct></value>");
  return Buffer.from(out.join(""));
}

export function recordJson(cls: ClassInfo, rec: Record<string, unknown>): Buffer {
  const out: string[] = [];
  for (const f of cls.fields) out.push(`"${f.name}":${f.json(rec[f.name])}`);
  return Buffer.from(`{${out.join(",")}}`);
}

/** Turns the model's written default (`{}`, `""`, `OpaqueRef:NULL`, `1.`, `{"a" -> "b"}`...) into a value. */
export function parseDefault(type: XType, text: string | null): unknown {
  if (text === null) return zeroValue(type);
  const t = text.trim();
  switch (type.k) {
    case "string":
      return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
    case "int":
    case "float":
      return Number.parseFloat(t) || 0;
    case "bool":
      return t === "true";
    case "datetime":
      return parseXapiDate(t) ?? new Date(0);
    case "ref":
      return NULL_REF;
    case "enum":
      return type.values.includes(t) ? t : zeroValue(type);
    case "set": {
      const inner = t.replace(/^[{[]|[}\]]$/g, "").trim();
      if (inner === "") return [];
      return inner.split(",").map((item) => parseDefault(type.of, item.trim()));
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (const m of t.matchAll(/"([^"]*)"\s*->\s*"([^"]*)"/g)) out[m[1]] = parseDefault(type.val, `"${m[2]}"`);
      return out;
    }
    default:
      return zeroValue(type);
  }
}
