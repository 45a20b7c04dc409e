/**
 * Wire values as they arrive (XML-RPC or JSON-RPC, before we know the parameter's XAPI type), and their
 * conversion into the simulator's typed values following XAPI's unmarshalling rules: ints accept
 * `<int>`/`<i4>`/`<i8>` or a decimal string, floats accept doubles, ints or strings, bools only `<boolean>`
 * (XML-RPC `1` is true), strings only strings, enums case-insensitively. A mismatch is
 * `FIELD_TYPE_ERROR [param]`.
 */
import { XapiError } from "@/lib/dev/xapi-sim/errors";
import { parseXapiDate, type XType } from "./xapi-types";

export type RpcValue =
  | { t: "str"; v: string }
  | { t: "int"; v: string }
  | { t: "double"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "date"; v: string }
  | { t: "b64"; v: string }
  | { t: "nil" }
  | { t: "arr"; v: RpcValue[] }
  | { t: "struct"; v: [string, RpcValue][] };

const INT_TEXT = /^\s*[+-]?\d+\s*$/;

class Mismatch extends Error {}

/** Converts a wire value into the typed value a handler expects; throws `FIELD_TYPE_ERROR [name]`. */
export function decodeParam(type: XType, value: RpcValue, name: string): unknown {
  try {
    return decode(type, value);
  } catch (error) {
    if (error instanceof Mismatch) throw new XapiError("FIELD_TYPE_ERROR", [name]);
    throw error;
  }
}

function decode(type: XType, value: RpcValue): unknown {
  switch (type.k) {
    case "string":
    case "ref":
      if (value.t === "str") return value.v;
      throw new Mismatch();
    case "int":
      return decodeInt(value);
    case "float":
      if (value.t === "double") return value.v;
      if (value.t === "int") return Number(value.v);
      if (value.t === "str" && value.v.trim() !== "" && Number.isFinite(Number(value.v))) return Number(value.v);
      throw new Mismatch();
    case "bool":
      if (value.t === "bool") return value.v;
      throw new Mismatch();
    case "datetime": {
      if (value.t !== "date" && value.t !== "str") throw new Mismatch();
      const date = parseXapiDate(value.v);
      if (!date) throw new Mismatch();
      return date;
    }
    case "enum": {
      if (value.t !== "str") throw new Mismatch();
      const canonical = type.byLower.get(value.v.toLowerCase());
      if (canonical === undefined) throw new Mismatch();
      return canonical;
    }
    case "set":
      if (value.t !== "arr") throw new Mismatch();
      return value.v.map((item) => decode(type.of, item));
    case "map": {
      if (value.t !== "struct") throw new Mismatch();
      const out: Record<string, unknown> = {};
      for (const [key, item] of value.v) out[String(decode(type.key, { t: "str", v: key }))] = decode(type.val, item);
      return out;
    }
    case "option":
      return value.t === "nil" ? null : decode(type.of, value);
    case "record": {
      // Records arrive only for `create` calls, which check their fields themselves.
      if (value.t !== "struct") throw new Mismatch();
      return value;
    }
    default:
      throw new Mismatch();
  }
}

function decodeInt(value: RpcValue): number {
  if ((value.t === "int" || value.t === "str") && INT_TEXT.test(value.v)) {
    const n = Number(value.v);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new Mismatch();
}

/** Plain JS view of a wire value, for diagnostics and for tools that do not know the XAPI type. */
export function toPlain(value: RpcValue): unknown {
  switch (value.t) {
    case "int":
      return Number(value.v);
    case "nil":
      return null;
    case "arr":
      return value.v.map(toPlain);
    case "struct":
      return Object.fromEntries(value.v.map(([k, v]) => [k, toPlain(v)]));
    default:
      return value.v;
  }
}
