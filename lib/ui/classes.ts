/** Joins class names, skipping falsy ones: `cx("a", cond && "b", undefined)` → "a b"; nothing → undefined. */
export function cx(...names: (string | false | null | undefined)[]): string | undefined {
  return names.filter(Boolean).join(" ") || undefined;
}
