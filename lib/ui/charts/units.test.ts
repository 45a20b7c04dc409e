import { describe, expect, it } from "vitest";
import { BINARY_INCREMENTS, formatAxisValue, formatChartValue, formatTimeTick } from "./units";

describe("formatChartValue", () => {
  it.each([
    [0.042, "percent", "4.2%"],
    [0.4249, "percent", "42%"],
    [0, "percent", "0%"],
    [1610612736, "bytes", "1.5 GiB"],
    [327680, "bytesPerSecond", "320 KiB/s"],
    [2.345, "number", "2.35"],
    [12.34, "number", "12.3"],
    [null, "bytes", "—"],
    [NaN, "percent", "—"],
  ] as const)("%s %s → %s", (value, unit, text) => expect(formatChartValue(value, unit)).toBe(text));
});

describe("formatAxisValue", () => {
  it("keeps ticks short", () => {
    expect(formatAxisValue(0.4, "percent")).toBe("40%");
    expect(formatAxisValue(0.005, "percent")).toBe("0.5%");
    expect(formatAxisValue(0.025, "percent")).toBe("2.5%");
    expect(formatAxisValue(0.05, "percent")).toBe("5%");
    expect(formatAxisValue(512 * 2 ** 20, "bytes")).toBe("512 MiB");
    expect(formatAxisValue(1.5 * 2 ** 20, "bytesPerSecond")).toBe("1.5 MiB/s");
    expect(formatAxisValue(2.5, "number")).toBe("2.5");
  });

  it("byte steps are binary", () => {
    expect(BINARY_INCREMENTS).toContain(256 * 2 ** 20);
    expect(BINARY_INCREMENTS).toContain(2 ** 30);
    expect([...BINARY_INCREMENTS].sort((a, b) => a - b)).toEqual(BINARY_INCREMENTS);
  });
});

describe("formatTimeTick", () => {
  it("gives hours and minutes within a day, month and day beyond", () => {
    const ms = new Date(2025, 10, 24, 14, 5).getTime();
    expect(formatTimeTick(ms, 300)).toBe("14:05");
    expect(formatTimeTick(ms, 86_400 * 7)).toBe("11-24");
  });
});
