import { describe, expect, it } from "vitest";
import {
  applyVmQuery,
  cachedVmSearchKey,
  DEFAULT_PER_PAGE,
  editDistance,
  naturalKey,
  nearest,
  parseVmQuery,
  parseVmSearch,
  replaceSearchTerm,
  searchProblems,
  toggleSort,
  vmQueryHref,
  vmQueryToSearchParams,
  vmSearchKey,
  type VmQuery,
  type VmRow,
} from "./vm-query";

function vm(overrides: Partial<VmRow> & { name: string }): VmRow {
  return {
    uuid: `00000000-0000-4000-8000-${overrides.name
      .replace(/[^a-z0-9]/gi, "")
      .padStart(12, "0")
      .slice(-12)}`,
    powerState: "Halted",
    poolId: "pool-lab",
    poolLabel: "lab",
    hostUuid: null,
    hostName: null,
    vcpus: 1,
    memoryBytes: 1024 ** 3,
    ip: null,
    os: null,
    tags: [],
    stale: false,
    busy: null,
    ...overrides,
  };
}

const rows: VmRow[] = [
  vm({
    name: "web-10",
    uuid: "aa11aa11-0000-4000-8000-000000000001",
    powerState: "Running",
    hostUuid: "h1",
    hostName: "xcp-1",
    ip: "10.0.0.10",
    os: "Debian 12",
    tags: ["prod", "Web"],
    vcpus: 4,
    memoryBytes: 8 * 1024 ** 3,
  }),
  vm({
    name: "web-2",
    uuid: "bb22bb22-0000-4000-8000-000000000002",
    powerState: "Running",
    hostUuid: "h2",
    hostName: "xcp-2",
    ip: "10.0.0.9",
    os: "Ubuntu 24.04",
    tags: ["prod"],
    vcpus: 2,
    memoryBytes: 4 * 1024 ** 3,
  }),
  vm({ name: "db 01", uuid: "cc33cc33-0000-4000-8000-000000000003", powerState: "Halted", os: "Debian 11", tags: ["db"] }),
  vm({
    name: "Build",
    uuid: "dd44dd44-0000-4000-8000-000000000004",
    powerState: "Suspended",
    poolId: "pool-prod",
    poolLabel: "Production",
    ip: "192.168.1.5",
    vcpus: 8,
    memoryBytes: 16 * 1024 ** 3,
  }),
  vm({
    name: "legacy",
    uuid: "ee55ee55-0000-4000-8000-000000000005",
    powerState: "Paused",
    poolId: "pool-prod",
    poolLabel: "Production",
    hostUuid: "h3",
    hostName: "xcp-10",
    stale: true,
  }),
];

const query = (params: Record<string, string | string[]> = {}) => parseVmQuery(params);
const names = (q: VmQuery) => applyVmQuery(rows, q).rows.map((r) => r.name);
const search = (q: string) => names(query({ q, perPage: "200" }));

