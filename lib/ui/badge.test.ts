import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { POWER_STATES } from "@/lib/inventory/vm-query";
import { PowerStateBadge } from "./badge";
import { PoolStatusBanner } from "./banner";
import { StatusDot } from "./status-dot";

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("status display says it in words, not colour alone", () => {
  it("each power state has its name and its own look", () => {
    const looks = new Set<string>();
    for (const state of POWER_STATES) {
      const html = renderToStaticMarkup(h(PowerStateBadge, { state }));
      expect(text(html)).toContain(state);
      looks.add(/class="([^"]+)"/.exec(html)![1]!);
    }
    expect(looks.size).toBe(POWER_STATES.length);
  });

  it("a stale power state says it is the last known one", () => {
    const html = renderToStaticMarkup(h(PowerStateBadge, { state: "Running", stale: true }));
    expect(text(html)).toContain("Running (last known state)");
    expect(html).toContain('title="Last known state: the pool is not connected"');
  });

  it("a status dot has its word", () => {
    expect(text(renderToStaticMarkup(h(StatusDot, { status: "reconnecting" })))).toBe("Reconnecting…");
    expect(text(renderToStaticMarkup(h(StatusDot, { status: "error", label: "Error: refused" })))).toBe("Error: refused");
  });
});

describe("PoolStatusBanner", () => {
  it("is absent for a connected pool", () => {
    expect(renderToStaticMarkup(h(PoolStatusBanner, { poolLabel: "lab", status: "connected" }))).toBe("");
  });

  it("names the pool, the problem, the reason and that the data is the last known state", () => {
    const html = renderToStaticMarkup(h(PoolStatusBanner, { poolLabel: "lab", status: "error", since: "2025-11-24T12:03:00Z", reason: "connection refused" }));
    expect(text(html)).toMatch(/^Pool lab cannot be reached since .*12:03.*: connection refused — showing last known state\.$/);
    expect(html).toContain('dateTime="2025-11-24T12:03:00.000Z"');
  });

  it("says disconnected, without a time when unknown", () => {
    const html = renderToStaticMarkup(h(PoolStatusBanner, { poolLabel: "lab", status: "disconnected" }));
    expect(text(html)).toBe("Pool lab is disconnected — showing last known state.");
  });
});
