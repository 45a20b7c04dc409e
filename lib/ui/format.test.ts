import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatDate, formatDateTime, formatPercent, formatRelativeTime, formatSince, toDate } from "./format";

const GiB = 1024 ** 3;

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [4 * GiB, "4 GiB"],
    [1.5 * GiB, "1.5 GiB"],
    [12.345 * GiB, "12.3 GiB"],
    [1023.97 * 1024, "1 MiB"],
    [2 * 1024 ** 4, "2 TiB"],
    [1024 ** 7, "1024 EiB"],
  ])("%d → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("reads XAPI int64 strings and bigints", () => {
    expect(formatBytes("8589934592")).toBe("8 GiB");
    expect(formatBytes(8589934592n)).toBe("8 GiB");
  });

  it("honours the number of decimals", () => {
    expect(formatBytes(1.23456 * GiB, 2)).toBe("1.23 GiB");
    expect(formatBytes(1.6 * GiB, 0)).toBe("2 GiB");
  });

  it.each([[-1], [NaN], [Infinity], ["abc"], [""], [null], [undefined]])("shows a dash for %j", (bad) => {
    expect(formatBytes(bad as number)).toBe("—");
  });
});

describe("formatCount and formatPercent", () => {
  it("pluralises", () => {
    expect(formatCount(1, "VM")).toBe("1 VM");
    expect(formatCount(0, "VM")).toBe("0 VMs");
    expect(formatCount(10000, "VM")).toBe("10,000 VMs");
    expect(formatCount(2, "query", "queries")).toBe("2 queries");
  });

  it("rounds and clamps percentages", () => {
    expect(formatPercent(0.423)).toBe("42%");
    expect(formatPercent(1.7)).toBe("100%");
    expect(formatPercent(-0.2)).toBe("0%");
    expect(formatPercent(NaN)).toBe("—");
    expect(formatPercent(null)).toBe("—");
  });
});

describe("dates", () => {
  const now = new Date("2025-11-24T12:00:00Z");
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it.each([
    [0, "just now"],
    [9, "just now"],
    [42, "42 s ago"],
    [3 * 60 + 59, "3 min ago"],
    [2 * 3600 + 5, "2 h ago"],
    [86400, "1 day ago"],
    [5 * 86400, "5 days ago"],
    [-180, "in 3 min"],
    [-2 * 86400, "in 2 days"],
  ])("%d s before now is %s", (seconds, text) => {
    expect(formatRelativeTime(ago(seconds), now)).toBe(text);
  });

  it("gives the date beyond 30 days", () => {
    expect(formatRelativeTime("2025-10-01T08:00:00Z", now)).toBe(formatDate("2025-10-01T08:00:00Z"));
  });

  it("formats date and time in a given zone", () => {
    const d = "2025-11-24T23:03:07Z";
    expect(formatDateTime(d, { timeZone: "UTC" })).toBe("2025-11-24 23:03");
    expect(formatDateTime(d, { timeZone: "UTC", seconds: true })).toBe("2025-11-24 23:03:07");
    expect(formatDateTime(d, { timeZone: "Europe/Paris" })).toBe("2025-11-25 00:03");
    expect(formatDate(d, { timeZone: "Asia/Tokyo" })).toBe("2025-11-25");
  });

  it("reads XAPI date strings and epoch milliseconds", () => {
    expect(formatDateTime("20251124T12:03:00Z", { timeZone: "UTC" })).toBe("2025-11-24 12:03");
    expect(formatDateTime(Date.UTC(2025, 0, 2, 3, 4), { timeZone: "UTC" })).toBe("2025-01-02 03:04");
  });

  it("shows the time alone for today, and date and time otherwise", () => {
    expect(formatSince("2025-11-24T09:15:00Z", now, { timeZone: "UTC" })).toBe("09:15");
    expect(formatSince("2025-11-23T09:15:00Z", now, { timeZone: "UTC" })).toBe("2025-11-23 09:15");
  });

  it.each([["not a date"], [""], [null], [undefined], [NaN]])("shows a dash for %j", (bad) => {
    expect(toDate(bad as string)).toBeNull();
    expect(formatDateTime(bad as string)).toBe("—");
    expect(formatRelativeTime(bad as string, now)).toBe("—");
    expect(formatSince(bad as string, now)).toBe("—");
  });
});
