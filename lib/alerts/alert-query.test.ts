import { describe, expect, it } from "vitest";
import { ALERTS_PER_PAGE, alertQueryHref, applyAlertQuery, parseAlertQuery, type FilterableAlert } from "./alert-query";

const NOW = Date.parse("2026-01-10T12:00:00Z");
const row = (uuid: string, overrides: Partial<FilterableAlert> = {}): FilterableAlert & { uuid: string } => ({
  uuid,
  priority: 3,
  pool: { id: "lab" },
  object: { uuid: `obj-${uuid}`, name: `web-${uuid}` },
  title: "High cpu usage",
  details: "CPU usage 95%",
  name: "ALARM",
  time: new Date(NOW - 60_000).toISOString(),
  ...overrides,
});

describe("the alerts pane's query", () => {
  it("parses what it understands and drops the rest", () => {
    expect(parseAlertQuery({ priority: ["1", "2", "9", "x"], pool: ["p1", ""], object: " web ", q: "cpu", since: "24h", page: "3" })).toEqual({
      priorities: [1, 2],
      pools: ["p1"],
      object: "web",
      q: "cpu",
      since: "24h",
      page: 3,
    });
    expect(parseAlertQuery({ since: "forever", page: "-2" })).toMatchObject({ since: null, page: 1 });
  });

  it("filters by priority, pool, object name or uuid, text and time", () => {
    const rows = [
      row("1", { priority: 1 }),
      row("2", { pool: { id: "prod" } }),
      row("3", { title: "VM crashed", name: "VM_CRASHED", details: null }),
      row("4", { time: new Date(NOW - 2 * 24 * 3600_000).toISOString() }),
    ];
    const uuids = (query: Record<string, string | string[]>) => applyAlertQuery(rows, parseAlertQuery(query), NOW).rows.map((r) => r.uuid);
    expect(uuids({ priority: "1" })).toEqual(["1"]);
    expect(uuids({ pool: "prod" })).toEqual(["2"]);
    expect(uuids({ object: "WEB-3" })).toEqual(["3"]);
    expect(uuids({ object: "obj-4" })).toEqual(["4"]);
    expect(uuids({ q: "crashed" })).toEqual(["3"]);
    expect(uuids({ q: "vm_crash" })).toEqual(["3"]);
    expect(uuids({ since: "24h" })).toEqual(["1", "2", "3"]);
  });

  it("pages the rows and keeps the page in range", () => {
    const rows = Array.from({ length: ALERTS_PER_PAGE + 5 }, (_, i) => row(String(i)));
    const second = applyAlertQuery(rows, parseAlertQuery({ page: "2" }), NOW);
    expect(second).toMatchObject({ total: ALERTS_PER_PAGE + 5, page: 2, pages: 2 });
    expect(second.rows).toHaveLength(5);
    expect(applyAlertQuery(rows, parseAlertQuery({ page: "99" }), NOW).page).toBe(2);
  });

  it("writes the view back into the URL, back on page 1 after a change", () => {
    const query = parseAlertQuery({ priority: ["1", "2"], q: "cpu", page: "4" });
    expect(alertQueryHref(query)).toBe("/alerts?priority=1&priority=2&q=cpu");
    expect(alertQueryHref(query, { page: 2 })).toBe("/alerts?priority=1&priority=2&q=cpu&page=2");
    expect(alertQueryHref(parseAlertQuery({}))).toBe("/alerts");
  });
});