describe("parseVmQuery", () => {
  it("gives defaults for empty params", () => {
    expect(query()).toEqual({
      q: "",
      terms: [],
      power: [],
      pool: [],
      sort: "name",
      dir: "asc",
      page: 1,
      perPage: DEFAULT_PER_PAGE,
    });
  });

  it("reads every parameter from a Next.js searchParams object", () => {
    const q = query({
      q: " web ",
      power: ["running", "Halted"],
      pool: ["p1", "p2"],
      sort: "memory",
      dir: "desc",
      page: "3",
      perPage: "100",
    });
    expect(q).toMatchObject({
      q: "web",
      power: ["Running", "Halted"],
      pool: ["p1", "p2"],
      sort: "memory",
      dir: "desc",
      page: 3,
      perPage: 100,
    });
    expect(q.terms).toEqual([{ field: "text", value: "web", negate: false }]);
  });

  it("reads the same from URLSearchParams, with comma-separated power states in canonical order", () => {
    const q = parseVmQuery(new URLSearchParams("power=halted,PAUSED&power=running&pool=p1&pool=p1"));
    expect(q.power).toEqual(["Running", "Paused", "Halted"]);
    expect(q.pool).toEqual(["p1"]);
  });

  it.each([
    ["sort", "bogus", "sort", "name"],
    ["sort", "__proto__", "sort", "name"],
    ["dir", "sideways", "dir", "asc"],
    ["page", "0", "page", 1],
    ["page", "-4", "page", 1],
    ["page", "2.5", "page", 1],
    ["page", "abc", "page", 1],
    ["page", "1e99", "page", 1],
    ["perPage", "7", "perPage", DEFAULT_PER_PAGE],
    ["perPage", "1000000", "perPage", DEFAULT_PER_PAGE],
    ["perPage", "", "perPage", DEFAULT_PER_PAGE],
  ] as const)("falls back when %s=%j", (param, value, field, expected) => {
    expect(query({ [param]: value })[field]).toBe(expected);
  });

  it("drops unknown power states and over-long or empty pool ids", () => {
    const q = query({ power: ["flying", "running"], pool: ["", "x".repeat(201), "ok"] });
    expect(q.power).toEqual(["Running"]);
    expect(q.pool).toEqual(["ok"]);
  });

  it("uses the first value of a repeated single-valued parameter", () => {
    expect(query({ sort: ["host", "ip"], page: ["2", "9"] })).toMatchObject({ sort: "host", page: 2 });
  });

  it("caps the search text and strips control characters", () => {
    const q = query({ q: `a\u0000b ${"x".repeat(1000)}` });
    expect(q.q.length).toBe(500);
    expect(q.q.startsWith("a b ")).toBe(true);
  });

  it("ignores non-string junk in a hand-built params object", () => {
    const junk = { q: [undefined as unknown as string], sort: undefined };
    expect(parseVmQuery(junk)).toMatchObject({ q: "", sort: "name" });
  });
});

describe("parseVmSearch", () => {
  it("splits free text and field terms, lower-casing values", () => {
    expect(parseVmSearch("Web power_state:Running pool:LAB")).toEqual([
      { field: "text", value: "web", negate: false },
      { field: "power_state", value: "running", negate: false },
      { field: "pool", value: "lab", negate: false },
    ]);
  });

  it("reads quoted values with spaces, also unterminated", () => {
    expect(parseVmSearch('name:"web 01" "db 01" os:"debian')).toEqual([
      { field: "name", value: "web 01", negate: false },
      { field: "text", value: "db 01", negate: false },
      { field: "os", value: "debian", negate: false },
    ]);
  });

  it("reads negation and field aliases", () => {
    expect(parseVmSearch("-state:halted -old tags:prod id:AB12")).toEqual([
      { field: "power_state", value: "halted", negate: true },
      { field: "text", value: "old", negate: true },
      { field: "tag", value: "prod", negate: false },
      { field: "uuid", value: "ab12", negate: false },
    ]);
  });

  it("treats unknown fields and colons in values as plain text", () => {
    expect(parseVmSearch("http://x ip:fe80::1 10:30")).toEqual([
      { field: "text", value: "http://x", negate: false },
      { field: "ip", value: "fe80::1", negate: false },
      { field: "text", value: "10:30", negate: false },
    ]);
  });

  it("ignores empty terms", () => {
    expect(parseVmSearch('name: "" - pool:"" ')).toEqual([]);
  });

  it("never throws on hostile input and caps the number of terms", () => {
    const hostile = ['"', '-"', "::::", "-:", "a:".repeat(300), "\u0000\u0007", "x ".repeat(100), "😀:😀"];
    for (const input of hostile) expect(() => parseVmSearch(input)).not.toThrow();
    expect(parseVmSearch("x ".repeat(100)).length).toBe(20);
  });
});

