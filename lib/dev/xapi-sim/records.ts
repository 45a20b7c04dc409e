/**
 * Records built from the data model: which classes the simulator serves, every field of each class (fields
 * whose lifecycle is `Removed_s` are not served, as real xapi does not serve them), the model's defaults,
 * and the cached wire form of a record.
 */
import { classSpec, type ClassSpec } from "@/lib/xapi/model/spec";
import { ByteWriter } from "./protocol/byte-writer";
import type { WireWrite } from "./protocol/encodable";
import { jsonRecordTemplates } from "./protocol/jsonrpc";
import { NULL_REF, parseType, parseXapiDate, zeroValue, type XType } from "./protocol/xapi-types";
import { xmlRecordTemplates } from "./protocol/xmlrpc";

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
  /** Write a whole record (`<value><struct>...</struct></value>` / `{...}`); compiled once per class. */
  writeXml: RecordWrite;
  writeJson: RecordWrite;
}

type RecordWrite = (w: ByteWriter, rec: Record<string, unknown>) => void;

const infos = new Map<string, ClassInfo>();

export function classInfo(name: string): ClassInfo {
  const hit = infos.get(name);
  if (hit) return hit;
  const spec = classSpec(name);
  if (!spec) throw new Error(`class ${name} is not in the model`);
  const served = spec.fields.filter((f) => f.lifecycle !== "Removed_s");
  if (served.some((f) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.name) || f.name === "__proto__"))
    throw new Error(`class ${name} has a field name that cannot be a property`);
  const fields: FieldInfo[] = served.map((f) => {
    const type = parseType(f.type);
    return { name: f.name, type, rw: f.qualifier === "RW" };
  });
  const defaults = served.map((f, i) => parseDefault(fields[i].type, f.default));
  const info: ClassInfo = {
    name,
    lower: name.toLowerCase(),
    spec,
    fields,
    fieldsByName: new Map(fields.map((f) => [f.name, f])),
    removedFields: new Set(spec.fields.filter((f) => f.lifecycle === "Removed_s").map((f) => f.name)),
    evented: name !== "session",
    makeDefaults: compileDefaults(fields, defaults),
    writeXml: compileRecordWrite(fields, xmlRecordTemplates(fields)),
    writeJson: compileRecordWrite(fields, jsonRecordTemplates(fields)),
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

/**
 * Generated code, because a record is ~100 fields and the simulator encodes ~100,000 records for a full
 * `event.from`: a generated function reads each field with a constant property name (a monomorphic load)
 * and writes its member with one template copy (the previous member's end and this member's name joined).
 * Field names come from the data model, quoted with JSON.stringify.
 */
function compileRecordWrite(fields: FieldInfo[], { starts, writers, end }: { starts: Buffer[]; writers: WireWrite[]; end: Buffer }): RecordWrite {
  const body = fields.map((f, i) => `w.bytes(s[${i}]); v[${i}](w, rec[${JSON.stringify(f.name)}]);`).join("\n");
  return new Function("s", "v", "e", `"use strict"; return function writeRecord(w, rec) {\n${body}\nw.bytes(e);\n};`)(starts, writers, end) as RecordWrite;
}

/** A new record of the model's defaults, built as one object literal (every record of a class shares its shape). */
function compileDefaults(fields: FieldInfo[], defaults: unknown[]): () => Record<string, unknown> {
  const body = fields.map((f, i) => `${JSON.stringify(f.name)}: c(d[${i}])`).join(",\n");
  return new Function("d", "c", `"use strict"; return function makeDefaults() { return {\n${body}\n}; };`)(defaults, cloneValue) as () => Record<
    string,
    unknown
  >;
}

/** Records are encoded one at a time, synchronously: one writer serves them all. */
const recordWriter = new ByteWriter();

/** The `<value><struct>...</struct></value>` fragment of a record, as the bytes that go on the wire. */
export function recordXml(cls: ClassInfo, rec: Record<string, unknown>): Buffer {
  cls.writeXml(recordWriter, rec);
  return recordWriter.take();
}

export function recordJson(cls: ClassInfo, rec: Record<string, unknown>): Buffer {
  cls.writeJson(recordWriter, rec);
  return recordWriter.take();
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
