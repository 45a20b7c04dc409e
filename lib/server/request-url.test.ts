import { describe, expect, it } from "vitest";
import { hasDecodablePath } from "./request-url";

describe("request paths", () => {
  it("accepts paths that percent-decode, whatever the query says", () => {
    for (const target of ["/", "/vms", "/vms/3f2a%20b", "/vms?q=%E0%A4%A", "/vms/%E0%A4%A4", "/api/auth/callback/credentials", undefined]) {
      expect(hasDecodablePath(target), String(target)).toBe(true);
    }
  });

  it("refuses paths with broken escapes or bytes that are not UTF-8", () => {
    for (const target of ["/vms/%E0%A4%A", "/vms/%", "/%zz", "/vms/%C0%AF", "/x%FF?q=1"]) {
      expect(hasDecodablePath(target), target).toBe(false);
    }
  });
});
