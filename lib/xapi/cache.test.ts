import { describe, expect, it } from "vitest";
import { PoolCache, type CacheUpdate } from "./cache";

const vm = (uuid: string, extra: Record<string, unknown> = {}) => ({
  uuid,
  name_label: uuid,
  power_state: "Halted",
  resident_on: "OpaqueRef:NULL",
  snapshot_of: "OpaqueRef:NULL",
  ...extra,
});
const add = (cls: CacheUpdate["class"], ref: string, record: Record<string, unknown>): CacheUpdate => ({ class: cls, ref, operation: "add", record });
const mod = (cls: CacheUpdate["class"], ref: string, record: Record<string, unknown>): CacheUpdate => ({ class: cls, ref, operation: "mod", record });
const del = (cls: CacheUpdate["class"], ref: string): CacheUpdate => ({ class: cls, ref, operation: "del" });

describe("PoolCache", () => {
  it("finds records by ref and uuid, and lists them", () => {
    const cache = new PoolCache();
    const changes = cache.apply([add("VM", "r1", vm("u1")), add("VM", "r2", vm("u2")), add("host", "h1", { uuid: "hu1", name_label: "host 1" })]);
    expect(changes).toEqual([
      { class: "VM", ref: "r1", uuid: "u1", operation: "add" },
      { class: "VM", ref: "r2", uuid: "u2", operation: "add" },
      { class: "host", ref: "h1", uuid: "hu1", operation: "add" },
    ]);
    expect(cache.get("VM", "r1")).toMatchObject({ uuid: "u1", $ref: "r1" });
    expect(cache.getByUuid("VM", "u2")?.$ref).toBe("r2");
    expect(cache.getByUuid("host", "u1")).toBeUndefined();
    expect(cache.list("VM").map((v) => v.uuid)).toEqual(["u1", "u2"]);
    expect(cache.count("VM")).toBe(2);
    expect(cache.get("VM", undefined)).toBeUndefined();
  });

  it("replaces records instead of mutating them, and freezes them", () => {
    const cache = new PoolCache();
    cache.apply([add("VM", "r1", vm("u1", { tags: ["a"] }))]);
    const held = cache.get("VM", "r1")!;
    const listBefore = cache.list("VM");
    cache.apply([mod("VM", "r1", vm("u1", { power_state: "Running", tags: ["b"] }))]);
    expect(held.power_state).toBe("Halted");
    expect(held.tags).toEqual(["a"]);
    expect(cache.get("VM", "r1")!.power_state).toBe("Running");
    expect(Object.isFrozen(held)).toBe(true);
    expect(Object.isFrozen(held.tags)).toBe(true);
    expect(() => ((held as { power_state: string }).power_state = "Paused")).toThrow(TypeError);
    expect(listBefore).not.toBe(cache.list("VM"));
    expect(cache.list("VM")).toBe(cache.list("VM")); // memoised until the class changes
  });

  it("bumps version once per batch that changed something", () => {
    const cache = new PoolCache();
    expect(cache.version).toBe(0);
    cache.apply([add("VM", "r1", vm("u1")), add("VM", "r2", vm("u2"))]);
    expect(cache.version).toBe(1);
    expect(cache.apply([del("VM", "nope")])).toEqual([]);
    expect(cache.version).toBe(1);
    cache.apply([del("VM", "r1")]);
    expect(cache.version).toBe(2);
  });

  it("keeps the indexes the pages need in step with changes", () => {
    const cache = new PoolCache();
    cache.apply([
      add("VM", "vm1", vm("u1", { resident_on: "h1" })),
      add("VM", "vm2", vm("u2", { resident_on: "h1" })),
      add("VM", "snap", vm("us", { snapshot_of: "vm1" })),
      add("VBD", "vbd1", { uuid: "b1", VM: "vm1", VDI: "vdi1" }),
      add("VIF", "vif1", { uuid: "f1", VM: "vm1", network: "n1" }),
      add("VDI", "vdi1", { uuid: "d1", SR: "sr1" }),
      add("PBD", "pbd1", { uuid: "p1", SR: "sr1", host: "h1" }),
      add("PIF", "pif1", { uuid: "i1", host: "h1", network: "n1" }),
    ]);
    expect(
      cache
        .vmsByHost("h1")
        .map((v) => v.$ref)
        .sort(),
    ).toEqual(["vm1", "vm2"]);
    expect(cache.vmsByHost("OpaqueRef:NULL")).toEqual([]); // halted VMs are not "on" the null host
    expect(cache.snapshotsByVm("vm1").map((v) => v.$ref)).toEqual(["snap"]);
    expect(cache.vbdsByVm("vm1").map((v) => v.$ref)).toEqual(["vbd1"]);
    expect(cache.vifsByVm("vm1").map((v) => v.$ref)).toEqual(["vif1"]);
    expect(cache.vdisBySr("sr1").map((v) => v.$ref)).toEqual(["vdi1"]);
    expect(cache.pbdsBySr("sr1").map((v) => v.$ref)).toEqual(["pbd1"]);
    expect(cache.pbdsByHost("h1").map((v) => v.$ref)).toEqual(["pbd1"]);
    expect(cache.pifsByHost("h1").map((v) => v.$ref)).toEqual(["pif1"]);

    // a VM migrates, another halts, a disk is removed
    cache.apply([mod("VM", "vm1", vm("u1", { resident_on: "h2" })), mod("VM", "vm2", vm("u2")), del("VBD", "vbd1")]);
    expect(cache.vmsByHost("h1")).toEqual([]);
    expect(cache.vmsByHost("h2").map((v) => v.$ref)).toEqual(["vm1"]);
    expect(cache.vbdsByVm("vm1")).toEqual([]);
  });

  it("handles a uuid change and updates out of order", () => {
    const cache = new PoolCache();
    cache.apply([mod("VM", "r1", vm("u1"))]); // mod of an unknown ref: an add
    expect(cache.get("VM", "r1")).toBeDefined();
    cache.apply([add("VM", "r1", vm("u1b"))]); // add of a known ref: a mod
    expect(cache.getByUuid("VM", "u1")).toBeUndefined();
    expect(cache.getByUuid("VM", "u1b")?.$ref).toBe("r1");
  });

  it("replaces everything on load, without an empty moment", () => {
    const cache = new PoolCache();
    cache.apply([add("VM", "old", vm("uo", { resident_on: "h1" })), add("pool", "p", { uuid: "pu", name_label: "lab" })]);
    const version = cache.version;
    const count = cache.load([
      { class: "VM", ref: "new", record: vm("un", { resident_on: "h1" }) },
      { class: "pool", ref: "p", record: { uuid: "pu", name_label: "lab renamed" } },
    ]);
    expect(count).toBe(2);
    expect(cache.version).toBe(version + 1);
    expect(cache.get("VM", "old")).toBeUndefined();
    expect(cache.vmsByHost("h1").map((v) => v.$ref)).toEqual(["new"]);
    expect(cache.pool()?.name_label).toBe("lab renamed");
  });
});
