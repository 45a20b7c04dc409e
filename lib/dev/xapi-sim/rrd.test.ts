/**
 * Statistics of the simulator over real HTTP, against what xcp-rrdd serves: legend names, archive sizes and
 * resolutions, consolidation between archives, the three JSON shapes and XML, sessions, redirections, series that
 * follow the power state, and host clocks that are off.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";
import { parseXapiDate } from "./protocol/xapi-types";

let sim: Simulator;
let xapi: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 16, speed: 0.03 });
  xapi = new TestClient(sim.pools[0].masterUrl);
  await xapi.login(sim.username, sim.password);
});
afterAll(() => sim.stop());

interface Updates {
  start: number;
  step: number;
  end: number;
  legend: string[];
  rows: { t: number; values: number[] }[];
}

const hosts = () => sim.pools[0].hosts;
const vms = () => sim.inspect.all<VmRecord>("VM", 0).filter((v) => !v.record.is_a_template && !v.record.is_a_snapshot && !v.record.is_control_domain);
const runningOn = (hostRef: string) => vms().filter((v) => v.record.power_state === "Running" && v.record.resident_on === hostRef);
const hostNow = (host = hosts()[0]) => Math.floor((sim.clock.now() + sim.clock.offsetOf(host.ref)) / 1000);

async function get(url: string, path: string, query: Record<string, string | number>, headers: Record<string, string> = {}): Promise<Response> {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return fetch(`${url}${path}?${search}`, { headers, redirect: "manual" });
}

/** Today's JSON (every number a string) as numbers. */
function fromCurrentJson(text: string): Updates {
  const doc = JSON.parse(text) as { meta: Record<string, string> & { legend: string[] }; data: { t: string; values: string[] }[] };
  return {
    start: Number(doc.meta.start),
    step: Number(doc.meta.step),
    end: Number(doc.meta.end),
    legend: doc.meta.legend,
    rows: doc.data.map((row) => ({ t: Number(row.t), values: row.values.map(Number) })),
  };
}

async function updates(query: Record<string, string | number>, host = hosts()[0]): Promise<Updates> {
  const response = await get(host.url, "/rrd_updates", { session_id: xapi.session, json: "true", cf: "AVERAGE", ...query });
  expect(response.status).toBe(200);
  return fromCurrentJson(await response.text());
}

/** The window of an archive in the way clients ask for it (one step short of its length, see bestArchive). */
const windowOf = (step: number, rows: number, host = hosts()[0]) => ({ start: hostNow(host) - step * rows + step, interval: step });

const column = (u: Updates, suffix: string) => u.legend.findIndex((entry) => entry.endsWith(suffix));
const near = (a: number, b: number) => Math.abs(a - b) <= 2e-4 * Math.max(Math.abs(a), Math.abs(b), 1e-6);

