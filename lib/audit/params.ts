/**
 * Makes action parameters safe to store in the audit log: secrets removed (by key name, at any depth), values
 * reduced to plain JSON, and sizes bounded so one entry cannot bloat the log.
 */

/** Keys whose values are never stored. */
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|credential|cookie|authori[sz]ation|api[-_]?key|private[-_]?key|^key$|session[-_]?(id|ref)/i;

const MAX_DEPTH = 5;
const MAX_STRING = 1000;
const MAX_ITEMS = 100;
const MAX_JSON = 16_000;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function clean(value: unknown, depth: number): JsonValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "object": {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (depth >= MAX_DEPTH) return "[…]";
      if (Array.isArray(value)) {
        return value.slice(0, MAX_ITEMS).map((item) => clean(item, depth + 1) ?? null);
      }
      const result: { [key: string]: JsonValue } = {};
      for (const [key, item] of Object.entries(value).slice(0, MAX_ITEMS)) {
        if (SECRET_KEY.test(key)) continue;
        const cleaned = clean(item, depth + 1);
        if (cleaned !== undefined) result[key] = cleaned;
      }
      return result;
    }
    default:
      return undefined; // functions, symbols, undefined
  }
}

/** The JSON text stored for `params`: secrets dropped, plain JSON, at most ~16 kB. */
export function sanitizeParams(params: Record<string, unknown> | null | undefined): string {
  const cleaned = clean(params ?? {}, 0);
  const json = JSON.stringify(cleaned && typeof cleaned === "object" && !Array.isArray(cleaned) ? cleaned : {});
  return json.length > MAX_JSON ? JSON.stringify({ truncated: true, size: json.length }) : json;
}
