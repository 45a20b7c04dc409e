/**
 * XAPI's XML-RPC dialect, both ways.
 *
 * Requests: every parameter is encoded against the model's signature of the method, then written by
 * `xmlrpc-writer.ts`. XML-RPC libraries' defaults are wrong for XAPI: integers as 32-bit `<int>` (XAPI ints are
 * 64-bit: we send strings, which XAPI accepts), whole floats as `<int>` (XAPI then refuses `event.from`'s
 * timeout: we send `<double>` whenever the model says float), dates in local time without zone (we send UTC
 * `20250319T04:16:24Z`), and strings holding `]]>` in CDATA (we always escape).
 *
 * Answers are parsed by `xmlrpc-parser.ts`, then decoded against the model (`model/spec.ts`): XAPI sends
 * ints as strings, so decoding is driven by the field and result types: ints → number, datetimes → Date,
 * sets → arrays, maps → objects, records → the interfaces of `model/records.generated.ts`. A value of the wrong
 * type is a `XapiProtocolError` naming the field, never a silently wrong record.
 */
import { LruMap } from "../memo";
import { formatXapiDate, parseXapiDate } from "./dates";
import { XapiError, XapiProtocolError } from "./errors";
import { classSpec, enumValues, type FieldSpec } from "./model/spec";
import type { BodySink } from "./transport";
import { parseMethodResponse, parseValueFragment, ResponseParser, type ParsedResponse, type ParsePlan } from "./xmlrpc-parser";
import { writeMethodCall, XmlRpcLeaf, type XmlRpcValue } from "./xmlrpc-writer";

export const NULL_REF = "OpaqueRef:NULL";

// ---------------------------------------------------------------------------------------------------------
// Requests

/** Forces a number to be sent as `<double>` when the model does not say so (methods outside the model). */
export class XapiFloat {
  constructor(readonly value: number) {}
}

function leafString(value: string): XmlRpcLeaf {
  return new XmlRpcLeaf("string", value);
}

function encodeDouble(value: number, where: string): XmlRpcLeaf {
  if (!Number.isFinite(value)) throw new TypeError(`${where}: ${value} cannot be sent to XAPI`);
  return new XmlRpcLeaf("double", String(value));
}