describe("applyVmQuery: search", () => {
  it("matches free text against name, IP, OS, host, pool and tags, case-insensitively", () => {
    expect(search("WEB")).toEqual(["web-2", "web-10"]);
    expect(search("192.168")).toEqual(["Build"]);
    expect(search("ubuntu")).toEqual(["web-2"]);
    expect(search("xcp-10")).toEqual(["legacy"]);
    expect(search("product")).toEqual(["Build", "legacy"]);
    expect(search("db")).toEqual(["db 01"]);
  });

  it("matches free text against a uuid prefix only", () => {
    expect(search("CC33")).toEqual(["db 01"]);
    expect(search("0000-4000")).toEqual([]);
  });

  it("requires every term (AND)", () => {
    expect(search("web debian")).toEqual(["web-10"]);
    expect(search("web nothing-like-this")).toEqual([]);
  });

  it("supports each field term", () => {
    expect(search("power_state:running")).toEqual(["web-2", "web-10"]);
    expect(search("power_state:run")).toEqual([]);
    expect(search("pool:lab")).toEqual(["db 01", "web-2", "web-10"]);
    expect(search("pool:pool-prod")).toEqual(["Build", "legacy"]);
    expect(search("host:xcp-1")).toEqual(["legacy", "web-10"]);
    expect(search("host:h2")).toEqual(["web-2"]);
    expect(search("os:debian")).toEqual(["db 01", "web-10"]);
    expect(search("ip:10.0.")).toEqual(["web-2", "web-10"]);
    expect(search("ip:0.0")).toEqual([]);
    expect(search("tag:prod")).toEqual(["web-2", "web-10"]);
    expect(search("tag:pro")).toEqual([]);
    expect(search("tag:web")).toEqual(["web-10"]);
    expect(search("name:web")).toEqual(["web-2", "web-10"]);
    expect(search('name:"db 01"')).toEqual(["db 01"]);
    expect(search("uuid:dd44")).toEqual(["Build"]);
  });

  it("negates terms", () => {
    expect(search("-power_state:halted -power_state:running")).toEqual(["Build", "legacy"]);
    expect(search("-web")).toEqual(["Build", "db 01", "legacy"]);
  });

  it("a term on a missing value matches nothing, and its negation everything", () => {
    expect(search("host:xcp")).not.toContain("db 01");
    expect(search("-ip:1")).toEqual(["db 01", "legacy"]);
  });

  it("combines search with the power and pool filters", () => {
    expect(names(query({ power: "Running,Paused", perPage: "200" }))).toEqual(["legacy", "web-2", "web-10"]);
    expect(names(query({ pool: "pool-prod", q: "-paused" }))).toEqual(["Build", "legacy"]);
    expect(names(query({ pool: "pool-prod", q: "-state:paused" }))).toEqual(["Build"]);
    expect(names(query({ pool: ["pool-prod", "pool-lab"], power: "Halted" }))).toEqual(["db 01"]);
    expect(names(query({ pool: "nope" }))).toEqual([]);
  });
});

