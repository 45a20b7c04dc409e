/**
 * XAPI types as the data model writes them (`int`, `VM ref set`, `(string -> VM ref) map`,
 * `enum vm_power_state`, `VM record`...), parsed once into a small tree that the wire encoders and the
 * parameter decoder walk. One place knows the type grammar; everything else asks `parseType`.
 */
import { enumValues } from "@/lib/xapi/model/spec";

export type XType =
  | { k: "string" }
  | { k: "int" }
  | { k: "float" }
  | { k: "bool" }
  | { k: "datetime" }
  | { k: "void" }
  | { k: "ref"; cls: string }
  | { k: "enum"; name: string; values: readonly string[]; byLower: Map<string, string> }
  | { k: "set"; of: XType }
  | { k: "map"; key: XType; val: XType }
  | { k: "option"; of: XType }
  | { k: "record"; cls: string }
  /** `event.from`'s result and the event record's snapshot: written by the event code itself. */
  | { k: "opaque"; name: string };

const cache = new Map<string, XType>();

export function parseType(text: string): XType {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = parse(text.trim());
  cache.set(text, parsed);
  return parsed;
}

function parse(t: string): XType {
  const map = /^\((.+?) -> (.+)\) map$/.exec(t);
  if (map) return { k: "map", key: parse(map[1]), val: parse(map[2]) };
  if (t.endsWith(" set")) return { k: "set", of: parse(t.slice(0, -4)) };
  if (t.endsWith(" option")) return { k: "option", of: parse(t.slice(0, -7)) };
  if (t.endsWith(" ref")) return { k: "ref", cls: t.slice(0, -4) };
  if (t.endsWith(" record")) {
    const cls = t.slice(0, -7);
    return cls === "<class>" ? { k: "opaque", name: t } : { k: "record", cls };
  }
  if (t.startsWith("enum ")) {
    const name = t.slice(5);
    const values = enumValues(name) ?? [];
    return { k: "enum", name, values, byLower: new Map(values.map((v) => [v.toLowerCase(), v])) };
  }
  switch (t) {
    case "string":
    case "int":
    case "float":
    case "bool":
    case "datetime":
    case "void":
      return { k: t };
    default:
      return { k: "opaque", name: t };
  }
}

/** The value a field of this type holds when nothing else is known (used for fields without a default). */
export function zeroValue(type: XType): unknown {
  switch (type.k) {
    case "string":
      return "";
    case "int":
    case "float":
      return 0;
    case "bool":
      return false;
    case "datetime":
      return new Date(0);
    case "ref":
      return NULL_REF;
    case "enum":
      return type.values[0] ?? "";
    case "set":
      return [];
    case "map":
      return {};
    default:
      return null;
  }
}

export const NULL_REF = "OpaqueRef:NULL";

/** Texts of recent datetimes by second: records share many (creation times, the null date). */
const dateTexts = new Map<number, string>();

/** XAPI's datetime text: `20250319T04:16:24Z`. */
export function formatXapiDate(date: Date): string {
  const t = date.getTime();
  if (!Number.isFinite(t)) return "19700101T00:00:00Z";
  const second = Math.floor(t / 1000);
  let text = dateTexts.get(second);
  if (text === undefined) {
    const iso = date.toISOString(); // 2025-03-19T04:16:24.000Z
    text = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}Z`;
    if (dateTexts.size >= 10_000) dateTexts.clear();
    dateTexts.set(second, text);
  }
  return text;
}

/** Parses the datetime forms XAPI accepts (`20250319T04:16:24Z`, ISO 8601 with dashes, with or without `Z`). */
export function parseXapiDate(text: string): Date | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const zone = !m[8] || m[8] === "Z" ? "Z" : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8];
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `%.16g`, the way XAPI prints doubles. */
export function formatDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  return String(Number(value.toPrecision(16)));
}
