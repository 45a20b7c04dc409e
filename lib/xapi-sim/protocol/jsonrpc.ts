/**
 * JSON-RPC 1.0 and 2.0 the way XAPI serves them on `/jsonrpc`: no `{Status, Value}` envelope; ints as JSON
 * numbers, datetimes as XAPI date strings; failures as `error: [code, ...params]` (1.0) or
 * `error: {code: 1, message: code, data: [params]}` (2.0). Requests without an id (notifications) and
 * malformed bodies are refused (HTTP 500, like XAPI).
 */
import { isEncodable, memoiseEncoders, partsToString, type Encoder, type Part } from "./encodable";
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
  if (isEncodable(value)) {
    const out: Part[] = [];
    value.jsonParts(out);
    return partsToString(out);
  }
  return jsonEncoder(type)(value);
}

/** An encoder specialised for one type (see `xmlEncoder`). */
export const jsonEncoder = memoiseEncoders((type: XType) => compile(type));

function compile(type: XType): Encoder {
  switch (type.k) {
    case "string":
    case "ref":
    case "enum":
      return (v) => JSON.stringify(String(v ?? ""));
    case "int":
      return (v) => String(Math.trunc(Number(v) || 0));
    case "float":
      return (v) => {
        const n = Number(v);
        return Number.isFinite(n) ? String(n) : "0";
      };
    case "bool":
      return (v) => (v ? "true" : "false");
    case "datetime":
      return (v) => `"${formatXapiDate(v as Date)}"`;
    case "void":
      return () => '""';
    case "set": {
      const item = jsonEncoder(type.of);
      return (v) => {
        const out: string[] = [];
        for (const x of v as Iterable<unknown>) out.push(isEncodable(x) ? jsonValue(type.of, x) : item(x));
        return `[${out.join(",")}]`;
      };
    }
    case "map": {
      const item = jsonEncoder(type.val);
      return (v) => {
        const out: string[] = [];
        for (const [key, x] of mapEntries(v)) out.push(`${JSON.stringify(key)}:${isEncodable(x) ? jsonValue(type.val, x) : item(x)}`);
        return `{${out.join(",")}}`;
      };
    }
    case "option": {
      const inner = jsonEncoder(type.of);
      return (v) => (v === null || v === undefined ? "null" : inner(v));
    }
    default:
      return () => {
        throw new Error(`cannot encode a ${type.k} value without its own encoder`);
      };
  }
}

function writeJsonValue(type: XType, value: unknown, out: Part[]): void {
  if (isEncodable(value)) {
    value.jsonParts(out);
  } else if (type.k === "map") {
    let first = true;
    out.push("{");
    for (const [key, item] of mapEntries(value)) {
      out.push(`${first ? "" : ","}${JSON.stringify(key)}:`);
      writeJsonValue(type.val, item, out);
      first = false;
    }
    out.push("}");
  } else if (type.k === "set") {
    let first = true;
    out.push("[");
    for (const item of value as Iterable<unknown>) {
      if (!first) out.push(",");
      writeJsonValue(type.of, item, out);
      first = false;
    }
    out.push("]");
  } else {
    out.push(jsonEncoder(type)(value));
  }
}

export function jsonSuccess(req: Pick<JsonRpcRequest, "version" | "id">, type: XType, value: unknown): Part[] {
  const out: Part[] = [req.version === 2 ? '{"jsonrpc":"2.0","result":' : '{"result":'];
  writeJsonValue(type, value, out);
  out.push(req.version === 2 ? `,"id":${JSON.stringify(req.id)}}` : `,"error":null,"id":${JSON.stringify(req.id)}}`);
  return out;
}

export function jsonFailure(req: Pick<JsonRpcRequest, "version" | "id">, description: readonly string[]): Part[] {
  const id = JSON.stringify(req.id);
  if (req.version === 1) return [`{"result":null,"error":${JSON.stringify(description)},"id":${id}}`];
  const [code, ...params] = description;
  return [`{"jsonrpc":"2.0","error":{"code":1,"message":${JSON.stringify(code)},"data":${JSON.stringify(params)}},"id":${id}}`];
}