describe("applyVmQuery: sort", () => {
  it("sorts names naturally: web-2 before web-10, case-insensitively", () => {
    expect(names(query())).toEqual(["Build", "db 01", "legacy", "web-2", "web-10"]);
    expect(names(query({ dir: "desc" }))).toEqual(["web-10", "web-2", "legacy", "db 01", "Build"]);
  });

  it("sorts numbers numerically and IP addresses by their numeric parts", () => {
    expect(names(query({ sort: "memory", dir: "desc" }))).toEqual(["Build", "web-10", "web-2", "db 01", "legacy"]);
    expect(names(query({ sort: "vcpus" }))).toEqual(["db 01", "legacy", "web-2", "web-10", "Build"]);
    expect(names(query({ sort: "ip" }))).toEqual(["web-2", "web-10", "Build", "db 01", "legacy"]);
  });

  it("sorts power states from running to halted, ties by name", () => {
    expect(names(query({ sort: "power_state" }))).toEqual(["web-2", "web-10", "legacy", "Build", "db 01"]);
  });

  it("puts missing values last in both directions", () => {
    expect(names(query({ sort: "host" }))).toEqual(["web-10", "web-2", "legacy", "Build", "db 01"]);
    expect(names(query({ sort: "host", dir: "desc" }))).toEqual(["legacy", "web-2", "web-10", "Build", "db 01"]);
    expect(names(query({ sort: "os", dir: "desc" }))).toEqual(["web-2", "web-10", "db 01", "Build", "legacy"]);
  });

  it("is total: equal names fall back to the uuid, whatever the input order", () => {
    const twins = [vm({ name: "same", uuid: "b" }), vm({ name: "same", uuid: "a" }), vm({ name: "SAME", uuid: "c" })];
    const order = (input: VmRow[]) => applyVmQuery(input, query()).rows.map((r) => r.uuid);
    expect(order(twins)).toEqual(["a", "b", "c"]);
    expect(order([...twins].reverse())).toEqual(["a", "b", "c"]);
  });

  it("orders by pool then name", () => {
    expect(names(query({ sort: "pool" }))).toEqual(["db 01", "web-2", "web-10", "Build", "legacy"]);
  });
});

describe("applyVmQuery: paging", () => {
  const many = Array.from({ length: 130 }, (_, i) => vm({ name: `vm-${i + 1}`, uuid: `u${i}` }));

  it("returns the requested page and counts", () => {
    const result = applyVmQuery(many, query({ page: "2", perPage: "25" }));
    expect(result).toMatchObject({ total: 130, page: 2, pages: 6 });
    expect(result.rows.map((r) => r.name)).toEqual(Array.from({ length: 25 }, (_, i) => `vm-${i + 26}`));
  });

  it("clamps a page past the end to the last page", () => {
    const result = applyVmQuery(many, query({ page: "99", perPage: "50" }));
    expect(result).toMatchObject({ page: 3, pages: 3 });
    expect(result.rows.map((r) => r.name)).toEqual(Array.from({ length: 30 }, (_, i) => `vm-${i + 101}`));
  });

  it("has one empty page when nothing matches", () => {
    expect(applyVmQuery(many, query({ q: "nothing" }))).toEqual({ rows: [], total: 0, page: 1, pages: 1 });
    expect(applyVmQuery([], query({ page: "4" }))).toEqual({ rows: [], total: 0, page: 1, pages: 1 });
  });

  it("visits every row exactly once across pages", () => {
    const seen = new Set<string>();
    for (let page = 1; page <= 6; page++) {
      for (const row of applyVmQuery(many, query({ page: String(page), perPage: "25", sort: "vcpus" })).rows) {
        seen.add(row.uuid);
      }
    }
    expect(seen.size).toBe(130);
  });

  it("gives the same answers with remembered filters as computed afresh, whatever the order of the queries", () => {
    const mixed = Array.from({ length: 90 }, (_, i) =>
      vm({
        name: `${["web", "db", "build"][i % 3]}-${i}`,
        uuid: `m${i}`,
        powerState: i % 2 === 0 ? "Running" : "Halted",
        poolId: i % 5 === 0 ? "pool-prod" : "pool-lab",
        memoryBytes: (i % 7) * 1024 ** 3,
      }),
    );
    const queries = [
      query({ q: "web" }),
      query({ q: "web", power: "Running" }),
      query({ power: "Running" }),
      query({ power: "Halted" }),
      query({ q: "web", pool: "pool-prod" }),
      query({ q: "-web" }),
      query({ q: "db", page: "2", perPage: "25" }),
      query({ q: "web", sort: "memory", dir: "desc" }),
    ];
    for (const round of [1, 2]) {
      for (const q of round === 1 ? queries : [...queries].reverse()) {
        const afresh = applyVmQuery(mixed, q, vmSearchKey);
        expect(afresh.total).toBeGreaterThan(0);
        expect(applyVmQuery(mixed, q)).toEqual(afresh);
      }
    }
  });

  it("does not modify its input", () => {
    const input = [...rows];
    applyVmQuery(input, query({ sort: "memory", dir: "desc" }));
    expect(input).toEqual(rows);
  });
});

