/**
 * JSON-RPC 1.0 and 2.0 the way XAPI serves them on `/jsonrpc`: no `{Status, Value}` envelope; ints as JSON
 * numbers, datetimes as XAPI date strings; failures as `error: [code, ...params]` (1.0) or
 * `error: {code: 1, message: code, data: [params]}` (2.0). Requests without an id (notifications) and
 * malformed bodies are refused (HTTP 500, like XAPI).
 */
import { isEncodable } from "./encodable";
import type { RpcValue } from "./values";
import { formatXapiDate, type XType } from "./xapi-types";
import { mapEntries } from "./xmlrpc";

export class JsonRpcParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonRpcParseError";
  }
}

export interface JsonRpcRequest {
  version: 1 | 2;
  id: number | string;
  method: string;
  params: RpcValue[];
}

const MAX_DEPTH = 64;

export function parseJsonRequest(body: string): JsonRpcRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    throw new JsonRpcParseError(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new JsonRpcParseError("request is not an object");
  const req = doc as Record<string, unknown>;
  if (typeof req.method !== "string") throw new JsonRpcParseError("missing method");
  let version: 1 | 2;
  if (req.jsonrpc === undefined) version = 1;
  else if (req.jsonrpc === "2.0") version = 2;
  else throw new JsonRpcParseError("invalid jsonrpc version");
  let params: RpcValue[];
  const raw = req.params;
  if (Array.isArray(raw)) params = raw.map((v) => toRpcValue(v, 0));
  else if (version === 2 && (raw === undefined || raw === null)) params = [];
  else if (version === 2 && typeof raw === "object") params = [toRpcValue(raw, 0)];
  else throw new JsonRpcParseError("invalid params");
  const id = req.id;
  if (!(typeof id === "string" || (typeof id === "number" && Number.isInteger(id)))) {
    throw new JsonRpcParseError("missing or invalid id (notifications are not supported)");
  }
  return { version, id, method: req.method, params };
}

function toRpcValue(v: unknown, depth: number): RpcValue {
  if (depth > MAX_DEPTH) throw new JsonRpcParseError("nesting too deep");
  if (typeof v === "string") return { t: "str", v };
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "number") return Number.isInteger(v) ? { t: "int", v: String(v) } : { t: "double", v };
  if (v === null) return { t: "nil" };
  if (Array.isArray(v)) return { t: "arr", v: v.map((x) => toRpcValue(x, depth + 1)) };
  return { t: "struct", v: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toRpcValue(x, depth + 1)]) };
}

/** The JSON text of a typed value. */
export function jsonValue(type: XType, value: unknown): string {
  if (isEncodable(value)) return value.json();
  switch (type.k) {
    case "string":
    case "ref":
    case "enum":
      return JSON.stringify(String(value ?? ""));
    case "int":
      return String(Math.trunc(Number(value) || 0));
    case "float": {
      const n = Number(value);
      return Number.isFinite(n) ? String(n) : "0";
    }
    case "bool":
      return value ? "true" : "false";
    case "datetime":
      return `"${formatXapiDate(value as Date)}"`;
    case "void":
      return '""';
    case "set": {
      let s = "[";
      let first = true;
      for (const item of value as Iterable<unknown>) {
        s += (first ? "" : ",") + jsonValue(type.of, item);
        first = false;
      }
      return s + "]";
    }
    case "map": {
      let s = "{";
      let first = true;
      for (const [key, item] of mapEntries(value)) {
        s += `${first ? "" : ","}${JSON.stringify(key)}:${jsonValue(type.val, item)}`;
        first = false;
      }
      return s + "}";
    }
    case "option":
      return value === null || value === undefined ? "null" : jsonValue(type.of, value);
    default:
      throw new Error(`cannot encode a ${type.k} value without its own encoder`);
  }
}

function writeJsonValue(type: XType, value: unknown, out: string[]): void {
  if (isEncodable(value) && value.jsonParts) {
    value.jsonParts(out);
  } else if (type.k === "map" && !isEncodable(value)) {
    let first = true;
    out.push("{");
    for (const [key, item] of mapEntries(value)) {
      out.push(`${first ? "" : ","}${JSON.stringify(key)}:`, jsonValue(type.val, item));
      first = false;
    }
    out.push("}");
  } else if (type.k === "set" && !isEncodable(value)) {
    let first = true;
    out.push("[");
    for (const item of value as Iterable<unknown>) {
      out.push((first ? "" : ",") + jsonValue(type.of, item));
      first = false;
    }
    out.push("]");
  } else {
    out.push(jsonValue(type, value));
  }
}

export function jsonSuccess(req: Pick<JsonRpcRequest, "version" | "id">, type: XType, value: unknown): string[] {
  const out = [req.version === 2 ? '{"jsonrpc":"2.0","result":' : '{"result":'];
  writeJsonValue(type, value, out);
  out.push(req.version === 2 ? `,"id":${JSON.stringify(req.id)}}` : `,"error":null,"id":${JSON.stringify(req.id)}}`);
  return out;
}

export function jsonFailure(req: Pick<JsonRpcRequest, "version" | "id">, description: readonly string[]): string[] {
  const id = JSON.stringify(req.id);
  if (req.version === 1) return [`{"result":null,"error":${JSON.stringify(description)},"id":${id}}`];
  const [code, ...params] = description;
  return [`{"jsonrpc":"2.0","error":{"code":1,"message":${JSON.stringify(code)},"data":${JSON.stringify(params)}},"id":${id}}`];
}
