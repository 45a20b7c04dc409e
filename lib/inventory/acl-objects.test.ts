import { afterAll, describe, expect, it } from "vitest";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getPoolRegistry, stopRegistry } from "@/lib/xapi/registry";
import { findAclObject, findAclObjectIn, listAclObjectsIn, searchAclObjects, searchAclObjectsIn, searchTerms, securableOf } from "./acl-objects";
import { labUpdates, sources } from "@/lib/dev/test/acl-objects-cache";

const names = (result: { objects: { name: string }[] }) => result.objects.map((object) => object.name);

describe("listAclObjectsIn", () => {
  it("lists pools, hosts, real VMs, SRs and networks of loaded pools, with their pool", () => {
    const objects = listAclObjectsIn(sources());
    expect(objects.map((o) => `${o.kind}:${o.name}`)).toEqual([
      "pool:lab",
      "host:lab-host-1",
      "host:lab-host-2",
      "vm:web-01",
      "vm:web-02",
      "vm:db-01",
      "sr:Local storage",
      "network:Pool-wide network associated with eth0",
      "pool:Production", // an unnamed pool shows its XenDeck label
      "host:prod-host-1",
      "vm:web-10",
    ]);
    expect(objects.find((o) => o.name === "web-10")).toEqual({
      kind: "vm",
      uuid: "vm-web-10-uuid",
      name: "web-10",
      poolId: "db-prod",
      poolLabel: "Production",
      poolUuid: "pool-prod-uuid",
    });
  });
});

describe("searchAclObjectsIn", () => {
  it("matches every word against the name, the uuid or the pool label, case-insensitively", () => {
    expect(names(searchAclObjectsIn(sources(), { query: "WEB" }))).toEqual(["web-01", "web-02", "web-10"]);
    expect(names(searchAclObjectsIn(sources(), { query: "web production" }))).toEqual(["web-10"]);
    expect(names(searchAclObjectsIn(sources(), { query: "vm-db-01" }))).toEqual(["db-01"]);
    expect(names(searchAclObjectsIn(sources(), { query: "nothing-like-this" }))).toEqual([]);
  });

  it("never offers templates, snapshots or control domains", () => {
    expect(searchAclObjectsIn(sources(), { query: "debian" }).total).toBe(0);
    expect(searchAclObjectsIn(sources(), { query: "before upgrade" }).total).toBe(0);
    expect(searchAclObjectsIn(sources(), { query: "snap-uuid" }).total).toBe(0);
    expect(names(searchAclObjectsIn(sources(), { query: "control domain" }))).toEqual([]);
  });

  it("filters by kind", () => {
    expect(names(searchAclObjectsIn(sources(), { query: "lab", kinds: ["host"] }))).toEqual(["lab-host-1", "lab-host-2"]);
    expect(names(searchAclObjectsIn(sources(), { kinds: ["pool"] }))).toEqual(["lab", "Production"]);
    expect(searchAclObjectsIn(sources(), { kinds: [] }).total).toBe(11);
  });

  it("puts exact matches and names starting with the query first, then pools before what they contain", () => {
    // "lab" is the lab pool's exact name; the hosts start with it; the lab VMs only match by pool label.
    const result = searchAclObjectsIn(sources(), { query: "lab" });
    expect(result.objects.map((o) => `${o.kind}:${o.name}`).slice(0, 3)).toEqual(["pool:lab", "host:lab-host-1", "host:lab-host-2"]);
    expect(result.total).toBe(8);
    expect(names(searchAclObjectsIn(sources(), { query: "vm-web-02-uuid" }))).toEqual(["web-02"]);
  });

  it("cuts the list at the limit but reports how many matched", () => {
    const result = searchAclObjectsIn(sources(), { query: "web", limit: 2 });
    expect(names(result)).toEqual(["web-01", "web-02"]);
    expect(result.total).toBe(3);
    expect(searchAclObjectsIn(sources(), { limit: 10_000 }).objects).toHaveLength(11);
    expect(searchAclObjectsIn(sources(), { limit: -5 }).objects).toHaveLength(1);
  });

  it("bounds what it reads of a huge query instead of failing", () => {
    expect(searchTerms(`${"a ".repeat(10_000)}`)).toHaveLength(10);
    expect(searchTerms("x".repeat(5_000))[0]).toHaveLength(200);
    expect(searchAclObjectsIn(sources(), { query: "web ".repeat(5_000) }).total).toBe(3);
  });
});