/** Encodes one parameter, guided by its XAPI type when the model knows it. */
export function encodeParam(value: unknown, xapiType: string | undefined, where = "parameter"): XmlRpcValue {
  if (value instanceof XapiFloat) return encodeDouble(value.value, where);
  const type = xapiType?.trim();
  if (type) {
    if (type === "float") {
      if (typeof value === "number") return encodeDouble(value, where);
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return encodeDouble(Number(value), where);
      throw new TypeError(`${where}: expected a float`);
    }
    if (type === "int") {
      if (typeof value === "number" && Number.isInteger(value)) return leafString(String(value));
      if (typeof value === "bigint") return leafString(value.toString());
      if (typeof value === "string" && /^-?\d+$/.test(value)) return leafString(value);
      throw new TypeError(`${where}: expected an integer`);
    }
    if (type === "bool") {
      if (typeof value === "boolean") return value;
      throw new TypeError(`${where}: expected a boolean`);
    }
    if (type === "datetime") {
      if (value instanceof Date) return new XmlRpcLeaf("dateTime.iso8601", formatXapiDate(value));
      if (typeof value === "string") return new XmlRpcLeaf("dateTime.iso8601", formatXapiDate(parseXapiDate(value)));
      throw new TypeError(`${where}: expected a date`);
    }
    const map = /^\((.+?) -> (.+)\) map$/.exec(type);
    if (map) {
      if (!isPlainObject(value)) throw new TypeError(`${where}: expected a map`);
      const out: Record<string, XmlRpcValue> = {};
      for (const [key, item] of Object.entries(value)) out[key] = encodeParam(item, map[2], `${where}.${key}`);
      return out;
    }
    if (type.endsWith(" set")) {
      if (!Array.isArray(value)) throw new TypeError(`${where}: expected an array`);
      return value.map((item, i) => encodeParam(item, type.slice(0, -4), `${where}[${i}]`));
    }
    if (type.endsWith(" record")) {
      if (!isPlainObject(value)) throw new TypeError(`${where}: expected a record`);
      const spec = classSpec(type.slice(0, -7));
      const out: Record<string, XmlRpcValue> = {};
      for (const [key, item] of Object.entries(value)) out[key] = encodeParam(item, spec?.fieldsByName.get(key)?.type, `${where}.${key}`);
      return out;
    }
    if (type === "string" || type.endsWith(" ref") || type.startsWith("enum ")) {
      if (typeof value === "string") return leafString(value);
      throw new TypeError(`${where}: expected a string`);
    }
  }
  // Untyped: infer from the JavaScript value.
  switch (typeof value) {
    case "string":
      return leafString(value);
    case "boolean":
      return value;
    case "bigint":
      return leafString(value.toString());
    case "number":
      return Number.isInteger(value) ? leafString(String(value)) : encodeDouble(value, where);
    case "object":
      if (value instanceof Date) return new XmlRpcLeaf("dateTime.iso8601", formatXapiDate(value));
      if (Array.isArray(value)) return value.map((item, i) => encodeParam(item, undefined, `${where}[${i}]`));
      if (isPlainObject(value)) {
        const out: Record<string, XmlRpcValue> = {};
        for (const [key, item] of Object.entries(value)) out[key] = encodeParam(item, undefined, `${where}.${key}`);
        return out;
      }
  }
  throw new TypeError(`${where}: ${value === null ? "null" : typeof value} cannot be sent to XAPI`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `Async.VM.start` / `VM.start` / `VM_start` → `{ cls: "VM", name: "start", async }`. */
export function splitMethod(method: string): { cls: string; name: string; async: boolean } {
  const async = method.startsWith("Async.");
  const rest = async ? method.slice(6) : method;
  const dot = rest.indexOf(".");
  if (dot > 0) return { cls: rest.slice(0, dot), name: rest.slice(dot + 1), async };
  return { cls: "", name: rest, async };
}

/** Parameter types of a method after the session, when the model knows the method. */
export function paramTypes(method: string): string[] | undefined {
  const { cls, name } = splitMethod(method);
  const message = classSpec(cls)?.messages.get(name);
  if (!message) return undefined;
  const params = message.params[0]?.type === "session ref" ? message.params.slice(1) : message.params;
  return params.map((p) => p.type);
}

/** The XAPI result type of a method (`VM ref`, `(VM ref -> VM record) map`...), when the model knows it. */
export function resultType(method: string): string | undefined {
  const { cls, name, async } = splitMethod(method);
  if (async) return "task ref";
  return classSpec(cls)?.messages.get(name)?.result;
}

/**
 * The XML of a method call. `session` (when given) goes first, as XAPI wants; the other parameters are
 * encoded according to the model's signature of the method.
 */
export function encodeMethodCall(method: string, params: readonly unknown[], session?: string): string {
  const types = paramTypes(method);
  const encoded: XmlRpcValue[] = params.map((value, i) => encodeParam(value, types?.[i], `${method} parameter ${i + 1}`));
  if (session !== undefined) encoded.unshift(leafString(session));
  return writeMethodCall(method, encoded);
}

// ---------------------------------------------------------------------------------------------------------
// Answers

/**
 * Parses a complete answer body and unwraps XAPI's envelope: the `Value` of a Success, a thrown `XapiError`
 * for a Failure, a thrown `XapiProtocolError` for anything else (XML-RPC faults included: XAPI never sends them).
 * `system.*` methods answer bare values. `valuePlan` says which parts of `Value` to build (see `ParsePlan`).
 */
export function decodeResponseBody(body: Buffer, method: string, valuePlan?: ParsePlan): unknown {
  return unwrapEnvelope(parseMethodResponse(body, envelopePlan(valuePlan)), method);
}

/**
 * `decodeResponseBody` for an answer still arriving: the transport feeds it chunk by chunk and big answers are
 * parsed while they arrive (see `ResponseParser`); `end()` returns the unwrapped `Value`.
 */
export function responseSink(method: string, valuePlan?: ParsePlan): BodySink<unknown> {
  const parser = new ResponseParser(envelopePlan(valuePlan));
  return {
    write: (chunk) => parser.write(chunk),
    end: () => unwrapEnvelope(parser.end(), method),
  };
}

function envelopePlan(valuePlan: ParsePlan | undefined): ParsePlan | undefined {
  return valuePlan && { members: { Value: valuePlan } };
}

function unwrapEnvelope(parsed: ParsedResponse, method: string): unknown {
  const value = parsed.value;
  if (parsed.fault) {
    const fault = isPlainObject(value) ? value : {};
    throw new XapiProtocolError(
      `The server answered an XML-RPC fault (${String(fault.faultCode ?? "?")}: ${String(fault.faultString ?? "").slice(0, 200)}); XAPI never does`,
      { method },
    );
  }
  if (method.startsWith("system.") && !(isPlainObject(value) && "Status" in value)) return value;
  if (!isPlainObject(value)) throw new XapiProtocolError("The answer is not an XAPI envelope (a struct with Status)", { method });
  if (value.Status === "Success") {
    if (!("Value" in value)) throw new XapiProtocolError("The answer has Status Success but no Value", { method });
    return value.Value;
  }
  if (value.Status === "Failure") {
    const description = value.ErrorDescription;
    if (!Array.isArray(description) || description.length === 0 || description.some((item) => typeof item === "object" && item !== null)) {
      throw new XapiProtocolError("The answer has Status Failure without a valid ErrorDescription", { method });
    }
    throw XapiError.fromDescription(description, method);
  }
  throw new XapiProtocolError(`The answer has an unknown Status ${JSON.stringify(String(value.Status)).slice(0, 40)}`, { method });
}

/** A task's `result` field (an XML-RPC `<value>` fragment, or "" for void results). */
export function decodeTaskResult(result: string, type?: string): unknown {
  if (result.trim() === "") return type ? decodeAs(type, "", "task result") : "";
  const raw = parseValueFragment(result);
  return type ? decodeAs(type, raw, "task result") : raw;
}

// -- typed decoding ---------------------------------------------------------------------------------------

export type Decoder = (raw: unknown, where: string) => unknown;

/** Decoders per XAPI type, built on first use: the types come from the model and the code (a few hundred). */
const decoders = new LruMap<string, Decoder>(1024);

function typeName(raw: unknown): string {
  if (raw === null) return "nil";
  if (Array.isArray(raw)) return "array";
  if (raw instanceof Date) return "date";
  return typeof raw === "object" ? "struct" : typeof raw;
}

function wrongType(where: string, expected: string, raw: unknown): never {
  throw new XapiProtocolError(`Wrong type for ${where}: expected ${expected}, got ${typeName(raw)}${typeof raw === "string" ? ` "${raw.slice(0, 30)}"` : ""}`);
}

const decodeString: Decoder = (raw, where) => {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return wrongType(where, "a string", raw);
};

const decodeInt: Decoder = (raw, where) => {
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw === "string" && isIntegerText(raw)) return Number(raw);
  return wrongType(where, "an integer", raw);
};

/** `^[+-]?\d{1,20}$`, without a regex (ints are most of a record's untyped values). */
function isIntegerText(text: string): boolean {
  const n = text.length;
  let i = n > 0 && (text.charCodeAt(0) === 0x2b || text.charCodeAt(0) === 0x2d) ? 1 : 0;
  if (n - i < 1 || n - i > 20) return false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

const decodeFloat: Decoder = (raw, where) => {
  if (typeof raw === "number") return raw;
  if (typeof raw === "string" && raw.trim() !== "") {
    const lower = raw.trim().toLowerCase();
    if (lower === "nan") return NaN;
    if (lower === "inf" || lower === "infinity") return Infinity;
    if (lower === "-inf" || lower === "-infinity") return -Infinity;
    const n = Number(lower);
    if (!Number.isNaN(n)) return n;
  }
  return wrongType(where, "a float", raw);
};

const decodeBool: Decoder = (raw, where) => {
  if (typeof raw === "boolean") return raw;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  return wrongType(where, "a boolean", raw);
};

const decodeDate: Decoder = (raw, where) => {
  if (raw instanceof Date) return raw;
  if (typeof raw === "string") {
    try {
      return parseXapiDate(raw);
    } catch {
      return wrongType(where, "a date", raw);
    }
  }
  return wrongType(where, "a date", raw);
};

const passThrough: Decoder = (raw) => raw;

// Empty maps and sets are shared, frozen: most records have several (other_config, tags, current_operations...).
const EMPTY_MAP: Readonly<Record<string, unknown>> = Object.freeze({});
const EMPTY_SET: readonly unknown[] = Object.freeze([]);

/** The decoder of an XAPI type such as `int`, `VM ref set`, `(string -> float) map`, `VM record`. */
export function decoderFor(xapiType: string): Decoder {
  const type = xapiType.trim();
  return decoders.resolve(type, () => buildDecoder(type));
}

function buildDecoder(type: string): Decoder {
  switch (type) {
    case "string":
      return decodeString;
    case "int":
      return decodeInt;
    case "float":
      return decodeFloat;
    case "bool":
      return decodeBool;
    case "datetime":
      return decodeDate;
    case "void":
      return () => undefined;
    case "an event batch":
      return decodeEventBatch;
  }
  const map = /^\((.+?) -> (.+)\) map$/.exec(type);
  if (map) {
    const key = decoderFor(map[1]);
    const value = decoderFor(map[2]);
    const keyIsString = map[1] === "string" || map[1].endsWith(" ref") || map[1].startsWith("enum ");
    return (raw, where) => {
      if (!isPlainObject(raw)) return wrongType(where, `a map`, raw);
      let out: Record<string, unknown> | undefined;
      for (const k in raw) {
        out ??= {};
        if (!keyIsString) key(k, `${where} key`); // e.g. (int -> float) map: keys must still be ints
        setKey(out, k, value(raw[k], where));
      }
      return out ?? EMPTY_MAP;
    };
  }
  if (type.endsWith(" set")) {
    const item = decoderFor(type.slice(0, -4));
    return (raw, where) => {
      if (!Array.isArray(raw)) return wrongType(where, "an array", raw);
      if (raw.length === 0) return EMPTY_SET;
      const out = new Array<unknown>(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = item(raw[i], where);
      return out;
    };
  }
  if (type.endsWith(" option")) {
    const inner = decoderFor(type.slice(0, -7));
    return (raw, where) => (raw === null || raw === undefined ? null : inner(raw, where));
  }
  if (type.endsWith(" ref") || type.startsWith("enum ")) return decodeString;
  if (type.endsWith(" record")) {
    const cls = type.slice(0, -7);
    return classSpec(cls) ? recordDecoder(cls) : passThrough;
  }
  return passThrough;
}

function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Decodes a value of the given XAPI type; throws `XapiProtocolError` on a type mismatch. */
export function decodeAs(xapiType: string, raw: unknown, where = "value"): unknown {
  return decoderFor(xapiType)(raw, where);
}

/** The value a field takes when an older XAPI does not send it. */
function missingValue(field: FieldSpec): unknown {
  const type = field.type;
  if (/^\(.+\) map$/.test(type)) return EMPTY_MAP;
  if (type.endsWith(" set")) return EMPTY_SET;
  if (type.endsWith(" option")) return null;
  if (type.endsWith(" ref")) return NULL_REF;
  if (type.startsWith("enum ")) {
    const values = enumValues(type.slice(5)) ?? [];
    return field.default && values.includes(field.default) ? field.default : "";
  }
  switch (type) {
    case "int":
    case "float":
      return 0;
    case "bool":
      return false;
    case "datetime":
      return new Date(0);
    default:
      return "";
  }
}

export type RecordDecoder = (raw: unknown, where?: string) => Record<string, unknown>;

interface SlotField {
  name: string;
  where: string;
  decode: Decoder;
  spec: FieldSpec;
}

/**
 * How records of a class (with a given field list) are built: fields by slot, and a generated function that
 * returns an object literal with those keys. Why generated: V8 keeps an object built by adding dozens of
 * computed keys in dictionary mode (several times the memory of a literal); a literal with fixed keys gets
 * one compact shape shared by every record of the class. Field names come from the model, never from a pool.
 */
export interface RecordShape {
  cls: string;
  fields: readonly SlotField[];
  slots: ReadonlyMap<string, number>;
  /** Decodes the slot values (received or missing) into a record. */
  finish(values: unknown[]): Record<string, unknown>;
}

/** Shapes per class and field list, built on first use: both come from the code (cached fields, task fields...). */
const shapes = new LruMap<string, RecordShape>(256);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The shape of `cls` records with `fields` (default: every modelled field), plus a `$ref` property set to ""
 * when `withRef` (the cache fills it in before freezing).
 */
export function recordShape(cls: string, fields?: readonly string[], withRef = false): RecordShape {
  return shapes.resolve(`${cls}:${fields ? fields.join(",") : "*"}:${withRef}`, () => buildShape(cls, fields, withRef));
}

function buildShape(cls: string, fields: readonly string[] | undefined, withRef: boolean): RecordShape {
  const spec = classSpec(cls);
  if (!spec) throw new Error(`class ${cls} is not modelled (add it to MODELLED_CLASSES in lib/dev/generate-xapi-model.ts)`);
  const names = fields ?? spec.fields.filter((f) => f.lifecycle !== "Removed_s").map((f) => f.name);
  const slotFields = names.map((name): SlotField => {
    const field = spec.fieldsByName.get(name);
    if (!field) throw new Error(`${cls}.${name} is not a field of the model`);
    if (!FIELD_NAME.test(name) || name === "__proto__") throw new Error(`${cls}.${name} cannot be a generated property`);
    return { name, where: `${cls}.${name}`, decode: decoderFor(field.type), spec: field };
  });
  const properties = slotFields.map((f, i) => `${f.name}: v[${i}]`);
  if (withRef) properties.push(`$ref: ""`);
  const build = new Function("v", `"use strict"; return { ${properties.join(", ")} };`) as (values: unknown[]) => Record<string, unknown>;
  return {
    cls,
    fields: slotFields,
    slots: new Map(slotFields.map((f, i) => [f.name, i])),
    finish(values) {
      for (let i = 0; i < slotFields.length; i++) {
        const field = slotFields[i];
        const value = values[i];
        values[i] = value === undefined ? missingValue(field.spec) : field.decode(value, field.where);
      }
      return build(values);
    },
  };
}

/** A parse plan that builds `shape` records straight from the answer (no intermediate struct). */
export function recordPlan(shape: RecordShape): ParsePlan {
  return { record: { slots: shape.slots, size: shape.fields.length, finish: (values) => shape.finish(values) } };
}

/** Record decoders per class and field list, built on first use (as `shapes`). */
const recordDecoders = new LruMap<string, RecordDecoder>(256);

/**
 * A decoder for already-parsed records of `cls`. With `fields`, only those fields are decoded and kept (see
 * `recordShape`); fields an older XAPI lacks get an empty value of their type. Without `fields`, every
 * modelled field is decoded and unknown (newer) fields are kept as received.
 */
export function recordDecoder(cls: string, fields?: readonly string[], withRef = false): RecordDecoder {
  return recordDecoders.resolve(`${cls}:${fields ? fields.join(",") : "*"}:${withRef}`, () => buildRecordDecoder(cls, fields, withRef));
}

function buildRecordDecoder(cls: string, fields: readonly string[] | undefined, withRef: boolean): RecordDecoder {
  const shape = recordShape(cls, fields, withRef);
  const known = new Set(classSpec(cls)!.fields.map((f) => f.name));
  const keepUnknown = fields === undefined;
  return (raw, where = cls) => {
    if (!isPlainObject(raw)) return wrongType(where, `a ${cls} record`, raw);
    const values = new Array<unknown>(shape.fields.length);
    for (let i = 0; i < values.length; i++) values[i] = raw[shape.fields[i].name];
    const out = shape.finish(values);
    if (keepUnknown) for (const k in raw) if (!known.has(k)) setKey(out, k, raw[k]);
    return out;
  };
}

/** A raw event as `event.from` returns it; the snapshot is left raw so that the caller can project it. */
export interface RawEvent {
  id: number;
  timestamp: Date;
  class: string;
  operation: "add" | "mod" | "del";
  ref: string;
  obj_uuid?: string;
  snapshot?: unknown;
}

export interface RawEventBatch {
  events: RawEvent[];
  valid_ref_counts: Record<string, number>;
  token: string;
}

// Real XAPI's event.from writes `id` as a string and `timestamp` as "0.0" (not a datetime, whatever the model
// says); nothing depends on them, so they are read leniently.
function lenientNumber(raw: unknown): number {
  const n = Number(raw);
  return Number.isFinite(n) ? n : 0;
}

function lenientTimestamp(raw: unknown): Date {
  if (raw instanceof Date) return raw;
  if (typeof raw === "string") {
    try {
      return parseXapiDate(raw);
    } catch {
      const seconds = Number(raw);
      return new Date(Number.isFinite(seconds) ? seconds * 1000 : 0);
    }
  }
  return new Date(0);
}

const decodeEventBatch: Decoder = (raw, where) => {
  if (!isPlainObject(raw)) return wrongType(where, "an event batch", raw);
  const { events, valid_ref_counts: counts, token } = raw;
  if (typeof token !== "string") return wrongType(`${where}.token`, "a string", token);
  if (!Array.isArray(events)) return wrongType(`${where}.events`, "an array", events);
  const out: RawEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!isPlainObject(event)) return wrongType(`${where}.events[${i}]`, "an event", event);
    const operation = event.operation;
    if (operation !== "add" && operation !== "mod" && operation !== "del") return wrongType(`${where}.events[${i}].operation`, "add, mod or del", operation);
    out[i] = {
      id: lenientNumber(event.id),
      timestamp: lenientTimestamp(event.timestamp),
      class: decodeString(event.class, `${where}.events[${i}].class`) as string,
      operation,
      ref: decodeString(event.ref, `${where}.events[${i}].ref`) as string,
      obj_uuid: typeof event.obj_uuid === "string" ? event.obj_uuid : undefined,
      snapshot: event.snapshot,
    };
  }
  const validRefCounts: Record<string, number> = {};
  if (counts !== undefined) {
    if (!isPlainObject(counts)) return wrongType(`${where}.valid_ref_counts`, "a map", counts);
    for (const k in counts) setKey(validRefCounts, k, decodeInt(counts[k], `${where}.valid_ref_counts`));
  }
  return { events: out, valid_ref_counts: validRefCounts, token } satisfies RawEventBatch;
};

/** Decodes a method's result according to the model's result type (raw when the method is not modelled). */
export function decodeResult(method: string, raw: unknown): unknown {
  const type = resultType(method);
  return type ? decodeAs(type, raw, `${method} result`) : raw;
}