describe("search keys", () => {
  it("memoises per row object and recomputes for a new object", () => {
    const row = rows[0]!;
    expect(cachedVmSearchKey(row)).toBe(cachedVmSearchKey(row));
    expect(cachedVmSearchKey({ ...row })).not.toBe(cachedVmSearchKey(row));
    expect(cachedVmSearchKey({ ...row })).toEqual(vmSearchKey(row));
  });

  it("uses a custom key function when given one", () => {
    let calls = 0;
    const keyOf = (row: VmRow) => (calls++, vmSearchKey(row));
    applyVmQuery(rows, query({ q: "web" }), keyOf);
    expect(calls).toBe(rows.length);
  });

  it("natural keys order digit runs numerically", () => {
    const sorted = ["web-10", "web-9", "web-1", "Web-100", "web"].map((s) => [naturalKey(s), s] as const).sort();
    expect(sorted.map(([, s]) => s)).toEqual(["web", "web-1", "web-9", "web-10", "Web-100"]);
  });
});

describe("links", () => {
  const base = query({ q: "web", power: "Running", pool: "p1", sort: "memory", dir: "desc", page: "3", perPage: "100" });

  it("omits defaults", () => {
    expect(vmQueryToSearchParams(query()).toString()).toBe("");
    expect(vmQueryHref("/vms", query())).toBe("/vms");
    expect(vmQueryToSearchParams(query({ sort: "name", dir: "asc", page: "1", perPage: "50" })).toString()).toBe("");
  });

  it("round-trips through parseVmQuery", () => {
    expect(parseVmQuery(vmQueryToSearchParams(base))).toEqual(base);
    const descByName = query({ dir: "desc" });
    expect(vmQueryToSearchParams(descByName).toString()).toBe("sort=name&dir=desc");
    expect(parseVmQuery(vmQueryToSearchParams(descByName))).toEqual(descByName);
  });

  it("keeps the page when only the page changes, and resets it otherwise", () => {
    expect(vmQueryToSearchParams(base, { page: 4 }).get("page")).toBe("4");
    expect(vmQueryToSearchParams(base).get("page")).toBe("3");
    expect(vmQueryToSearchParams(base, { sort: "name" }).get("page")).toBeNull();
    expect(vmQueryToSearchParams(base, { q: "db" }).get("page")).toBeNull();
    expect(vmQueryToSearchParams(base, { power: [] }).getAll("power")).toEqual([]);
    expect(vmQueryToSearchParams(base, { perPage: 25, page: 2 }).get("page")).toBe("2");
  });

  it("encodes search text safely", () => {
    const href = vmQueryHref("/vms", query(), { q: 'name:"web 01" & more' });
    expect(href).toBe("/vms?q=name%3A%22web+01%22+%26+more");
    expect(parseVmQuery(new URL(href, "http://x").searchParams).q).toBe('name:"web 01" & more');
  });

  it("toggleSort flips the current column and starts others in their natural direction", () => {
    expect(toggleSort(base, "memory")).toEqual({ sort: "memory", dir: "asc" });
    expect(toggleSort(query(), "name")).toEqual({ sort: "name", dir: "desc" });
    expect(toggleSort(query(), "vcpus")).toEqual({ sort: "vcpus", dir: "desc" });
    expect(toggleSort(query(), "host")).toEqual({ sort: "host", dir: "asc" });
  });
});

