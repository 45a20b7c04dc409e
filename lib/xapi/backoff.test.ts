import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it("doubles from the base and stays within [half, full] of the exponential value", () => {
    for (const [attempt, full] of [
      [0, 500],
      [1, 1000],
      [2, 2000],
      [5, 16_000],
    ] as const) {
      expect(backoffDelay(attempt, { ...options, random: () => 0 })).toBe(full / 2);
      expect(backoffDelay(attempt, { ...options, random: () => 0.999999 })).toBe(full);
    }
  });

  it("is capped, even after many attempts", () => {
    expect(backoffDelay(10, { ...options, random: () => 1 })).toBe(30_000);
    expect(backoffDelay(10_000, { ...options, random: () => 1 })).toBe(30_000);
    expect(backoffDelay(-3, { ...options, random: () => 1 })).toBe(500);
  });

  it("spreads retries of many clients", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(4000);
  });
});
