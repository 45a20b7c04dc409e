/**
 * PoolConnection and the registry against the simulator over HTTP: a live cache that survives session expiry,
 * master failover, unreachable and hung hosts, truncated answers; read-only pools; the registry's lifecycle.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim";
import { PoolConnection, type PoolConnectionConfig, type PoolEvent } from "./connection";
import { CLIENT_CODES, XapiReadOnlyError } from "./errors";
import type { VmRecord } from "./model/records.generated";
import { getPoolRegistry, startRegistry, stopRegistry } from "./registry";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ pools: 2, hostsPerPool: 3, vmsPerPool: 8, speed: 0.05 });
});
afterAll(() => sim.stop());
beforeEach(() => sim.faults.reset());

const connections: PoolConnection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
});

function config(poolIndex: number, extra: Partial<PoolConnectionConfig> = {}): PoolConnectionConfig {
  return {
    id: `pool-${poolIndex}`,
    label: `pool ${poolIndex}`,
    url: sim.pools[poolIndex].masterUrl,
    username: sim.username,
    password: sim.password,
    readOnly: false,
    ...extra,
  };
}

/** A started connection with short timeouts, so that faults show quickly. */
async function connect(poolIndex: number, extra: Partial<PoolConnectionConfig> = {}): Promise<{ connection: PoolConnection; events: PoolEvent[] }> {
  const connection = new PoolConnection(config(poolIndex, extra), {
    logger: quiet,
    eventTimeoutS: 2,
    backoff: { baseMs: 50, maxMs: 300 },
    client: { callTimeoutMs: 1_500, connectTimeoutMs: 500 },
  });
  connections.push(connection);
  const events: PoolEvent[] = [];
  connection.subscribe((event) => events.push(event));
  connection.start();
  await connection.waitForSync(10_000);
  return { connection, events };
}

function ordinaryVm(poolIndex: number, n = 0) {
  return sim.inspect.all<VmRecord>("VM", poolIndex).filter((v) => !v.record.is_a_template && !v.record.is_a_snapshot && !v.record.is_control_domain)[n];
}

/** Renames a VM from outside and waits until the connection's cache shows it. */
async function expectLive(connection: PoolConnection, poolIndex: number, name: string) {
  const vm = ordinaryVm(poolIndex);
  sim.outside.vm(vm.ref, { fields: { name_label: name } });
  await expect.poll(() => connection.cache.get("VM", vm.ref)?.name_label, { timeout: 10_000 }).toBe(name);
}

const states = (events: PoolEvent[]) => events.flatMap((e) => (e.type === "status" ? [e.status.state] : []));

