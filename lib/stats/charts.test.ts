import { describe, expect, it } from "vitest";
import { currentHostFigures, currentVmFigures, hostCharts, mapColumns, vmCharts } from "./charts";

/** Values travel with five significant digits. */
const r5 = (value: number) => Number(value.toPrecision(5));
const columns = (metrics: Record<string, number[]>) => mapColumns(new Map(Object.entries(metrics)), Object.values(metrics)[0]?.length ?? 0);

describe("vmCharts", () => {
  it("draws CPU per vCPU with the total, memory used and allocated, network per VIF, disk per device", () => {
    const charts = vmCharts(
      columns({
        cpu0: [0.1, 0.2],
        cpu1: [0.3, NaN],
        memory: [4 * 2 ** 30, 4 * 2 ** 30],
        memory_target: [4 * 2 ** 30, 4 * 2 ** 30],
        memory_internal_free: [2 ** 20, 3 * 2 ** 20],
        vif_0_rx: [100, 200],
        vif_0_tx: [10, 20],
        vif_1_rx: [1, 2],
        vif_1_tx: [3, 4],
        vbd_xvda_read: [5, 6],
        vbd_xvda_write: [7, 8],
      }),
    );
    expect(charts.map((c) => [c.id, c.unit, c.series.map((s) => s.label)])).toEqual([
      ["cpu", "percent", ["Total", "vCPU 0", "vCPU 1"]],
      ["memory", "bytes", ["Used", "Allocated"]],
      ["network", "bytesPerSecond", ["VIF 0 receive", "VIF 0 send", "VIF 1 receive", "VIF 1 send"]],
      ["disk", "bytesPerSecond", ["xvda read", "xvda write"]],
    ]);
    // The total is the mean of the known vCPUs; unknown values travel as null.
    expect(charts[0].series[0].values).toEqual([0.2, 0.2]);
    expect(charts[0].series[2].values).toEqual([0.3, null]);
    expect(charts[1].series[0].values).toEqual([r5(4 * 2 ** 30 - 2 ** 30), r5(4 * 2 ** 30 - 3 * 2 ** 30)]);
  });

  it("keeps many-vCPU charts readable, and leaves out what the VM does not have", () => {
    const metrics: Record<string, number[]> = { memory: [1] };
    for (let k = 0; k < 16; k++) metrics[`cpu${k}`] = [k / 100];
    const charts = vmCharts(columns(metrics));
    expect(charts.map((c) => c.id)).toEqual(["cpu", "memory"]);
    expect(charts[0].series.map((s) => [s.label, s.values[0]])).toEqual([
      ["Total", 0.075],
      ["Busiest vCPU", 0.15],
    ]);
    expect(charts[1].series.map((s) => s.label)).toEqual(["Allocated"]);
  });
});

describe("hostCharts", () => {
  it("draws the average and busiest core, load, memory used of total and each physical interface", () => {
    const charts = hostCharts(
      columns({
        cpu0: [0.1],
        cpu1: [0.5],
        cpu_avg: [0.3],
        loadavg: [2.5],
        memory_total_kib: [1024],
        memory_free_kib: [256],
        pif_eth0_rx: [1],
        pif_eth0_tx: [2],
      }),
    );
    expect(charts.map((c) => [c.id, c.series.map((s) => [s.label, s.values[0]])])).toEqual([
      [
        "cpu",
        [
          ["Average", 0.3],
          ["Busiest core", 0.5],
        ],
      ],
      ["load", [["Load average", 2.5]]],
      [
        "memory",
        [
          ["Used", r5(768 * 1024)],
          ["Total", r5(1024 * 1024)],
        ],
      ],
      [
        "network",
        [
          ["eth0 receive", 1],
          ["eth0 send", 2],
        ],
      ],
    ]);
  });
});

describe("current figures", () => {
  it("rank a VM by the mean of its last rows: CPU over its vCPUs, memory used, total traffic", () => {
    const figures = currentVmFigures(
      columns({
        cpu0: [0.9, 0.1, 0.2, 0.3],
        cpu1: [0.9, 0.3, 0.4, NaN],
        memory: [8192, 8192, 8192, 8192],
        memory_internal_free: [1, 2, 2, 2],
        vif_0_rx: [0, 10, 10, 10],
        vif_0_tx: [0, 5, 5, 5],
        vbd_xvda_read: [0, NaN, NaN, NaN],
      }),
    );
    expect(figures.cpu).toBeCloseTo((0.2 + 0.35) / 2);
    expect(figures.memory).toBe(8192 - 2048);
    expect(figures.network).toBe(15);
    expect(figures.disk).toBeNaN();
  });

  it("give a host's CPU, load, memory and traffic", () => {
    const host = currentHostFigures(
      columns({ cpu_avg: [0.2, 0.4], loadavg: [1, 3], memory_total_kib: [100, 100], memory_free_kib: [40, 60], pif_eth0_rx: [1, 1] }),
      2,
    );
    expect(host).toEqual({ cpu: 0.30000000000000004, load: 2, memoryUsed: 50 * 1024, memoryTotal: 100 * 1024, networkRx: 1, networkTx: NaN });
  });
});
