/**
 * Replies are written as a list of parts (strings and buffers) so that big answers stream without being
 * joined into one giant string. An Encodable is a value that writes its own wire form, e.g. a stored record
 * with cached fragments, or an event batch; the encoders write such values as they are, whatever type the
 * message declares.
 */
export type Part = string | Buffer;

export interface Encodable {
  /** Appends the `<value>...</value>` fragment. */
  xmlParts(out: Part[]): void;
  /** Appends the JSON text. */
  jsonParts(out: Part[]): void;
}

export function isEncodable(value: unknown): value is Encodable {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Encodable).xmlParts === "function" &&
    typeof (value as Encodable).jsonParts === "function"
  );
}

export function partsToString(parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === "string" ? p : p.toString("utf8"))).join("");
}

export function byteLength(parts: readonly Part[]): number {
  let total = 0;
  for (const p of parts) total += typeof p === "string" ? Buffer.byteLength(p) : p.length;
  return total;
}

export type Encoder = (value: unknown) => string;

/** Memoises the encoder compiled for each type (types are parsed once, so they can key a WeakMap). */
export function memoiseEncoders<T extends object>(compile: (type: T) => Encoder): (type: T) => Encoder {
  const cache = new WeakMap<T, Encoder>();
  return (type) => {
    let enc = cache.get(type);
    if (!enc) {
      enc = compile(type);
      cache.set(type, enc);
    }
    return enc;
  };
}
