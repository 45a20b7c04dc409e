import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./callback-url";

describe("safeCallbackUrl", () => {
  it.each([
    ["/vms", "/vms"],
    ["/vms?q=web&power=Running", "/vms?q=web&power=Running"],
    ["/vms/3f2a#disks", "/vms/3f2a#disks"],
    ["/a/../vms", "/vms"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ])("follows the local path %s", (raw, expected) => {
    expect(safeCallbackUrl(raw)).toBe(expected);
  });

  it.each([
    ["//evil.example/x"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["https://evil.example/vms"],
    ["javascript:alert(1)"],
    ["data:text/html,hi"],
    ["/\tevil"],
    [" /vms"],
    ["vms"],
    [""],
    ["/login"],
    ["/login?callbackUrl=/vms"],
    ["/api/auth/signout"],
  ])("refuses %j", (raw) => {
    expect(safeCallbackUrl(raw)).toBe("/");
  });

  it("refuses over-long values", () => {
    expect(safeCallbackUrl(`/${"a".repeat(3000)}`)).toBe("/");
  });

  it("refuses non-strings", () => {
    expect(safeCallbackUrl(undefined)).toBe("/");
    expect(safeCallbackUrl(["/vms"])).toBe("/");
    expect(safeCallbackUrl(42)).toBe("/");
  });

  it("accepts absolute URLs on the site's own origin only, and returns them relative", () => {
    expect(safeCallbackUrl("http://console.lan:3000/vms?q=x", "http://console.lan:3000")).toBe("/vms?q=x");
    expect(safeCallbackUrl("http://console.lan:3001/vms", "http://console.lan:3000")).toBe("/");
    expect(safeCallbackUrl("https://console.lan:3000/vms", "http://console.lan:3000")).toBe("/");
    expect(safeCallbackUrl("http://console.lan.evil.example/vms", "http://console.lan")).toBe("/");
    expect(safeCallbackUrl("http://console.lan:3000/vms")).toBe("/");
  });
});
