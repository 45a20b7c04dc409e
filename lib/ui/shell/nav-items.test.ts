import { describe, expect, it } from "vitest";
import { CHANGE_PASSWORD_PATH, SESSIONS_PATH, TWO_FACTOR_PATH } from "@/lib/routes";
import { accountLinks, isNavItemActive, navSectionsFor } from "./nav-items";

const hrefs = (user: Parameters<typeof navSectionsFor>[0]) => navSectionsFor(user).flatMap((s) => s.items.map((i) => i.href));

describe("navigation", () => {
  it("shows the administration section to admins only", () => {
    const admin = { username: "root", displayName: null, isAdmin: true };
    const operator = { username: "op", displayName: "Op", isAdmin: false };
    const main = ["/", "/vms", "/hosts", "/pools", "/storage", "/networks", "/alerts", "/tasks"];
    expect(hrefs(admin)).toEqual([...main, "/admin/users", "/admin/groups", "/admin/acls", "/admin/security", "/audit"]);
    expect(hrefs(operator)).toEqual(main);
    expect(hrefs(null)).toEqual(main);
  });

  it("counts unread alerts and running tasks beside their entries only", () => {
    const indicators = navSectionsFor(null).flatMap((section) => section.items.filter((item) => item.indicator).map((item) => [item.href, item.indicator]));
    expect(indicators).toEqual([
      ["/alerts", "alerts"],
      ["/tasks", "tasks"],
    ]);
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
