/**
 * Replies are written as a list of parts (strings and buffers) so that big answers stream without being
 * joined into one giant string. An Encodable is a value that writes its own wire form, e.g. a stored record
 * with cached fragments, or an event batch; the encoders write such values as they are, whatever type the
 * message declares.
 */
import { bytesOf, type ByteWriter } from "./byte-writer";

export type Part = string | Buffer;

export interface Encodable {
  /** Appends the `<value>...</value>` fragment. */
  xmlParts(out: Part[]): void;
  /** Appends the JSON text. */
  jsonParts(out: Part[]): void;
}

export function isEncodable(value: unknown): value is Encodable {
  return (
    typeof value === "object" && value !== null && typeof (value as Encodable).xmlParts === "function" && typeof (value as Encodable).jsonParts === "function"
  );
}

export type Protocol = "xml" | "json";

/** The parts an Encodable writes for one protocol. */
export function encodedParts(value: Encodable, protocol: Protocol, out: Part[] = []): Part[] {
  if (protocol === "xml") value.xmlParts(out);
  else value.jsonParts(out);
  return out;
}

/** An item of a set or map: values that write themselves (cached records) are copied as they are. */
export function writeItem(w: ByteWriter, protocol: Protocol, write: WireWrite, value: unknown): void {
  if (isEncodable(value)) {
    for (const part of encodedParts(value, protocol)) w.bytes(typeof part === "string" ? bytesOf(part) : part);
  } else {
    write(w, value);
  }
}

export function partsToString(parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === "string" ? p : p.toString("utf8"))).join("");
}

export function byteLength(parts: readonly Part[]): number {
  let total = 0;
  for (const p of parts) total += typeof p === "string" ? Buffer.byteLength(p) : p.length;
  return total;
}

/** Writes the wire form of a value of one type (compiled once per type, see `xmlWriter` / `jsonWriter`). */
export type WireWrite = (w: ByteWriter, value: unknown) => void;

/** Memoises the writer compiled for each type (types are parsed once, so they can key a WeakMap). */
export function memoiseWriters<T extends object>(compile: (type: T) => WireWrite): (type: T) => WireWrite {
  const cache = new WeakMap<T, WireWrite>();
  return (type) => {
    let write = cache.get(type);
    if (!write) {
      write = compile(type);
      cache.set(type, write);
    }
    return write;
  };
}
