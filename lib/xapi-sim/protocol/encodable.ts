/**
 * A value that knows its own wire form, e.g. a stored record with cached fragments, or an event batch.
 * The encoders write such values as they are, whatever type the message declares.
 */
export interface Encodable {
  /** The `<value>...</value>` fragment. */
  xml(): string;
  /** The JSON text. */
  json(): string;
  /** Optional piecewise forms for big values, so that replies can be streamed. */
  xmlParts?(out: string[]): void;
  jsonParts?(out: string[]): void;
}

export function isEncodable(value: unknown): value is Encodable {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Encodable).xml === "function" &&
    typeof (value as Encodable).json === "function"
  );
}
