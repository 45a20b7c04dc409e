/**
 * JSON-RPC 1.0 and 2.0 the way XAPI serves them on `/jsonrpc`: no `{Status, Value}` envelope; ints as JSON
 * numbers, datetimes as XAPI date strings; failures as `error: [code, ...params]` (1.0) or
 * `error: {code: 1, message: code, data: [params]}` (2.0). Requests without an id (notifications) and
 * malformed bodies are refused (HTTP 500, like XAPI).
 */
import { ByteWriter, bytesOf } from "./byte-writer";
import { encodedParts, isEncodable, memoiseWriters, partsToString, writeItem, type Part, type WireWrite } from "./encodable";
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
  if (isEncodable(value)) return partsToString(encodedParts(value, "json"));
  const w = new ByteWriter(1024);
  jsonWriter(type)(w, value);
  return w.takeString();
}

/** A writer specialised for one type (see `xmlWriter`). */
export const jsonWriter = memoiseWriters((type: XType) => compile(type));

const T = {
  true: bytesOf("true"),
  false: bytesOf("false"),
  zero: bytesOf("0"),
  null: bytesOf("null"),
  emptyString: bytesOf('""'),
  emptyArray: bytesOf("[]"),
  emptyObject: bytesOf("{}"),
  open: bytesOf("["),
  close: bytesOf("]"),
  openObject: bytesOf("{"),
  closeObject: bytesOf("}"),
  comma: bytesOf(","),
  colon: bytesOf(":"),
  quote: bytesOf('"'),
};

function compile(type: XType): WireWrite {
  switch (type.k) {
    case "string":
    case "ref":
    case "enum":
      return (w, v) => w.jsonString(typeof v === "string" ? v : String(v ?? ""));
    case "int":
      return (w, v) => w.ascii(String(Math.trunc(Number(v) || 0)));
    case "float":
      return (w, v) => {
        const n = Number(v);
        if (Number.isFinite(n)) w.ascii(String(n));
        else w.bytes(T.zero);
      };
    case "bool":
      return (w, v) => w.bytes(v ? T.true : T.false);
    case "datetime":
      return (w, v) => {
        w.bytes(T.quote);
        w.ascii(formatXapiDate(v as Date));
        w.bytes(T.quote);
      };
    case "void":
      return (w) => w.bytes(T.emptyString);
    case "set": {
      const item = jsonWriter(type.of);
      return (w, v) => {
        const items = v as Iterable<unknown>;
        if (Array.isArray(items) && items.length === 0) return w.bytes(T.emptyArray);
        let first = true;
        w.bytes(T.open);
        for (const x of items) {
          if (!first) w.bytes(T.comma);
          first = false;
          writeItem(w, "json", item, x);
        }
        w.bytes(T.close);
      };
    }
    case "map": {
      const item = jsonWriter(type.val);
      const member = (w: ByteWriter, first: boolean, key: string, x: unknown) => {
        w.bytes(first ? T.openObject : T.comma);
        w.jsonString(key);
        w.bytes(T.colon);
        writeItem(w, "json", item, x);
      };
      return (w, v) => {
        let first = true;
        if (v instanceof Map) {
          for (const [key, x] of v as Map<string, unknown>) {
            member(w, first, key, x);
            first = false;
          }
        } else {
          const obj = (v ?? {}) as Record<string, unknown>;
          for (const key in obj) {
            if (!Object.hasOwn(obj, key)) continue;
            member(w, first, key, obj[key]);
            first = false;
          }
        }
        w.bytes(first ? T.emptyObject : T.closeObject);
      };
    }
    case "option": {
      const inner = jsonWriter(type.of);
      return (w, v) => (v === null || v === undefined ? w.bytes(T.null) : inner(w, v));
    }
    default:
      return () => {
        throw new Error(`cannot encode a ${type.k} value without its own encoder`);
      };
  }
}

/** The templates of a record's members (see `xmlRecordTemplates`): `{"a":`, `,"b":`... and `}`. */
export function jsonRecordTemplates(fields: readonly { name: string; type: XType }[]): { starts: Buffer[]; writers: WireWrite[]; end: Buffer } {
  return {
    starts: fields.map((f, i) => bytesOf(`${i === 0 ? "{" : ","}${JSON.stringify(f.name)}:`)),
    writers: fields.map((f) => jsonWriter(f.type)),
    end: bytesOf(fields.length > 0 ? "}" : "{}"),
  };
}

const replyWriter = new ByteWriter();

function writeJsonValue(type: XType, value: unknown, out: Part[]): void {
  const w = replyWriter;
  if (isEncodable(value)) {
    value.jsonParts(out);
  } else if (type.k === "map") {
    let first = true;
    for (const [key, item] of mapEntries(value)) {
      w.bytes(first ? T.openObject : T.comma); // a comma goes out with the next member's key
      w.jsonString(key);
      w.bytes(T.colon);
      out.push(w.take());
      writeJsonValue(type.val, item, out);
      first = false;
    }
    if (first) w.bytes(T.openObject);
    w.bytes(T.closeObject);
    out.push(w.take());
  } else if (type.k === "set") {
    let first = true;
    w.bytes(T.open);
    for (const item of value as Iterable<unknown>) {
      if (!first) w.bytes(T.comma);
      out.push(w.take());
      writeJsonValue(type.of, item, out);
      first = false;
    }
    w.bytes(T.close);
    out.push(w.take());
  } else {
    jsonWriter(type)(w, value);
    out.push(w.take());
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
