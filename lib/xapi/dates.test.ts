import { describe, expect, it } from "vitest";
import { formatXapiDate, parseXapiDate } from "./dates";

describe("XAPI dates", () => {
  it("reads XAPI's forms as UTC", () => {
    const expected = Date.UTC(2025, 2, 19, 4, 16, 24);
    expect(parseXapiDate("20250319T04:16:24Z").getTime()).toBe(expected);
    expect(parseXapiDate("20250319T04:16:24").getTime()).toBe(expected); // older hosts: no zone, still UTC
    expect(parseXapiDate("2025-03-19T04:16:24Z").getTime()).toBe(expected);
    expect(parseXapiDate("2025-03-19T06:16:24+02:00").getTime()).toBe(expected);
    expect(parseXapiDate("20250319T04:16:24.500Z").getTime()).toBe(expected + 500);
    expect(parseXapiDate("19700101T00:00:00Z").getTime()).toBe(0);
  });

  it("refuses what is not a date", () => {
    for (const text of ["", "yesterday", "20250230T00:00:00Z", "20251319T00:00:00Z", "20250319T25:00:00Z", "20250319T04:61:00Z"]) {
      expect(() => parseXapiDate(text), text).toThrow(RangeError);
    }
  });

  it("writes UTC in XAPI's form", () => {
    expect(formatXapiDate(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))).toBe("20250102T03:04:05Z");
    expect(() => formatXapiDate(new Date(NaN))).toThrow(RangeError);
  });
});