describe("applyVmQuery: memoised order", () => {
  it("sorts each list once per sort, and a new list afresh", () => {
    const list = makeRowsForMemo();
    const byName = applyVmQuery(list, parseVmQuery({ perPage: "25" }));
    expect(applyVmQuery(list, parseVmQuery({ perPage: "25" })).rows).toEqual(byName.rows);
    const byMemory = applyVmQuery(list, parseVmQuery({ sort: "memory", dir: "desc", perPage: "25" })).rows.map((r) => r.memoryBytes);
    expect(byMemory).toEqual([...byMemory].sort((a, b) => b - a));
    // A changed row comes in a new list: the new order shows it.
    const changed = list.map((row, index) => (index === 7 ? { ...row, name: "aaa-first" } : row));
    expect(applyVmQuery(changed, parseVmQuery({ perPage: "25" })).rows[0]!.name).toBe("aaa-first");
    expect(applyVmQuery(list, parseVmQuery({ perPage: "25" })).rows[0]!.name).not.toBe("aaa-first");
  });
});

function makeRowsForMemo(): VmRow[] {
  return Array.from({ length: 60 }, (_, i) => ({
    uuid: `memo-${String(i).padStart(3, "0")}`,
    name: `vm-${i}`,
    powerState: "Running",
    poolId: "pool",
    poolLabel: "lab",
    hostUuid: null,
    hostName: null,
    vcpus: 1,
    memoryBytes: ((i * 37) % 60) * 1024 ** 3,
    ip: null,
    os: null,
    tags: [],
    stale: false,
    busy: null,
  }));
}

describe("searchProblems", () => {
  it("says an unknown field was searched as text, and suggests the nearest field", () => {
    expect(searchProblems("web polo:lab")).toEqual([
      {
        term: "polo:lab",
        message: "“polo” is not a search field, so “polo:lab” was searched as plain text. Fields: name, power_state, pool, host, os, ip, tag, uuid.",
        suggestion: "pool:lab",
      },
    ]);
    expect(searchProblems("foo:bar")[0]).toMatchObject({ term: "foo:bar", suggestion: expect.stringMatching(/^(os|pool):bar$/) });
    // Nothing close: no suggestion, but still said.
    expect(searchProblems("zzzzzz:1")).toMatchObject([{ term: "zzzzzz:1", suggestion: null }]);
  });

  it("says a power state does not exist, and suggests the nearest one, keeping the negation and the field as typed", () => {
    expect(searchProblems("power_state:runing")).toEqual([
      {
        term: "power_state:runing",
        message: "“runing” is not a power state (running, paused, suspended, halted), so no VM matches “power_state:runing”.",
        suggestion: "power_state:running",
      },
    ]);
    expect(searchProblems("-state:haltd")[0]!.suggestion).toBe("-state:halted");
    expect(searchProblems("power:Running state:HALTED")).toEqual([]);
  });

  it("checks pool names against the pools the user sees, but not pool ids", () => {
    expect(searchProblems("pool:labb", { pools: ["lab", "production"] })).toEqual([
      { term: "pool:labb", message: "No pool you can see is named like “labb”.", suggestion: "pool:lab" },
    ]);
    expect(searchProblems("pool:prod pool:3f2a0000-1111", { pools: ["lab", "production"] })).toEqual([]);
    expect(searchProblems("pool:labb")).toEqual([]);
  });

  it("finds nothing wrong in ordinary searches and never throws", () => {
    expect(searchProblems('web name:"db 01" -tag:old ip:10.0. 10:30')).toEqual([]);
    for (const input of ['"', "-:", "a:".repeat(300), "😀:😀", ":::"]) expect(() => searchProblems(input)).not.toThrow();
  });
});

describe("did you mean", () => {
  it("measures edits and keeps only close candidates", () => {
    expect(editDistance("runing", "running")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(nearest("runing", ["running", "halted"])).toBe("running");
    expect(nearest("xyz", ["running", "halted"])).toBeNull();
    // Two letters are not a typo of a two-letter word.
    expect(nearest("ab", ["os"])).toBeNull();
  });

  it("replaces the term in the search text", () => {
    expect(replaceSearchTerm("web power_state:runing pool:lab", "power_state:runing", "power_state:running")).toBe("web power_state:running pool:lab");
    expect(replaceSearchTerm("web", "absent", "x")).toBe("web");
  });
});
