/** A non-admin's role on an object and where it comes from, and what the missing actions need, in words. */
import { describe, expect, it } from "vitest";
import { explainAccess, type Grant, type Securable } from "@/lib/access/can";
import { accessInWords } from "./access-words";

const POOL = "pool-uuid";
const VM = "vm-uuid";
const vm: Securable = { kind: "vm", uuid: VM, poolUuid: POOL };

const grant = (overrides: Partial<Grant>): Grant => ({
  aclId: "acl-1",
  objectKind: "pool",
  objectUuid: POOL,
  objectLabel: "lab",
  role: "operator",
  via: { type: "user" },
  ...overrides,
});

const words = (grants: Grant[], isAdmin = false) => accessInWords(explainAccess({ isAdmin, grants }, vm), "vm");

describe("accessInWords", () => {
  it("names the role and the ACL it comes from, and what only an admin may do", () => {
    expect(words([grant({})])).toEqual({
      role: "Operator here, through pool lab.",
      missing: ["Delete, clone, copy, migrate, revert to a snapshot and edit need the Admin role."],
    });
  });

  it("tells a viewer what needs an operator and what needs an admin", () => {
    const { role, missing } = words([grant({ role: "viewer", objectKind: "vm", objectUuid: VM, objectLabel: "web-01" })]);
    expect(role).toBe("Viewer here, through an ACL on this VM.");
    expect(missing).toEqual([
      "Start, shut down, reboot, suspend, pause, take snapshots and delete snapshots need the Operator role.",
      "Delete, clone, copy, migrate, revert to a snapshot and edit need the Admin role.",
    ]);
  });

  it("names the group an ACL comes through, and counts the weaker ones", () => {
    const viaGroup = grant({ role: "admin", via: { type: "group", groupId: "g", groupName: "night-shift" } });
    expect(words([grant({ aclId: "acl-2", role: "viewer" }), viaGroup])).toEqual({
      role: "Admin here, through group night-shift's ACL on pool lab (and 1 other ACL).",
      missing: [],
    });
  });

  it("says nothing for a global admin or a user without access", () => {
    expect(words([], true)).toEqual({ role: null, missing: [] });
    expect(words([grant({ objectUuid: "another-pool" })])).toEqual({ role: null, missing: [] });
  });
});
