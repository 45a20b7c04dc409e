import { describe, expect, it } from "vitest";
import type { AccessSubject, Grant } from "@/lib/access/can";
import { sources } from "@/lib/dev/test/acl-objects-cache";
import { describeGrants, reachableObjects } from "./user-access";

const grant = (aclId: string, fields: Partial<Grant>): Grant => ({
  aclId,
  objectKind: "vm",
  objectUuid: "",
  objectLabel: "",
  role: "viewer",
  via: { type: "user" },
  ...fields,
});

/** Operator on the production pool, viewer of lab's web-01 through a group, admin of web-02, and an ACL on a VM gone since. */
const subject: AccessSubject = {
  isAdmin: false,
  grants: [
    grant("vm-gone", { objectUuid: "deleted-vm-uuid", objectLabel: "old-vm", role: "admin" }),
    grant("web-02", { objectUuid: "vm-web-02-uuid", objectLabel: "web-02", role: "admin" }),
    grant("web-01", { objectUuid: "vm-web-01-uuid", objectLabel: "web-01", via: { type: "group", groupId: "g1", groupName: "helpdesk" } }),
    grant("prod", { objectKind: "pool", objectUuid: "pool-prod-uuid", objectLabel: "production", role: "operator" }),
  ],
};

describe("describeGrants", () => {
  it("lists the user's ACLs with the objects' current names, widest scope first, and flags objects no pool has", () => {
    const views = describeGrants(subject, sources());
    expect(views.map((view) => [view.grant.aclId, view.object?.name ?? null])).toEqual([
      ["prod", "Production"],
      ["vm-gone", null],
      ["web-01", "web-01"],
      ["web-02", "web-02"],
    ]);
    expect(views[2]!.grant.via).toEqual({ type: "group", groupId: "g1", groupName: "helpdesk" });
  });
});

describe("reachableObjects", () => {
  it("lists every object the ACLs reach, with the role that applies and why", () => {
    const reachable = reachableObjects(subject, sources());
    expect(reachable.objects.map((r) => `${r.object.kind}:${r.object.name}:${r.role}`)).toEqual([
      "pool:Production:operator",
      "host:prod-host-1:operator",
      "vm:web-01:viewer",
      "vm:web-02:admin",
      "vm:web-10:operator",
    ]);
    expect(reachable.total).toBe(5);
    expect(reachable.counts).toEqual({ pool: 1, host: 1, vm: 3, sr: 0, network: 0 });
    const web10 = reachable.objects.find((r) => r.object.name === "web-10")!;
    expect(web10.reasons.map((reason) => [reason.grant.aclId, reason.scope])).toEqual([["prod", "its pool"]]);
    const web01 = reachable.objects.find((r) => r.object.name === "web-01")!;
    expect(web01.reasons.map((reason) => [reason.grant.via.type, reason.scope])).toEqual([["group", "the object itself"]]);
  });

  it("gives the strongest role when several ACLs apply", () => {
    const both: AccessSubject = {
      isAdmin: false,
      grants: [...subject.grants, grant("lab", { objectKind: "pool", objectUuid: "pool-lab-uuid", role: "operator" })],
    };
    const web01 = reachableObjects(both, sources()).objects.find((r) => r.object.name === "web-01")!;
    expect(web01.role).toBe("operator");
    expect(web01.reasons.map((reason) => reason.grant.aclId)).toEqual(["lab", "web-01"]);
  });

  it("reaches nothing without ACLs, and stops listing at the limit while still counting", () => {
    expect(reachableObjects({ isAdmin: false, grants: [] }, sources())).toEqual({
      objects: [],
      total: 0,
      counts: { pool: 0, host: 0, vm: 0, sr: 0, network: 0 },
    });
    const limited = reachableObjects(subject, sources(), 2);
    expect(limited.objects).toHaveLength(2);
    expect(limited.total).toBe(5);
  });
});
