/**
 * What a server action receives, made into a plain value for its zod schema: a FormData (a form submitted) or
 * whatever a button or a forged request sends. From a FormData: the text fields (a key given several times
 * becomes an array), React's `$ACTION_…` bookkeeping and files left out, every value capped in length.
 */

/** Longest value kept from any one form field: far above any legitimate input, well below a memory problem. */
const MAX_FIELD_LENGTH = 10_000;

export function actionInput(raw: unknown): unknown {
  if (!(raw instanceof FormData)) return raw ?? {};
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of raw.entries()) {
    if (key.startsWith("$ACTION") || typeof value !== "string") continue;
    const text = value.slice(0, MAX_FIELD_LENGTH);
    const previous = fields[key];
    fields[key] = previous === undefined ? text : Array.isArray(previous) ? [...previous, text] : [previous, text];
  }
  return fields;
}
