/** The hosts list's search and sort. */
import { describe, expect, it } from "vitest";
import { applyHostQuery, hostQueryHref, parseHostQuery, toggleHostSort, type SortableHost } from "./host-query";

const host = (name: string, overrides: Partial<SortableHost> = {}): SortableHost => ({
  name,
  poolLabel: "lab",
  address: "10.0.0.1",
  cpuModel: "Xeon",
  enabled: true,
  live: true,
  memoryUsed: 1,
  memoryTotal: 4,
  cpuCount: 8,
  residentVmCount: 2,
  ...overrides,
});

const hosts = [
  host("xcp-10", { poolLabel: "production", address: "10.0.1.10", memoryUsed: 3, residentVmCount: 9 }),
  host("xcp-2", { address: "10.0.0.2", enabled: false, cpuCount: 16 }),
  host("xcp-1", { address: "10.0.0.1", live: false, residentVmCount: 0 }),
];
const names = (list: SortableHost[]) => list.map((h) => h.name);

describe("parseHostQuery", () => {
  it("reads the search and the sort, and falls back to the name for anything unknown", () => {
    expect(parseHostQuery({ q: "  xcp \u0007 ", sort: "memory", dir: "desc" })).toEqual({ q: "xcp", sort: "memory", dir: "desc" });
    expect(parseHostQuery({ sort: "password", dir: "sideways" })).toEqual({ q: "", sort: "name", dir: "asc" });
    expect(parseHostQuery({ q: ["a", "b"] }).q).toBe("a");
  });
});

describe("applyHostQuery", () => {
  it("sorts by name in natural order, and by any column either way", () => {
    expect(names(applyHostQuery(hosts, parseHostQuery({})))).toEqual(["xcp-1", "xcp-2", "xcp-10"]);
    expect(names(applyHostQuery(hosts, parseHostQuery({ sort: "vms", dir: "desc" })))).toEqual(["xcp-10", "xcp-2", "xcp-1"]);
    expect(names(applyHostQuery(hosts, parseHostQuery({ sort: "memory", dir: "desc" })))).toEqual(["xcp-10", "xcp-1", "xcp-2"]);
    // What needs attention first: not live, then in maintenance.
    expect(names(applyHostQuery(hosts, parseHostQuery({ sort: "state" })))).toEqual(["xcp-1", "xcp-2", "xcp-10"]);
    expect(names(applyHostQuery(hosts, parseHostQuery({ sort: "pool", dir: "desc" })))).toEqual(["xcp-10", "xcp-1", "xcp-2"]);
  });

  it("keeps the hosts whose name, address, pool or CPU model hold every word", () => {
    expect(names(applyHostQuery(hosts, parseHostQuery({ q: "production" })))).toEqual(["xcp-10"]);
    expect(names(applyHostQuery(hosts, parseHostQuery({ q: "10.0.0. XCP" })))).toEqual(["xcp-1", "xcp-2"]);
    expect(applyHostQuery(hosts, parseHostQuery({ q: "nothing" }))).toEqual([]);
  });
});

describe("links", () => {
  it("leave the defaults out, and a numeric column starts with the biggest", () => {
    const query = parseHostQuery({ q: "xcp" });
    expect(hostQueryHref(query)).toBe("/hosts?q=xcp");
    expect(hostQueryHref(query, toggleHostSort(query, "vms"))).toBe("/hosts?q=xcp&sort=vms&dir=desc");
    expect(hostQueryHref(parseHostQuery({ sort: "name", dir: "asc" }), toggleHostSort(parseHostQuery({}), "name"))).toBe("/hosts?sort=name&dir=desc");
  });
});
