import { describe, expect, it } from "vitest";
import { CHANGE_PASSWORD_PATH, SESSIONS_PATH, TWO_FACTOR_PATH } from "@/lib/routes";
import { accountLinks, isNavItemActive, navSectionsFor } from "./nav-items";

const hrefs = (user: Parameters<typeof navSectionsFor>[0]) => navSectionsFor(user).flatMap((s) => s.items.map((i) => i.href));

describe("navigation", () => {
  it("shows the administration section to admins only, and the audit log (their own entries) to everyone", () => {
    const admin = { username: "root", displayName: null, isAdmin: true };
    const operator = { username: "op", displayName: "Op", isAdmin: false };
    expect(hrefs(admin)).toEqual(["/", "/vms", "/hosts", "/pools", "/admin/users", "/admin/groups", "/admin/acls", "/admin/security", "/audit"]);
    expect(hrefs(operator)).toEqual(["/", "/vms", "/hosts", "/pools", "/audit"]);
    expect(hrefs(null)).toEqual(["/", "/vms", "/hosts", "/pools"]);
  });

  it("gives non-admins their own activity in the account menu", () => {
    expect(accountLinks({ username: "op", displayName: null, isAdmin: false }).map((l) => l.href)).toEqual([
      CHANGE_PASSWORD_PATH,
      TWO_FACTOR_PATH,
      SESSIONS_PATH,
      "/audit",
    ]);
    expect(accountLinks({ username: "root", displayName: null, isAdmin: true }).map((l) => l.href)).toEqual([
      CHANGE_PASSWORD_PATH,
      TWO_FACTOR_PATH,
      SESSIONS_PATH,
    ]);
  });

  it.each([
    ["/", "/", true],
    ["/vms", "/", false],
    ["/vms", "/vms", true],
    ["/vms/3f2a", "/vms", true],
    ["/vmsx", "/vms", false],
    ["/admin/users/7", "/admin/users", true],
    ["/admin/groups", "/admin/users", false],
  ])("on %s, %s is current: %s", (pathname, href, expected) => {
    expect(isNavItemActive(pathname, href)).toBe(expected);
  });
});
