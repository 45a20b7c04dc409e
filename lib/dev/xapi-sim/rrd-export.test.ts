import { describe, expect, it } from "vitest";
import { bestArchive, consolidate, formatValue, xport } from "./rrd-export";
import { noiseSum, unitHash, unitSum, waveSum } from "./rrd-signal";
import type { RrdSource } from "./rrd-sources";

describe("formatValue (xcp-rrdd's %0.5g)", () => {
  it.each([
    [0, "0.0"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [1, "1"],
    [0.5, "0.5"],
    [0.000123456, "0.00012346"],
    [0.0000123456, "1.2346e-05"],
    [12345, "12345"],
    [123456, "1.2346e+05"],
    [4294967296, "4.295e+09"],
    [99999.7, "1e+05"],
    [0.00012, "0.00012"],
    [-2.5, "-2.5"],
  ])("%s → %s", (value, text) => expect(formatValue(value)).toBe(text));
});

describe("consolidation", () => {
  it("is the mean of the known PDPs while at most half of them are unknown (xff 0.5)", () => {
    expect(consolidate(12, 12, 12)).toBe(1);
    expect(consolidate(6, 6, 12)).toBe(1);
    expect(consolidate(5, 5, 12)).toBeNaN();
    expect(consolidate(3, 1, 1)).toBe(3);
    expect(consolidate(0, 0, 1)).toBeNaN();
  });

  it("rows of a source with a gap: known where enough of the row is, NaN elsewhere", () => {
    // One data source worth 2 per PDP, known for PDPs [103, 130) only.
    const source: RrdSource = {
      kind: "vm",
      uuid: "u",
      dss: [{ name: "x", type: "GAUGE", min: 0, max: Infinity }],
      accumulate(p0, p1, sums, offset) {
        const n = Math.max(0, Math.min(p1, 130) - Math.max(p0, 103));
        sums[offset] += 2 * n;
        return n;
      },
    };
    // The last update at 650 s (PDP 130): one-minute rows end at 600, 540, 480...
    const x = xport([source], 650, 400, 60)!;
    expect(x.step).toBe(60);
    expect(x.times).toEqual([600, 540, 480, 420]);
    expect(x.legend).toEqual(["AVERAGE:vm:u:x"]);
    // [540, 600) is PDPs 108..119: all known. [480, 540): 96..107, 5 of 12 known, too few. [420, 480): none.
    expect(Array.from(x.row(0))).toEqual([2]);
    expect(Array.from(x.row(1))).toEqual([NaN]);
    expect(Array.from(x.row(2))).toEqual([NaN]);
    // Half of a row is enough: from PDP 102 on, [480, 540) has 6 of 12.
    const half = xport(
      [
        {
          ...source,
          accumulate: (p0, p1, sums, offset) => {
            const n = Math.max(0, Math.min(p1, 130) - Math.max(p0, 102));
            sums[offset] += 2 * n;
            return n;
          },
        },
      ],
      650,
      400,
      60,
    )!;
    expect(Array.from(half.row(1))).toEqual([2]);
  });
});

describe("bestArchive (find_best_rras)", () => {
  const last = 1_000_000;
  it("takes the finest archive holding start, at least as coarse as asked", () => {
    expect(bestArchive(last, 1, last - 595)?.pdps).toBe(1);
    expect(bestArchive(last, 1, last - 600)?.pdps).toBe(12);
    expect(bestArchive(last, 12, last - 60)?.pdps).toBe(12);
    expect(bestArchive(last, 0, last - 86_400)?.pdps).toBe(720);
    expect(bestArchive(last, 0, last - 30 * 86_400)?.pdps).toBe(17_280);
    // Older than a year: the year archive still answers.
    expect(bestArchive(last, 0, 0)?.pdps).toBe(17_280);
    expect(bestArchive(last, 17_281, last - 60)).toBeUndefined();
  });
});

describe("signal sums", () => {
  it("sums of runs equal the sum of their PDPs, so archive rows are exact means", () => {
    const perPdp = (i: number) => unitSum([{ amp: 0.3, period: 600, phase: 1 }], [{ amp: 0.2, block: 12, seed: 7 }], i, i + 1);
    let direct = 0;
    for (let i = 1000; i < 1100; i++) direct += perPdp(i);
    expect(unitSum([{ amp: 0.3, period: 600, phase: 1 }], [{ amp: 0.2, block: 12, seed: 7 }], 1000, 1100)).toBeCloseTo(direct, 9);
    expect(noiseSum(3, 720, 5, 2000)).toBeCloseTo(
      Array.from({ length: 1995 }, (_, k) => unitHash(3, Math.floor((5 + k) / 720)) - unitHash(3, Math.floor((5 + k) / 720) + 1)).reduce((a, b) => a + b),
      9,
    );
    // A whole period of a wave averages out.
    expect(waveSum(600, 0.4, 0, 120)).toBeCloseTo(0, 9);
  });
});
