/**
 * Statistics over real HTTP against the simulator: the pool's client fetching `/rrd_updates` from the members
 * (session in the query, re-login on 401, redirections only within the pool), every JSON shape and XML parsed to the
 * same values, the live table shared and kept incremental, host clocks that are off, hosts that do not answer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim";
import type { JsonFlavor } from "@/lib/dev/xapi-sim/rrd-export";
import { PoolConnection } from "../connection";
import { XapiHttpError } from "../errors";
import type { VmRecord } from "../model/records.generated";
import { PoolStatsSource } from "./pool-stats";
import { parseRrdUpdates, rrdUpdatesSink } from "./rrd-updates-parser";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let sim: Simulator;
let connection: PoolConnection;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 24, speed: 0.05 });
  connection = new PoolConnection(
    { id: "p", label: "lab", url: sim.pools[0].masterUrl, username: sim.username, password: sim.password, readOnly: true },
    { logger: quiet, client: { callTimeoutMs: 3_000, connectTimeoutMs: 500 } },
  );
  connection.start();
  await connection.waitForSync(10_000);
});
afterAll(async () => {
  await connection.stop();
  await sim.stop();
});
beforeEach(async () => {
  await sim.faults.reset();
  sim.clock.setOffset(0);
  sim.stats.setJsonFlavor("current");
});

const hosts = () => sim.pools[0].hosts;
const runningOn = (hostRef: string) =>
  sim.inspect.all<VmRecord>("VM", 0).filter((v) => v.record.power_state === "Running" && v.record.resident_on === hostRef && !v.record.is_control_domain);

describe("XapiClient.getResource", () => {
  it("reads a member's /rrd_updates with the pool's session, in every shape, to the same values", async () => {
    const member = hosts()[1];
    const results = [];
    const query = { start: String(Math.floor(sim.clock.now() / 1000) - 100), interval: "60", host: "true", vm_uuid: "none" };
    results.push(await connection.client.getResource("/rrd_updates", query, rrdUpdatesSink, { address: member.address }));
    for (const flavor of ["current", "data-in-meta", "legacy"] satisfies JsonFlavor[]) {
      sim.stats.setJsonFlavor(flavor);
      results.push(await connection.client.getResource("/rrd_updates", { ...query, json: "true" }, rrdUpdatesSink, { address: member.address }));
    }
    expect(results[0].legend[0]).toBe(`AVERAGE:host:${member.uuid}:cpu0`);
    expect(results[0].times.length).toBeGreaterThan(0);
    for (const other of results.slice(1)) {
      expect(other.legend).toEqual(results[0].legend);
      expect(Array.from(other.values)).toEqual(Array.from(results[0].values));
    }
  });

  it("logs in again once when the session is gone (401)", async () => {
    const logins = connection.client.loginCount;
    sim.faults.expireSessions(0);
    const answer = await connection.client.getResource("/rrd_updates", { start: "-20", host: "true", vm_uuid: "none" }, rrdUpdatesSink, {
      address: hosts()[2].address,
    });
    expect(answer.legend.length).toBeGreaterThan(0);
    expect(connection.client.loginCount).toBe(logins + 1);
  });

  it("follows /vm_rrd to the host that runs the VM, and reports other statuses as XapiHttpError", async () => {
    const [master, member] = hosts();
    const vm = runningOn(member.ref)[0];
    const text = { write: (chunk: Buffer) => void chunks.push(chunk), end: () => Buffer.concat(chunks).toString() };
    const chunks: Buffer[] = [];
    const dump = await connection.client.getResource("/vm_rrd", { uuid: vm.record.uuid }, () => text, { address: master.address });
    expect(dump).toContain("<name>vbd_xvda_read</name>");
    const missing = await connection.client.getResource("/vm_rrd", {}, rrdUpdatesSink, { address: master.address }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(XapiHttpError);
    expect((missing as XapiHttpError).status).toBe(400);
  });
});

describe("PoolStatsSource", () => {
  it("keeps one live table per host, shared by concurrent readers and refreshed incrementally", async () => {
    const source = new PoolStatsSource(connection, () => sim.clock.now());
    const host = hosts()[0];
    const [a, b] = await Promise.all([source.live(host.ref), source.live(host.ref)]);
    expect(a.table).toBe(b.table);
    expect(a.error).toBeNull();
    const vm = runningOn(host.ref)[0];
    expect(a.table.series("vm", vm.record.uuid, "cpu0")!.length).toBeGreaterThan(100);
    expect(a.table.series("host", host.uuid, "cpu_avg")!.every((v) => v >= 0 && v <= 1)).toBe(true);
    const lastBefore = a.table.lastTime;
    // Nothing new is due yet: no request.
    await source.live(host.ref);
    // Ten seconds later (the simulator's clock), two more rows, fetched from the last one on.
    sim.clock.advance(10_000);
    const after = await source.live(host.ref);
    expect(after.table.lastTime).toBeGreaterThanOrEqual(lastBefore + 10);
  });

  it("works in the host's clock when it is off, and shows a VM that starts on the host with its history", async () => {
    const host = hosts()[2];
    sim.clock.setOffset(-7_200_000, host.ref);
    const source = new PoolStatsSource(connection, () => sim.clock.now());
    const first = await source.live(host.ref);
    expect(first.error).toBeNull();
    expect(Math.abs(first.offsetMs + 7_200_000)).toBeLessThan(2_000);
    expect(first.table.lastTime).toBeGreaterThan((sim.clock.now() - 7_200_000) / 1000 - 15);
    const halted = sim.inspect.all<VmRecord>("VM", 0).find((v) => v.record.power_state === "Halted" && !v.record.is_a_template && !v.record.is_a_snapshot)!;
    sim.outside.vm(halted.ref, { power_state: "Running", host: host.ref });
    sim.clock.advance(30_000);
    const later = await source.live(host.ref);
    const series = later.table.series("vm", halted.record.uuid, "cpu0");
    expect(series).toBeDefined();
    expect(Number.isFinite(series!.at(-1))).toBe(true);
    sim.outside.vm(halted.ref, { power_state: "Halted" });
  });

  it("fetches one object's coarse archive and reuses it until a new row is due", async () => {
    const source = new PoolStatsSource(connection, () => sim.clock.now());
    const host = hosts()[1];
    const vm = runningOn(host.ref)[0];
    const week = await source.archive(host.ref, 3600, { kind: "vm", uuid: vm.record.uuid });
    expect(week.updates.step).toBe(3600);
    expect(week.updates.times.length).toBeGreaterThanOrEqual(167);
    expect(new Set(week.updates.legend.map((e) => e.split(":")[2]))).toEqual(new Set([vm.record.uuid]));
    const again = await source.archive(host.ref, 3600, { kind: "vm", uuid: vm.record.uuid });
    expect(again.updates).toBe(week.updates);
    const year = await source.archive(host.ref, 86400, { kind: "host" });
    expect(year.updates.step).toBe(86400);
    expect(year.updates.legend.every((e) => e.startsWith(`AVERAGE:host:${host.uuid}:`))).toBe(true);
  });

  it("reports a host that does not answer as an error, and recovers when it is back", async () => {
    const host = hosts()[2];
    const source = new PoolStatsSource(connection, () => sim.clock.now());
    await sim.faults.setHostState(host.ref, "refuse");
    const down = await source.live(host.ref);
    expect(down.error?.message).toMatch(/refused/);
    expect(down.table.rowCount).toBe(0);
    await sim.faults.setHostState(host.ref, "up");
    sim.clock.advance(6_000);
    const up = await source.live(host.ref);
    expect(up.error).toBeNull();
    expect(up.table.rowCount).toBeGreaterThan(100);
  });
});

describe("parser on a real host answer", () => {
  it("parses the simulator's XML and JSON of a whole host identically", async () => {
    const host = hosts()[0];
    const session = await connection.client.getResource("/rrd_updates", { start: "-5", host: "true" }, rrdUpdatesSink, { address: host.address });
    expect(session.legend.length).toBeGreaterThan(100);
    const url = new URL(host.url);
    url.pathname = "/rrd_updates";
    const login = await fetch(`${sim.pools[0].masterUrl}/jsonrpc`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "session.login_with_password", params: [sim.username, sim.password] }),
    });
    const ref = ((await login.json()) as { result: string }).result;
    const start = String(Math.floor(sim.clock.now() / 1000) - 300);
    const xml = await (await fetch(`${url}?session_id=${ref}&start=${start}&host=true&interval=60`)).text();
    const json = await (await fetch(`${url}?session_id=${ref}&start=${start}&host=true&interval=60&json=true`)).text();
    const a = parseRrdUpdates(xml);
    const b = parseRrdUpdates(json);
    expect(b.legend).toEqual(a.legend);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });
});
