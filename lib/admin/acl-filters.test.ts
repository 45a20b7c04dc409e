import { describe, expect, it } from "vitest";
import type { AclDto } from "@/lib/access/acls";
import { filterAcls, parseAclListFilter, subjectFilter } from "./acl-filters";
import { aclsHref } from "@/lib/routes";

const acl = (id: string, fields: Partial<AclDto>): AclDto => ({
  id,
  subject: { type: "user", id: "u1", username: "olivia", displayName: "Olivia Ops" },
  objectKind: "vm",
  objectUuid: `${id}-uuid`,
  objectLabel: "",
  role: "viewer",
  createdBy: "admin",
  createdAt: new Date(0),
  ...fields,
});

const ACLS = [
  acl("a1", { objectKind: "pool", objectLabel: "lab", role: "operator" }),
  acl("a2", { objectLabel: "web-01", role: "admin" }),
  acl("a3", { subject: { type: "group", id: "g1", name: "night-shift" }, objectLabel: "db-01" }),
];

describe("parseAclListFilter", () => {
  it("reads every filter from the URL", () => {
    expect(parseAclListFilter({ q: " web ", subject: "group:g1", kind: "vm", object: "abc-123", role: "admin" })).toEqual({
      q: "web",
      subject: "group:g1",
      kind: "vm",
      object: "abc-123",
      role: "admin",
    });
  });

  it("drops values that make no sense instead of failing", () => {
    expect(parseAclListFilter({ subject: "team:x", kind: "task", object: "a b", role: "owner", q: ["first", "second"] })).toEqual({
      q: "first",
      subject: "",
      kind: "",
      object: "",
      role: "",
    });
    expect(parseAclListFilter({})).toEqual({ q: "", subject: "", kind: "", object: "", role: "" });
  });

  it("round-trips through the page's links", () => {
    const href = aclsHref({ kind: "pool", object: "p-1", q: "a&b" });
    expect(href).toBe("/admin/acls?kind=pool&object=p-1&q=a%26b");
    const params = Object.fromEntries(new URL(href, "http://x").searchParams);
    expect(parseAclListFilter(params)).toMatchObject({ kind: "pool", object: "p-1", q: "a&b" });
    expect(aclsHref({})).toBe("/admin/acls");
  });
});

describe("subjectFilter", () => {
  it("maps the subject to the repository's filter", () => {
    expect(subjectFilter("user:u1")).toEqual({ userId: "u1" });
    expect(subjectFilter("group:g1")).toEqual({ groupId: "g1" });
    expect(subjectFilter("")).toEqual({});
  });
});

describe("filterAcls", () => {
  const ids = (list: AclDto[]) => list.map((a) => a.id);

  it("filters by role and by words in the subject, the object's name, uuid or kind", () => {
    expect(ids(filterAcls(ACLS, { q: "", role: "" }))).toEqual(["a1", "a2", "a3"]);
    expect(ids(filterAcls(ACLS, { q: "", role: "admin" }))).toEqual(["a2"]);
    expect(ids(filterAcls(ACLS, { q: "NIGHT", role: "" }))).toEqual(["a3"]);
    expect(ids(filterAcls(ACLS, { q: "olivia web", role: "" }))).toEqual(["a2"]);
    expect(ids(filterAcls(ACLS, { q: "pool", role: "" }))).toEqual(["a1"]);
    expect(ids(filterAcls(ACLS, { q: "a3-uuid", role: "" }))).toEqual(["a3"]);
    expect(ids(filterAcls(ACLS, { q: "web", role: "viewer" }))).toEqual([]);
  });
});