describe("/rrd_updates", () => {
  it("holds the host's own data sources and those of the VMs running on it, named as xcp-rrdd names them", async () => {
    const host = hosts()[0];
    const record = sim.inspect.get<HostRecord>("host", host.ref)!.record;
    const u = await updates({ ...windowOf(5, 120), host: "true" });
    expect(u.step).toBe(5);
    // `start` is one step short of ten minutes ago, so 119 rows, or 120 when the clock is on a 5-second boundary.
    expect([119, 120]).toContain(u.rows.length);
    expect(u.rows[0].t).toBe(u.end);
    expect(u.rows[1].t).toBe(u.end - 5);
    const cores = Number(record.cpu_info.cpu_count);
    expect(u.legend.slice(0, cores + 4)).toEqual([
      ...Array.from({ length: cores }, (_, n) => `AVERAGE:host:${host.uuid}:cpu${n}`),
      `AVERAGE:host:${host.uuid}:cpu_avg`,
      `AVERAGE:host:${host.uuid}:loadavg`,
      `AVERAGE:host:${host.uuid}:memory_total_kib`,
      `AVERAGE:host:${host.uuid}:memory_free_kib`,
    ]);
    expect(u.legend).toContain(`AVERAGE:host:${host.uuid}:pif_eth0_rx`);
    expect(u.legend).toContain(`AVERAGE:host:${host.uuid}:pif_eth1_tx`);
    const vmUuids = new Set(u.legend.filter((e) => e.startsWith("AVERAGE:vm:")).map((e) => e.split(":")[2]));
    const expected = new Set(
      [...runningOn(host.ref), ...vms().filter((v) => v.record.power_state === "Paused" && v.record.resident_on === host.ref)].map((v) => v.record.uuid),
    );
    // Its control domain has an RRD too.
    const dom0 = sim.inspect.all<VmRecord>("VM", 0).find((v) => v.record.is_control_domain && v.record.resident_on === host.ref)!;
    expect(vmUuids).toEqual(new Set([...expected, dom0.record.uuid]));
    const vm = runningOn(host.ref)[0];
    const names = u.legend.filter((e) => e.startsWith(`AVERAGE:vm:${vm.record.uuid}:`)).map((e) => e.split(":")[3]);
    expect(names).toEqual(
      expect.arrayContaining(["cpu0", "memory", "memory_target", "memory_internal_free", "vif_0_rx", "vif_0_tx", "vbd_xvda_read", "vbd_xvda_write"]),
    );
    expect(names.filter((n) => /^cpu\d+$/.test(n))).toHaveLength(vm.record.VCPUs_at_startup);
  });

  it("gives values in range: CPUs within 0..1, memory within the host's, traffic positive", async () => {
    for (const [step, rows] of [
      [5, 120],
      [60, 120],
      [3600, 168],
      [86400, 366],
    ]) {
      const u = await updates({ ...windowOf(step, rows), host: "true" });
      expect(u.rows.length).toBeGreaterThan(rows - 2);
      const total = u.rows[0].values[column(u, ":memory_total_kib")];
      for (const [i, entry] of u.legend.entries()) {
        const values = u.rows.map((r) => r.values[i]).filter((v) => !Number.isNaN(v));
        if (/:cpu(\d+|_avg)$/.test(entry))
          expect(
            values.every((v) => v >= 0 && v <= 1),
            entry,
          ).toBe(true);
        else
          expect(
            values.every((v) => v >= 0),
            entry,
          ).toBe(true);
        if (entry.endsWith(":memory_free_kib")) expect(values.every((v) => v <= total)).toBe(true);
      }
    }
  });

  it("consolidates each archive from the finer one: a row is the mean of the rows it covers", async () => {
    const pairs: [number, number, number, number][] = [
      [5, 120, 60, 120],
      [60, 120, 3600, 168],
      [3600, 168, 86400, 366],
    ];
    for (const [fine, fineRows, coarse, coarseRows] of pairs) {
      const f = await updates({ ...windowOf(fine, fineRows), host: "true" });
      const c = await updates({ ...windowOf(coarse, coarseRows), host: "true" });
      expect(c.legend).toEqual(f.legend);
      let checked = 0;
      for (const row of c.rows) {
        const covered = f.rows.filter((r) => r.t > row.t - coarse && r.t <= row.t);
        if (covered.length !== coarse / fine) continue;
        for (let i = 0; i < c.legend.length; i++) {
          const mean = covered.reduce((s, r) => s + r.values[i], 0) / covered.length;
          expect(near(row.values[i], mean), `${c.legend[i]} at ${row.t}: ${row.values[i]} vs ${mean}`).toBe(true);
        }
        checked++;
      }
      expect(checked, `${coarse} s rows checked against ${fine} s rows`).toBeGreaterThan(0);
    }
  });

  it("picks the archive like find_best_rras: the finest holding `start`, at least `interval`", async () => {
    const now = hostNow();
    expect((await updates({ start: now - 300, interval: 5, vm_uuid: "none", host: "true" })).step).toBe(5);
    // Ten whole minutes reach one step beyond the 5-second archive: the 1-minute one answers.
    expect((await updates({ start: Math.floor(now / 5) * 5 - 600, interval: 5, vm_uuid: "none", host: "true" })).step).toBe(60);
    expect((await updates({ start: now - 300, interval: 60, vm_uuid: "none", host: "true" })).step).toBe(60);
    expect((await updates({ start: now - 3 * 86400, interval: 0, vm_uuid: "none", host: "true" })).step).toBe(3600);
    expect((await updates({ start: now - 100 * 86400, interval: 0, vm_uuid: "none", host: "true" })).step).toBe(86400);
    // Negative: relative to the last update.
    const relative = await updates({ start: -60, interval: 5, vm_uuid: "none", host: "true" });
    expect(relative.rows.length).toBeGreaterThanOrEqual(11);
    expect(relative.rows.length).toBeLessThanOrEqual(13);
  });

  it("filters one VM (vm_uuid) or none, and leaves the host out unless host=true", async () => {
    const host = hosts()[0];
    const vm = runningOn(host.ref)[0];
    const one = await updates({ ...windowOf(5, 120), vm_uuid: vm.record.uuid });
    expect(new Set(one.legend.map((e) => e.split(":").slice(1, 3).join(":")))).toEqual(new Set([`vm:${vm.record.uuid}`]));
    const none = await updates({ ...windowOf(5, 120), vm_uuid: "none", host: "true" });
    expect(none.legend.every((e) => e.startsWith(`AVERAGE:host:${host.uuid}:`))).toBe(true);
  });

  it("writes XML (rrdtool xport) by default, and today's, early-2024 and legacy JSON", async () => {
    const host = hosts()[0];
    const query = { session_id: xapi.session, start: -30, interval: 5, host: "true", vm_uuid: "none" };
    const xml = await get(host.url, "/rrd_updates", query);
    expect(xml.headers.get("content-type")).toBe("text/xml");
    const body = await xml.text();
    expect(body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<xport><meta><start>\d+<\/start><step>5<\/step><end>\d+<\/end><rows>\d+<\/rows><columns>\d+<\/columns><legend><entry>AVERAGE:host:/,
    );
    expect(body).toMatch(/<row><t>\d+<\/t><v>[-0-9.e+]+<\/v>/);
    try {
      sim.stats.setJsonFlavor("data-in-meta");
      const inMeta = JSON.parse(await (await get(host.url, "/rrd_updates", { ...query, json: "true" })).text()) as {
        meta: { data: unknown[] };
        data?: unknown;
      };
      expect(inMeta.data).toBeUndefined();
      expect(inMeta.meta.data.length).toBeGreaterThan(0);
      sim.stats.setJsonFlavor("legacy");
      const legacy = await (await get(host.url, "/rrd_updates", { ...query, json: "true" })).text();
      expect(legacy).toMatch(/^\{meta: \{start:\d+,step:5,end:\d+,rows:\d+,columns:\d+,legend:\["AVERAGE:host:[^"]+"/);
      expect(legacy).toMatch(/\]\},data:\[\{t:\d+,values:\[[-0-9.e+]+(,[-0-9.e+NaInfity]+)*\]\}/);
      // The old hand-written JSON failed when there was no row.
      const empty = await get(host.url, "/rrd_updates", { ...query, json: "true", start: hostNow() + 600 });
      expect(empty.status).toBe(500);
    } finally {
      sim.stats.setJsonFlavor("current");
    }
  });

  it("answers 401 without a valid session, accepts the cookie and Basic credentials, 400 without start", async () => {
    const host = hosts()[1];
    expect((await get(host.url, "/rrd_updates", { start: -10 })).status).toBe(401);
    expect((await get(host.url, "/rrd_updates", { start: -10, session_id: "OpaqueRef:00000000-0000-0000-0000-000000000000" })).status).toBe(401);
    expect((await get(host.url, "/rrd_updates", { start: -10, host: "true" }, { Cookie: `session_id=${xapi.session}` })).status).toBe(200);
    const basic = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString("base64")}`;
    expect((await get(host.url, "/rrd_updates", { start: -10, host: "true" }, { Authorization: basic })).status).toBe(200);
    expect((await get(host.url, "/rrd_updates", { session_id: xapi.session })).status).toBe(400);
    expect((await get(host.url, "/rrd_updates", { session_id: xapi.session, start: -10, host: "true", cf: "MAX" })).status).toBe(500);
  });
});

describe("series follow the power state", () => {
  it("a halted VM has no RRD on any host; once started it begins a series; stopped, it leaves", async () => {
    const vm = vms().find((v) => v.record.power_state === "Halted")!;
    for (const host of hosts()) expect((await updates({ start: -60, interval: 5 }, host)).legend.some((e) => e.includes(vm.record.uuid))).toBe(false);
    const started = sim.outside.vm(vm.ref, { power_state: "Running", host: hosts()[1].ref });
    expect(started.record.resident_on).toBe(hosts()[1].ref);
    sim.clock.advance(60_000);
    const u = await updates({ ...windowOf(5, 120, hosts()[1]), vm_uuid: vm.record.uuid }, hosts()[1]);
    const cpu = column(u, ":cpu0");
    // The newest minute is known, what came just before the start is not.
    expect(u.rows.slice(0, 10).every((r) => Number.isFinite(r.values[cpu]))).toBe(true);
    expect(u.rows.slice(14, 100).every((r) => Number.isNaN(r.values[cpu]))).toBe(true);
    sim.outside.vm(vm.ref, { power_state: "Halted" });
    expect((await updates({ start: -60, interval: 5 }, hosts()[1])).legend.some((e) => e.includes(vm.record.uuid))).toBe(false);
  });

  it("a paused VM uses no CPU; a burst of load shows in its CPU series", async () => {
    const host = hosts()[0];
    // The idlest VM of the host, so that the burst stands out of its usual ups and downs.
    const usual = await updates({ ...windowOf(60, 120), host: "false" });
    const meanCpu = (uuid: string) => {
      const i = usual.legend.indexOf(`AVERAGE:vm:${uuid}:cpu0`);
      const values = usual.rows.map((r) => r.values[i]).filter(Number.isFinite);
      return { mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) };
    };
    const vm = runningOn(host.ref).sort((a, b) => meanCpu(a.record.uuid).mean - meanCpu(b.record.uuid).mean)[0];
    sim.outside.vm(vm.ref, { power_state: "Paused" });
    sim.clock.advance(30_000);
    const paused = await updates({ start: hostNow() - 20, interval: 5, vm_uuid: vm.record.uuid });
    expect(paused.rows.length).toBeGreaterThan(1);
    expect(paused.rows.every((r) => r.values[column(paused, ":cpu0")] === 0)).toBe(true);
    expect(paused.rows.every((r) => r.values[column(paused, ":memory")] > 0)).toBe(true);
    sim.outside.vm(vm.ref, { power_state: "Running" });
    expect(sim.stats.burst(vm.ref, { seconds: 120, cpu: 0.5 })).toBe(true);
    sim.clock.advance(120_000);
    const after = await updates({ start: hostNow() - 100, interval: 5, vm_uuid: vm.record.uuid });
    const cpuAfter = after.rows.map((r) => r.values[column(after, ":cpu0")]);
    expect(Math.min(...cpuAfter)).toBeGreaterThan(meanCpu(vm.record.uuid).max);
  });
});

describe("/host_rrd and /vm_rrd", () => {
  interface Dump {
    ds: string[];
    rras: { cf: string; pdps: number; xff: string; rows: number }[];
  }
  const dumpOf = (xml: string): Dump => ({
    ds: [...xml.matchAll(/<ds><name>([^<]+)<\/name>/g)].map((m) => m[1]),
    rras: [
      ...xml.matchAll(/<rra><cf>(\w+)<\/cf><pdp_per_row>(\d+)<\/pdp_per_row><params><xff>([^<]+)<\/xff><\/params>.*?<database>(.*?)<\/database><\/rra>/g),
    ].map((m) => ({
      cf: m[1],
      pdps: Number(m[2]),
      xff: m[3],
      rows: (m[4].match(/<row>/g) ?? []).length,
    })),
  });

  it("dumps the four archives of a host: 120 × 5 s, 120 × 1 min, 168 × 1 h, 366 × 1 day, AVERAGE, xff 0.5", async () => {
    const response = await get(hosts()[1].url, "/host_rrd", { session_id: xapi.session });
    expect(response.status).toBe(200);
    const dump = dumpOf(await response.text());
    expect(dump.ds).toContain("cpu_avg");
    expect(dump.rras).toEqual([
      { cf: "AVERAGE", pdps: 1, xff: "0.5", rows: 120 },
      { cf: "AVERAGE", pdps: 12, xff: "0.5", rows: 120 },
      { cf: "AVERAGE", pdps: 720, xff: "0.5", rows: 168 },
      { cf: "AVERAGE", pdps: 17280, xff: "0.5", rows: 366 },
    ]);
    const json = JSON.parse(await (await get(hosts()[1].url, "/host_rrd", { session_id: xapi.session, json: "true" })).text()) as {
      rra: { database: string[][] }[];
    };
    expect(json.rra.map((rra) => rra.database.length)).toEqual([120, 120, 168, 366]);
  });

  it("serves a VM's RRD where it runs, redirects from another host, and keeps a halted VM's on the master", async () => {
    const [master, member] = hosts();
    const vm = runningOn(member.ref)[0];
    const here = await get(member.url, "/vm_rrd", { session_id: xapi.session, uuid: vm.record.uuid });
    expect(here.status).toBe(200);
    expect(dumpOf(await here.text()).ds).toContain("vbd_xvda_read");
    const elsewhere = await get(master.url, "/vm_rrd", { session_id: xapi.session, uuid: vm.record.uuid });
    expect(elsewhere.status).toBe(302);
    expect(elsewhere.headers.get("location")).toBe(`${member.url}/vm_rrd?session_id=${encodeURIComponent(xapi.session)}&uuid=${vm.record.uuid}`);

    const halted = vms().find((v) => v.record.power_state === "Halted" && sim.inspect.vm(v.ref)!.record.power_state === "Halted")!;
    const fromMember = await get(member.url, "/vm_rrd", { session_id: xapi.session, uuid: halted.record.uuid });
    expect(fromMember.status).toBe(302);
    expect(fromMember.headers.get("location")).toContain(master.address);
    expect([200, 404]).toContain((await get(master.url, "/vm_rrd", { session_id: xapi.session, uuid: halted.record.uuid })).status);
    expect((await get(master.url, "/vm_rrd", { session_id: xapi.session })).status).toBe(400);
  });
});

describe("host clocks", () => {
  it("an offset moves the host's servertime and its statistics' time, not the others'", async () => {
    const [first, second] = hosts();
    sim.clock.setOffset(3_600_000, second.address);
    try {
      const servertime = parseXapiDate(String(await xapi.s("host.get_servertime", second.ref)))!.getTime();
      expect(Math.abs(servertime - (sim.clock.now() + 3_600_000))).toBeLessThan(5_000);
      const other = parseXapiDate(String(await xapi.s("host.get_servertime", first.ref)))!.getTime();
      expect(Math.abs(other - sim.clock.now())).toBeLessThan(5_000);
      const ahead = await updates({ start: -30, interval: 5, host: "true", vm_uuid: "none" }, second);
      expect(Math.abs(ahead.end - (sim.clock.now() / 1000 + 3600))).toBeLessThan(10);
    } finally {
      sim.clock.setOffset(0);
    }
  });
});
