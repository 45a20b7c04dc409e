/**
 * Sizes as people type them in the forms ("2 GiB", "512M", "1.5 TB", "20"), read into bytes on the server (so
 * that a forged request is read the same way), and the zod schemas the VM forms use. Pure; client-safe.
 */
import { z } from "zod";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

const UNITS: Record<string, number> = { b: 1, k: KiB, m: MiB, g: GiB, t: TiB };

/**
 * Bytes from "20", "20G", "20 GB", "20 GiB", "1.5 tib" (binary units whatever the spelling, as XAPI counts);
 * a bare number is in `defaultUnit`. Null when it is not a size.
 */
export function parseSize(input: string | number, defaultUnit: "MiB" | "GiB"): number | null {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? Math.round(input) : null;
  const match = /^\s*(\d+(?:[.,]\d+)?)\s*(?:([bkmgt])(?:i?b)?)?\s*$/i.exec(input);
  if (!match) return null;
  const value = Number(match[1]!.replace(",", "."));
  const unit = match[2] ? UNITS[match[2].toLowerCase()]! : defaultUnit === "MiB" ? MiB : GiB;
  const bytes = Math.round(value * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** "2 GiB", "512 MiB", "1.5 TiB": what a form field shows for a size it proposes. */
export function sizeText(bytes: number): string {
  for (const [unit, size] of [
    ["TiB", TiB],
    ["GiB", GiB],
    ["MiB", MiB],
  ] as const) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : Number(value.toFixed(2))} ${unit}`;
    }
  }
  return `${bytes} B`;
}

/** A size in bytes from a number or typed text, at least `min` bytes. */
export const sizeSchema = (what: string, defaultUnit: "MiB" | "GiB", min: number) =>
  z.union([z.string(), z.number()], { error: `Enter the ${what}` }).transform((value, context) => {
    const bytes = parseSize(value, defaultUnit);
    if (bytes === null) {
      context.addIssue({
        code: "custom",
        message: `Enter the ${what} as a number with a unit, e.g. ${defaultUnit === "MiB" ? "2048 MiB or 2 GiB" : "20 GiB"}`,
      });
      return z.NEVER;
    }
    if (bytes < min) {
      context.addIssue({ code: "custom", message: `The ${what} must be at least ${sizeText(min)}` });
      return z.NEVER;
    }
    return bytes;
  });

/** A whole number from a number or typed text. */
export const countSchema = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `Enter the number of ${what}` })
    .int(`Enter a whole number of ${what}`)
    .min(min, `At least ${min} ${what}`)
    .max(max, `At most ${max} ${what}`);