describe("PoolConnection", () => {
  it("asks for the biggest classes first, four at a time", async () => {
    sim.inspect.clearCallLog();
    const { connection } = await connect(1);
    const calls = sim.inspect.callLog().map((c) => c.method);
    const fetches = calls.slice(calls.indexOf("event.inject")).filter((m) => m.endsWith(".get_all_records"));
    expect(fetches).toHaveLength(16);
    // The four biggest go out together first (the simulator may receive one after a following call has
    // started on another socket); the small classes come last.
    for (const big of ["VM", "VDI", "VBD", "VIF"]) expect(fetches.slice(0, 6)).toContain(`${big}.get_all_records`);
    for (const small of ["pool", "host", "SR", "network"]) expect(fetches.slice(-10)).toContain(`${small}.get_all_records`);
    expect(connection.cache.count("VBD")).toBe(sim.inspect.all("VBD", 1).length);
  });

  it("fills the cache, keeps it live and tells subscribers", async () => {
    const { connection, events } = await connect(0);
    const simVms = sim.inspect.all("VM", 0);
    expect(connection.cache.count("VM")).toBe(simVms.length);
    expect(connection.cache.count("host")).toBe(3);
    expect(connection.poolUuid).toBe(sim.pools[0].uuid);
    expect(connection.config).not.toHaveProperty("password"); // pages may show the config, never the secret
    expect(connection.status).toMatchObject({ state: "connected" });
    expect(connection.status.lastSyncAt).toBeInstanceOf(Date);
    const vm = ordinaryVm(0);
    const cached = connection.cache.getByUuid("VM", vm.record.uuid)!;
    expect(cached.$ref).toBe(vm.ref);
    expect(
      connection.cache
        .vbdsByVm(vm.ref)
        .map((b) => b.$ref)
        .sort(),
    ).toEqual([...vm.record.VBDs].sort());
    expect(connection.cache.vifsByVm(vm.ref).length).toBe(vm.record.VIFs.length);

    const version = connection.cache.version;
    await expectLive(connection, 0, "renamed from outside");
    expect(connection.cache.version).toBeGreaterThan(version);
    const change = events.find((e) => e.type === "changes" && e.changes.some((c) => c.ref === vm.ref && c.operation === "mod"));
    expect(change).toBeDefined();
    expect(states(events)).toEqual(["connected"]);
  });

  it("shows the effect of an async call in the cache as soon as the call resolves", async () => {
    const { connection } = await connect(0);
    const vm = sim.outside.vm(ordinaryVm(0, 1).ref, { power_state: "Halted" });
    await connection.catchUp();
    expect(connection.cache.get("VM", vm.ref)?.power_state).toBe("Halted");
    await connection.callAsync("VM.start", [vm.ref, false, false]);
    expect(connection.cache.get("VM", vm.ref)?.power_state).toBe("Running");
    expect(connection.cache.vmsByHost(connection.cache.get("VM", vm.ref)!.resident_on).map((v) => v.$ref)).toContain(vm.ref);
  });

  it("follows an async call's task through its own event loop: no second event loop, no polling", async () => {
    const { connection } = await connect(0);
    const vm = sim.outside.vm(ordinaryVm(0, 3).ref, { power_state: "Halted" });
    await connection.catchUp();
    const request = vi.spyOn(connection.client, "request");
    const progress: number[] = [];
    const tasks: string[] = [];
    await connection.callAsync("VM.start", [vm.ref, false, false], { onTask: (ref) => tasks.push(ref), onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)).toBe(1);
    await expect.poll(() => connection.cache.get("task", tasks[0]), { timeout: 10_000 }).toBeUndefined(); // destroyed once finished
    const eventClasses = request.mock.calls.filter(([method]) => method === "event.from").map(([, params]) => params[0]);
    expect(eventClasses.length).toBeGreaterThan(0);
    for (const classes of eventClasses) expect(classes).toContain("vm"); // the connection's loop, no task-only one
    expect(request.mock.calls.map(([method]) => method)).not.toContain("task.get_record");
    request.mockRestore();
  });

  it("logs in once and resyncs when the session expires during the event loop", async () => {
    const { connection, events } = await connect(0);
    const logins = connection.client.loginCount;
    sim.faults.expireSessions(0);
    await expect.poll(() => events.filter((e) => e.type === "resync").length, { timeout: 10_000 }).toBe(2);
    expect(connection.client.loginCount).toBe(logins + 1);
    await expectLive(connection, 0, "after re-login");
    expect(connection.status.state).toBe("connected");
  });

  it("follows a master failover during the event loop", async () => {
    const { connection, events } = await connect(1);
    const oldMaster = sim.pools[1].master;
    const newMaster = sim.pools[1].hosts.find((h) => h.ref !== oldMaster.ref)!;
    await sim.faults.failover(1, newMaster.ref);
    await expect.poll(() => connection.client.masterUrl.origin, { timeout: 10_000 }).toBe(newMaster.url);
    await expectLive(connection, 1, "after failover");
    expect(connection.status.state).toBe("connected");
    expect(connection.cache.count("VM")).toBe(sim.inspect.all("VM", 1).length); // never emptied
    expect(events.some((e) => e.type === "resync" && e.version > 1)).toBe(true);
  });

  it.each(["refuse", "hang"] as const)("keeps the cache while the master is unreachable (%s) and comes back", async (mode) => {
    const { connection } = await connect(0);
    const count = connection.cache.count("VM");
    const master = sim.pools[0].master;
    await sim.faults.setHostState(master.ref, mode);
    await expect.poll(() => connection.status.state, { timeout: 15_000 }).toBe("reconnecting");
    expect(connection.status.error?.code).toMatch(mode === "refuse" ? /TRANSPORT/ : /TIMEOUT|TRANSPORT/);
    expect(connection.cache.count("VM")).toBe(count); // stale, not empty
    await sim.faults.setHostState(master.ref, "up");
    await expect.poll(() => connection.status.state, { timeout: 15_000 }).toBe("connected");
    await expectLive(connection, 0, `back after ${mode}`);
  });

  it("shows a truncated answer as an error status, then recovers", async () => {
    const { connection, events } = await connect(0);
    sim.faults.truncateNext({ method: "event.from" });
    sim.outside.vm(ordinaryVm(0).ref, { fields: { name_label: "wakes the event loop" } });
    await expect.poll(() => states(events), { timeout: 10_000 }).toContain("error");
    const error = events.flatMap((e) => (e.type === "status" && e.status.error ? [e.status.error] : []))[0];
    expect(error.code).toBe(CLIENT_CODES.protocol);
    expect(error.message).toMatch(/truncated|Malformed/);
    await expect.poll(() => connection.status.state, { timeout: 10_000 }).toBe("connected");
    await expectLive(connection, 0, "after truncation");
  });

  it("syncs a read-only pool and refuses its side effects before sending", async () => {
    const { connection } = await connect(0, { readOnly: true });
    sim.inspect.clearCallLog();
    const vm = ordinaryVm(0, 2);
    await expect(connection.callAsync("VM.hard_shutdown", [vm.ref])).rejects.toBeInstanceOf(XapiReadOnlyError);
    await expect(connection.client.call("VM.set_name_label", vm.ref, "nope")).rejects.toBeInstanceOf(XapiReadOnlyError);
    expect(sim.inspect.callLog().filter((c) => !/^(event\.(from|inject)|pool\.get_all)$/.test(c.method))).toEqual([]);
    await expectLive(connection, 0, "read-only still live");
  });

  it("stops cleanly: logs out, keeps the cache, says disconnected", async () => {
    const { connection } = await connect(1);
    const sessions = sim.inspect.sessionCount(1);
    await connection.stop();
    expect(sim.inspect.sessionCount(1)).toBe(sessions - 1);
    expect(connection.status.state).toBe("disconnected");
    expect(connection.cache.count("VM")).toBeGreaterThan(0);
  });
});