describe("findAclObjectIn", () => {
  it("finds each kind by uuid in whichever pool holds it", () => {
    expect(findAclObjectIn(sources(), "pool", "pool-prod-uuid")).toMatchObject({ name: "Production", poolId: "db-prod" });
    expect(findAclObjectIn(sources(), "host", "host-2-uuid")).toMatchObject({ name: "lab-host-2", poolUuid: "pool-lab-uuid" });
    expect(findAclObjectIn(sources(), "vm", "vm-web-10-uuid")).toMatchObject({ name: "web-10", poolLabel: "Production" });
    expect(findAclObjectIn(sources(), "sr", "sr-local-uuid")).toMatchObject({ name: "Local storage" });
    expect(findAclObjectIn(sources(), "network", "net-0-uuid")).toMatchObject({ kind: "network", poolId: "db-lab" });
  });

  it("refuses a uuid of another kind, templates, snapshots, and objects of a pool still loading", () => {
    expect(findAclObjectIn(sources(), "host", "vm-web-01-uuid")).toBeNull();
    expect(findAclObjectIn(sources(), "vm", "tpl-uuid")).toBeNull();
    expect(findAclObjectIn(sources(), "vm", "snap-uuid")).toBeNull();
    expect(findAclObjectIn(sources(), "vm", "dom0-uuid")).toBeNull();
    expect(findAclObjectIn(sources(), "vm", "vm-early-uuid")).toBeNull();
    expect(findAclObjectIn(sources(), "pool", "nope")).toBeNull();
  });

  it("gives what can() needs", () => {
    expect(securableOf(findAclObjectIn(sources(), "vm", "vm-web-01-uuid")!)).toEqual({ kind: "vm", uuid: "vm-web-01-uuid", poolUuid: "pool-lab-uuid" });
    expect(securableOf(findAclObjectIn(sources(), "pool", "pool-lab-uuid")!)).toEqual({ kind: "pool", uuid: "pool-lab-uuid" });
  });
});

describe("searchAclObjects / findAclObject over the pool registry", () => {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const person = (isAdmin: boolean): CurrentUser => ({
    id: isAdmin ? "admin-id" : "user-id",
    username: isAdmin ? "admin" : "olivia",
    displayName: "",
    isAdmin,
    mustChangePassword: false,
    // Even an ACL admin on the pool is not a global admin: the picker lists objects regardless of ACLs.
    grants: [{ aclId: "a1", objectKind: "pool", objectUuid: "pool-lab-uuid", objectLabel: "lab", role: "admin", via: { type: "user" } }],
  });

  afterAll(() => stopRegistry());

  it("answers global admins only", async () => {
    const registry = getPoolRegistry();
    registry.configure({ logger: silent, refreshIntervalMs: 0, connection: { logger: silent } });
    // A registered pool whose host does not answer: its cache is filled here as a sync would fill it.
    registry.setSource(async () => [{ id: "db-lab", label: "Lab", url: "http://127.0.0.1:9", username: "root", password: "x", readOnly: true }]);
    await registry.refresh();
    registry.get("db-lab")!.cache.load(labUpdates().map((update) => ({ class: update.class, ref: update.ref, record: update.record! })));

    expect(names(searchAclObjects(person(true), { query: "web" }))).toEqual(["web-01", "web-02"]);
    expect(searchAclObjects(person(true), {}).total).toBe(8);
    expect(findAclObject(person(true), "vm", "vm-db-01-uuid")).toMatchObject({ poolId: "db-lab", poolLabel: "Lab" });

    expect(searchAclObjects(person(false), { query: "web" })).toEqual({ objects: [], total: 0 });
    expect(findAclObject(person(false), "vm", "vm-db-01-uuid")).toBeNull();
  });
});
