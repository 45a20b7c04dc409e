import { describe, expect, it } from "vitest";
import { normalizeFingerprint } from "./tls";

describe("normalizeFingerprint", () => {
  it("accepts the usual spellings of a SHA-256 fingerprint", () => {
    const canonical = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, "0").toUpperCase()).join(":");
    expect(normalizeFingerprint(canonical)).toBe(canonical);
    expect(normalizeFingerprint(canonical.toLowerCase())).toBe(canonical);
    expect(normalizeFingerprint(canonical.replace(/:/g, ""))).toBe(canonical);
    expect(normalizeFingerprint(`SHA256:${canonical}`)).toBe(canonical);
  });

  it("refuses anything else", () => {
    expect(normalizeFingerprint("AB:CD")).toBeNull();
    expect(normalizeFingerprint("ZZ".repeat(32))).toBeNull();
    expect(normalizeFingerprint("")).toBeNull();
  });
});
