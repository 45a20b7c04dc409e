/**
 * The statistics read models against the simulator through the real client and registry: charts of a VM and a
 * host over each range, times in our clock whatever the host's, access (objects one may not view answer null,
 * top lists rank only what one may view), halted VMs and hosts that do not answer.
 */
import { describe, expect, it } from "vitest";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import type { VmRecord } from "@/lib/xapi/model/records.generated";
import { hostStats, vmStats } from "./object-stats";
import { statsOverview } from "./overview";
import { TOP_METRIC_IDS } from "./types";

const env = inventoryEnvironmentForFile({ pools: 2, hostsPerPool: 3, vmsPerPool: 12 });

const poolIndex = (name: string) => env().sim.pools.find((pool) => pool.name === name)!.index;
const vmsOf = (pool: string) =>
  env()
    .sim.inspect.all<VmRecord>("VM", poolIndex(pool))
    .filter((v) => !v.record.is_a_template && !v.record.is_a_snapshot && !v.record.is_control_domain);
const running = (pool: string) => vmsOf(pool).filter((v) => v.record.power_state === "Running");
const hostOf = (pool: string, ref: string) => env().sim.pools[poolIndex(pool)].hosts.find((host) => host.ref === ref)!;

describe("a host whose clock is off", () => {
  it("has its rows shown in our time, and the skew reported", async () => {
    const { sim, admin } = env();
    const host = sim.pools[poolIndex("production")].hosts[2];
    sim.clock.setOffset(-300_000, host.ref);
    const stats = (await hostStats(admin, host.uuid, "10m"))!;
    expect(stats.status).toBe("ok");
    expect(stats.clockSkewSeconds).toBeGreaterThanOrEqual(-302);
    expect(stats.clockSkewSeconds).toBeLessThanOrEqual(-298);
    expect(Math.abs(stats.times.at(-1)! - sim.clock.now())).toBeLessThan(12_000);
    expect(stats.charts.map((chart) => chart.id)).toEqual(["cpu", "load", "memory", "network"]);
  });
});

describe("vmStats", () => {
  it("gives a running VM's CPU, memory, network and disk over the live ten minutes and longer ranges", async () => {
    const { admin, sim } = env();
    const vm = running("lab")[0];
    const live = (await vmStats(admin, vm.record.uuid, "10m"))!;
    expect(live.status).toBe("ok");
    expect(live.step).toBe(5);
    expect(live.times.length).toBeGreaterThan(100);
    expect(Math.abs(live.times.at(-1)! - sim.clock.now())).toBeLessThan(12_000);
    expect(live.charts.map((chart) => chart.id)).toEqual(["cpu", "memory", "network", "disk"]);
    for (const chart of live.charts) for (const series of chart.series) expect(series.values).toHaveLength(live.times.length);
    const cpu = live.charts[0].series[0].values.filter((v): v is number => v !== null);
    expect(cpu.length).toBeGreaterThan(100);
    expect(cpu.every((v) => v >= 0 && v <= 1)).toBe(true);

    const week = (await vmStats(admin, vm.record.uuid, "1w"))!;
    expect(week.step).toBe(3600);
    expect(week.times.length).toBeGreaterThanOrEqual(167);
    const year = (await vmStats(admin, vm.record.uuid, "1y"))!;
    expect(year.step).toBe(86400);
    expect(year.times.length).toBeGreaterThanOrEqual(365);
  });

  it("says a halted VM has no statistics", async () => {
    const vm = vmsOf("lab").find((v) => v.record.power_state === "Halted")!;
    const stats = (await vmStats(env().admin, vm.record.uuid, "10m"))!;
    expect(stats.status).toBe("not-running");
    expect(stats.message).toMatch(/halted/);
    expect(stats.charts).toEqual([]);
  });

  it("answers null for what the user may not view: another VM, the host, an unknown uuid", async () => {
    const { user } = env();
    const [mine, other] = running("lab");
    const viewer = await user("stats-vm-viewer", [{ kind: "vm", uuid: mine.record.uuid, role: "viewer" }]);
    expect((await vmStats(viewer, mine.record.uuid, "10m"))?.status).toBe("ok");
    expect(await vmStats(viewer, other.record.uuid, "10m")).toBeNull();
    expect(await vmStats(viewer, "no-such-vm", "2h")).toBeNull();
    expect(await hostStats(viewer, hostOf("lab", mine.record.resident_on).uuid, "10m")).toBeNull();
  });

  it("says which host does not answer instead of drawing empty graphs", async () => {
    const { admin, sim } = env();
    const pool = sim.pools[poolIndex("production")];
    const member = pool.hosts.find((host) => host.ref !== pool.master.ref && running("production").some((v) => v.record.resident_on === host.ref))!;
    const vm = running("production").find((v) => v.record.resident_on === member.ref)!;
    await sim.faults.setHostState(member.ref, "refuse");
    try {
      const stats = (await vmStats(admin, vm.record.uuid, "2h"))!;
      expect(stats.status).toBe("unavailable");
      expect(stats.message).toContain(member.name);
      expect(stats.message).toMatch(/refused/);
    } finally {
      await sim.faults.setHostState(member.ref, "up");
    }
  });
});

describe("statsOverview", () => {
  it("ranks every running VM for an admin, busiest first, with host usage", async () => {
    const overview = await statsOverview(env().admin, { limit: 3 });
    for (const metric of TOP_METRIC_IDS) {
      const values = overview.top[metric].map((row) => row.value);
      expect(values.length, metric).toBe(3);
      expect([...values].sort((a, b) => b - a)).toEqual(values);
    }
    expect(overview.hosts).toHaveLength(6);
    const usage = overview.hosts.find((host) => host.message === null)!;
    expect(usage.cpu).toBeGreaterThanOrEqual(0);
    expect(usage.memoryUsed).toBeLessThanOrEqual(usage.memoryTotal!);
  });

  it("ranks only what the user may view: one VM for its viewer, no host", async () => {
    const { user } = env();
    const mine = running("production")[1];
    const viewer = await user("stats-top-viewer", [{ kind: "vm", uuid: mine.record.uuid, role: "viewer" }]);
    const overview = await statsOverview(viewer);
    for (const metric of TOP_METRIC_IDS)
      expect(
        overview.top[metric].map((row) => row.uuid),
        metric,
      ).toEqual([mine.record.uuid]);
    expect(overview.hosts).toEqual([]);
    const nobody = await user("stats-nobody");
    const nothing = await statsOverview(nobody);
    expect(Object.values(nothing.top).flat()).toEqual([]);
  });

  it("keeps to one pool when asked, and to the pools a pool viewer may view", async () => {
    const { user, pools } = env();
    const labOnly = await statsOverview(env().admin, { poolId: pools.lab!.id });
    expect(new Set(labOnly.hosts.map((host) => host.poolLabel))).toEqual(new Set(["lab"]));
    const viewer = await user("stats-pool-viewer", [{ kind: "pool", uuid: pools.production!.uuid, role: "viewer" }]);
    const production = await statsOverview(viewer);
    expect(new Set(production.hosts.map((host) => host.poolLabel))).toEqual(new Set(["production"]));
    expect(production.top.cpu.every((row) => row.poolLabel === "production")).toBe(true);
  });
});
