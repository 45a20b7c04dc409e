import { describe, expect, it } from "vitest";
import { HostLiveStats, LIVE_ROWS, LiveTable } from "./live-table";
import type { RrdUpdates } from "./rrd-updates-parser";

const HOST = "host-uuid";

/** An answer with rows at `times` (oldest first) and, per object, one metric whose value is `t / 1000 + offset`. */
function answer(times: number[], objects: { kind: string; uuid: string; offset: number }[], step = 5): RrdUpdates {
  const legend = objects.map((o) => `AVERAGE:${o.kind}:${o.uuid}:cpu0`);
  const values = new Float64Array(times.length * legend.length);
  times.forEach((t, r) => objects.forEach((o, c) => (values[r * legend.length + c] = t / 1000 + o.offset)));
  return { start: times[0] ?? 0, step, end: times.at(-1) ?? 0, legend, times: Float64Array.from(times), values };
}

const range = (from: number, to: number) => Array.from({ length: (to - from) / 5 + 1 }, (_, i) => from + 5 * i);

describe("LiveTable", () => {
  it("appends newer rows, keeps the last 120, drops objects the host no longer holds", () => {
    const table = new LiveTable();
    const host = { kind: "host", uuid: HOST, offset: 0 };
    const a = { kind: "vm", uuid: "a", offset: 1 };
    const b = { kind: "vm", uuid: "b", offset: 2 };
    expect(table.merge(answer(range(1000, 1595), [host, a, b]), true)).toEqual([]);
    expect(table.rowCount).toBe(LIVE_ROWS);
    expect(table.series("vm", "a", "cpu0")![0]).toBeCloseTo(2);
    // The next answer repeats the last row (asked from it on) and brings one more; b stopped.
    expect(table.merge(answer([1595, 1600], [host, a]), false)).toEqual([]);
    expect(table.rowCount).toBe(LIVE_ROWS);
    expect(table.firstTime).toBe(1005);
    expect(table.lastTime).toBe(1600);
    expect(table.series("vm", "a", "cpu0")!.at(-1)).toBeCloseTo(2.6);
    expect(table.series("vm", "a", "cpu0")![0]).toBeCloseTo(2.005);
    expect(table.object("vm", "b")).toBeUndefined();
  });

  it("answers with the same legend go straight to the same arrays, before and after the legend changes", () => {
    const table = new LiveTable();
    const host = { kind: "host", uuid: HOST, offset: 0 };
    const a = { kind: "vm", uuid: "a", offset: 1 };
    const b = { kind: "vm", uuid: "b", offset: 2 };
    table.merge(answer(range(1000, 1595), [host, a]), true);
    expect(table.merge(answer([1595, 1600, 1605], [host, a]), false)).toEqual([]);
    expect(table.rowCount).toBe(LIVE_ROWS);
    expect(table.firstTime).toBe(1010);
    expect(Array.from(table.series("vm", "a", "cpu0")!.slice(-3)).map((v) => Math.round(v * 1000))).toEqual([2595, 2600, 2605]);
    expect(table.merge(answer([1605, 1610], [host, a, b]), false)).toEqual(["b"]);
    table.merge(answer([1610, 1615], [host, a, b]), false);
    expect(table.series("vm", "b", "cpu0")!.at(-1)).toBeCloseTo(3.615);
    expect(table.series("host", HOST, "cpu0")!.at(-1)).toBeCloseTo(1.615);
    expect(table.lastTime).toBe(1615);
  });

  it("reports VMs that appear, with unknown older rows until their history fills them", () => {
    const table = new LiveTable();
    const host = { kind: "host", uuid: HOST, offset: 0 };
    const c = { kind: "vm", uuid: "c", offset: 3 };
    table.merge(answer(range(1000, 1100), [host]), true);
    expect(table.merge(answer([1100, 1105], [host, c]), false)).toEqual(["c"]);
    const series = () => Array.from(table.series("vm", "c", "cpu0")!);
    expect(series().slice(0, -1).every(Number.isNaN)).toBe(true);
    expect(series().at(-1)).toBeCloseTo(4.105);
    table.fill(answer(range(1050, 1105), [c]));
    expect(series().slice(0, 10).every(Number.isNaN)).toBe(true);
    expect(series()[10]).toBeCloseTo(4.05);
  });
});

describe("HostLiveStats", () => {
  function harness(offsetMs = 0) {
    let now = 1_600_000;
    const requests: { start: number; vm?: string }[] = [];
    let fail: Error | null = null;
    const stats = new HostLiveStats(
      async (query) => {
        requests.push(query);
        if (fail) throw fail;
        const hostNow = Math.floor((now + offsetMs) / 1000 / 5) * 5;
        const from = query.vm ? query.start : Math.ceil(query.start / 5) * 5;
        return answer(range(from, hostNow), query.vm ? [{ kind: "vm", uuid: query.vm, offset: 0 }] : [{ kind: "host", uuid: HOST, offset: 0 }]);
      },
      async () => offsetMs,
      () => now,
    );
    return {
      stats,
      requests,
      advance: (ms: number) => (now += ms),
      failWith: (error: Error | null) => (fail = error),
    };
  }

  it("fetches the window once, then only when a row is due, from the last row on, in the host's clock", async () => {
    const h = harness(3_600_000);
    const first = await h.stats.read();
    expect(h.requests).toHaveLength(1);
    // In the host's clock: an hour ahead of ours.
    expect(h.requests[0].start).toBeGreaterThan((1_600_000 + 3_600_000) / 1000 - 600);
    expect(first.table.rowCount).toBeGreaterThan(100);
    await h.stats.read();
    h.advance(2_000);
    await Promise.all([h.stats.read(), h.stats.read(), h.stats.read()]);
    expect(h.requests).toHaveLength(1);
    h.advance(5_000);
    await Promise.all([h.stats.read(), h.stats.read()]);
    expect(h.requests).toHaveLength(2);
    expect(h.requests[1].start).toBe(first.table.times[first.table.rowCount - 2]);
  });

  it("keeps the rows and reports the failure, then tries again after a pause", async () => {
    const h = harness();
    await h.stats.read();
    h.failWith(new Error("connection refused"));
    h.advance(10_000);
    const failed = await h.stats.read();
    expect(failed.error?.message).toBe("connection refused");
    expect(failed.table.rowCount).toBeGreaterThan(100);
    h.advance(1_000);
    await h.stats.read();
    expect(h.requests).toHaveLength(2);
    h.failWith(null);
    h.advance(5_000);
    expect((await h.stats.read()).error).toBeNull();
    expect(h.requests).toHaveLength(3);
  });
});

describe("HostLiveStats.read with a deadline", () => {
  it("answers with the table as it is while a slow refresh goes on, then with the refreshed one", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stats = new HostLiveStats(
      async () => {
        await gate;
        return answer(range(1000, 1595), [{ kind: "host", uuid: HOST, offset: 0 }]);
      },
      async () => 0,
      () => 1_600_000,
    );
    const early = await stats.read(10);
    expect(early.pending).toBe(true);
    expect(early.table.rowCount).toBe(0);
    release();
    const done = await stats.read();
    expect(done.pending).toBe(false);
    expect(done.table.rowCount).toBe(LIVE_ROWS);
  });
});