describe("pool registry", () => {
  it("connects, reconciles and stops the pools of its source", async () => {
    const sessionsBefore = sim.inspect.sessionCount(0);
    let configs = [config(0), config(1)];
    const registry = await startRegistry(async () => configs, { refreshIntervalMs: 0, connection: { logger: quiet, eventTimeoutS: 2 } });
    try {
      expect(getPoolRegistry()).toBe(registry);
      expect(await startRegistry(async () => configs, { refreshIntervalMs: 0 })).toBe(registry); // twice: same registry
      await Promise.all(registry.all().map((c) => c.waitForSync(10_000)));
      expect(
        registry
          .all()
          .map((c) => c.poolUuid)
          .sort(),
      ).toEqual([sim.pools[0].uuid, sim.pools[1].uuid].sort());
      const first = registry.get("pool-0")!;

      // relabel: same connection; new password: a new connection; removed: stopped
      configs = [
        { ...config(0), label: "renamed" },
        { ...config(1), password: "wrong" },
      ];
      await registry.refresh();
      expect(registry.get("pool-0")).toBe(first);
      expect(first.config.label).toBe("renamed");
      const second = registry.get("pool-1")!;
      await expect.poll(() => second.status.error?.code, { timeout: 10_000 }).toBe("SESSION_AUTHENTICATION_FAILED");
      expect(second.status.state).toBe("error");
      expect(second.status.error?.message).toBe("The pool refused the username or password");

      configs = [config(0)];
      await registry.refresh();
      expect(registry.get("pool-1")).toBeUndefined();
      expect(second.status.state).toBe("disconnected");
    } finally {
      await stopRegistry();
      await stopRegistry(); // twice is fine
    }
    expect(registry.all()).toEqual([]);
    expect(sim.inspect.sessionCount(0)).toBe(sessionsBefore); // logged out
  });
});
