import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { eventually } from "@/lib/dev/test/eventually";
import { post, TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 2, hostsPerPool: 3, vmsPerPool: 12, speed: 0.03 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());
afterEach(async () => {
  await sim.faults.reset();
});

const ordinary = (pool = 0) => sim.inspect.all<VmRecord>("VM", pool).filter((v) => !v.record.is_a_template && !v.record.is_control_domain);
const timed = async (fn: () => Promise<unknown>) => {
  const start = Date.now();
  await fn();
  return Date.now() - start;
};
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & { code?: unknown; cause?: { code?: string } }) =>
      typeof error.code === "string" ? error.code : (error.cause?.code ?? `${error.name}: ${error.message}`),
  );

describe("latency", () => {
  it("delays all calls, one method, or one host", async () => {
    sim.faults.latency({ ms: 200, method: "VM.get_all" });
    expect(await timed(() => xapi.s("VM.get_all"))).toBeGreaterThanOrEqual(190);
    sim.faults.latency({ ms: 150, host: sim.pools[1].master.address });
    const other = new TestClient(sim.pools[1].masterUrl);
    expect(await timed(() => other.call("session.login_with_password", sim.username, sim.password))).toBeGreaterThanOrEqual(140);
    sim.faults.latency({ ms: 120 });
    expect(await timed(() => xapi.s("pool.get_all"))).toBeGreaterThanOrEqual(110);
  });
});

describe("unreachable hosts", () => {
  it("refuse: connections are refused until the host is back", async () => {
    const master = sim.pools[0].master;
    await sim.faults.setHostState(master.address, "refuse");
    expect(await errorOf(xapi.s("pool.get_all"))).toBe("ECONNREFUSED");
    await sim.faults.setHostState(master.address, "up");
    expect(await xapi.s("pool.get_all")).toEqual([sim.pools[0].ref]);
  });

  it("hang: connections are accepted and never answered; back to normal afterwards", async () => {
    const host = sim.pools[0].master;
    await sim.faults.setHostState(host.uuid, "hang");
    const hung = fetch(`${host.url}/`, { method: "POST", body: "<methodCall/>", signal: AbortSignal.timeout(300) });
    expect(await errorOf(hung)).toMatch(/TimeoutError|aborted|timeout/i);
    await sim.faults.setHostState(host.uuid, "up");
    expect(await xapi.s("pool.get_all")).toEqual([sim.pools[0].ref]);
  });
});

describe("master failover", () => {
  it("makes another host master; the old one answers HOST_IS_SLAVE with the new address", async () => {
    const pool = sim.pools[1];
    const client = new TestClient(pool.masterUrl);
    await client.login(sim.username, sim.password);
    const token = ((await client.s("event.from", ["pool"], "", 0)) as { token: string }).token;
    const oldMaster = pool.master;
    const newMaster = pool.hosts[2];
    sim.inspect.clearCallLog();
    const watching = errorOf(client.s("event.from", ["vm"], token, 30));
    await eventually(() => sim.inspect.callLog().some((c) => c.method === "event.from"));
    await sim.faults.failover(1, newMaster.name);
    expect(await watching).toMatch(/ECONNRESET|socket hang up|other side closed/);
    expect(pool.master.ref).toBe(newMaster.ref);
    expect(pool.masterUrl).toBe(newMaster.url);
    const fault = await client.fault("VM.get_all", client.session);
    expect([fault.code, ...fault.params]).toEqual(["HOST_IS_SLAVE", newMaster.address]);
    expect((await new TestClient(oldMaster.url).fault("session.login_with_password", sim.username, sim.password)).params).toEqual([newMaster.address]);
    const moved = new TestClient(newMaster.url);
    moved.session = client.session;
    expect(await moved.s("pool.get_master", pool.ref)).toBe(newMaster.ref);
    const batch = (await moved.s("event.from", ["pool"], token, 0)) as { events: { snapshot: { master: string } }[] };
    expect(batch.events.map((e) => e.snapshot.master)).toEqual([newMaster.ref]);
    await sim.faults.failover(1, oldMaster.address);
    expect(pool.masterUrl).toBe(oldMaster.url);
  });
});

describe("injected failures", () => {
  it("fails the next N calls of a method with the given error", async () => {
    sim.faults.failNext({ method: "VM.get_all", error: ["HOST_OFFLINE", "OpaqueRef:h"], count: 2 });
    for (let i = 0; i < 2; i++) {
      const fault = await xapi.fault("VM_get_all", xapi.session);
      expect([fault.code, ...fault.params]).toEqual(["HOST_OFFLINE", "OpaqueRef:h"]);
    }
    expect(await xapi.s("VM.get_all")).toHaveLength(sim.inspect.all("VM", 0).length);
  });

  it("makes the task of an Async call fail, or the Async call itself", async () => {
    const vm = ordinary().find((v) => v.record.power_state === "Running")!.ref;
    sim.faults.failNext({ method: "VM.clean_shutdown", error: ["VM_SHUTDOWN_TIMEOUT", vm, "1200"] });
    const task = (await xapi.s("Async.VM.clean_shutdown", vm)) as string;
    expect(await xapi.waitTask(task)).toMatchObject({ status: "failure", error_info: ["VM_SHUTDOWN_TIMEOUT", vm, "1200"] });
    expect(sim.inspect.vm(vm)?.record.power_state).toBe("Running");
    sim.faults.failNext({ method: "Async.VM.clean_shutdown", error: ["TOO_MANY_PENDING_TASKS"] });
    expect((await xapi.fault("Async.VM.clean_shutdown", xapi.session, vm)).code).toBe("TOO_MANY_PENDING_TASKS");
  });

  it("scopes a failure to one object, by ref or uuid, leaving calls on other objects alone", async () => {
    const [first, second] = ordinary().filter((v) => v.record.power_state === "Running");
    sim.faults.failNext({ method: "VM.get_name_label", error: ["HOST_OFFLINE", "OpaqueRef:h"], object: first.record.uuid });
    sim.faults.failNext({ method: "VM.get_name_label", error: ["VM_IS_TEMPLATE", second.ref], object: second.ref });
    expect(await xapi.s("VM.get_name_label", ordinary().find((v) => v.ref !== first.ref && v.ref !== second.ref)!.ref)).toEqual(expect.any(String));
    expect((await xapi.fault("VM.get_name_label", xapi.session, second.ref)).code).toBe("VM_IS_TEMPLATE");
    expect((await xapi.fault("VM.get_name_label", xapi.session, first.ref)).code).toBe("HOST_OFFLINE");
    expect(await xapi.s("VM.get_name_label", first.ref)).toBe(first.record.name_label);
  });

  it("cuts the next response of a method in the middle", async () => {
    sim.faults.truncateNext({ method: "VM.get_all_records" });
    const reply = xapi.raw("VM.get_all_records", [xapi.session]);
    expect(await errorOf(reply)).toMatch(/aborted|ECONNRESET|socket hang up/);
    expect(Object.keys((await xapi.s("VM.get_all_records")) as object)).toHaveLength(sim.inspect.all("VM", 0).length);
  });

  it("expires every session", async () => {
    const client = new TestClient(sim.pools[0].masterUrl);
    await client.login(sim.username, sim.password);
    expect(sim.faults.expireSessions(0)).toBeGreaterThanOrEqual(1);
    expect((await client.fault("pool.get_all", client.session)).code).toBe("SESSION_INVALID");
    await xapi.login(sim.username, sim.password);
  });
});

describe("outside changes", () => {
  it("a VM halted from outside: record, metrics, host and events change as with a real pool", async () => {
    const vm = ordinary().find((v) => v.record.power_state === "Running" && Object.keys(v.record.current_operations).length === 0)!;
    const token = ((await xapi.s("event.from", ["*"], "", 0)) as { token: string }).token;
    sim.outside.vm(vm.record.uuid, { power_state: "Halted" });
    const after = sim.inspect.vm(vm.ref)!.record;
    expect(after).toMatchObject({ power_state: "Halted", resident_on: "OpaqueRef:NULL", domid: -1, consoles: [] });
    expect(after.allowed_operations).toContain("start");
    const batch = (await xapi.s("event.from", ["*"], token, 1)) as { events: { class: string; operation: string; ref: string }[] };
    const seen = batch.events.map((e) => `${e.class} ${e.operation}`);
    expect(seen).toEqual(expect.arrayContaining(["vm mod", "vm_metrics mod", "host mod", "console del", "vbd mod"]));
    const host = sim.pools[0].hosts.find((h) => h.ref === vm.record.resident_on)!;
    sim.outside.vm(vm.ref, { power_state: "Running", host: host.address, fields: { name_label: "restarted by hand" } });
    expect(sim.inspect.vm(vm.ref)!.record).toMatchObject({ power_state: "Running", resident_on: host.ref, name_label: "restarted by hand" });
    expect(() => sim.outside.vm(vm.ref, { fields: { memory_static_max: "a lot" } })).toThrow(/FIELD_TYPE_ERROR/);
    expect(() => sim.outside.vm(vm.ref, { fields: { resident_on: "OpaqueRef:NULL" } })).toThrow(/INVALID_VALUE/);
    expect(() => sim.outside.vm(vm.ref, { power_state: "Exploded" as never })).toThrow(/FIELD_TYPE_ERROR/);
    expect(() => sim.outside.vm("no such vm", { power_state: "Halted" })).toThrow(/no VM/);
  });

  it("an alert appears", async () => {
    const before = sim.inspect.all("message", 0).length;
    const ref = sim.outside.alert(0, { name: "HA_POOL_OVERCOMMITTED", priority: 1, body: "not enough capacity" });
    expect(sim.inspect.all("message", 0)).toHaveLength(before + 1);
    expect(await xapi.s("message.get_record", ref)).toMatchObject({ name: "HA_POOL_OVERCOMMITTED", priority: "1", cls: "Pool", obj_uuid: sim.pools[0].uuid });
  });
});

describe("background activity", () => {
  it("changes things by itself when enabled", async () => {
    const busy = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 10, activity: { intervalMs: 40 } });
    try {
      const client = new TestClient(busy.pools[0].masterUrl);
      await client.login(busy.username, busy.password);
      const token = ((await client.s("event.from", ["vm", "message", "vm_guest_metrics"], "", 0)) as { token: string }).token;
      const batch = (await client.s("event.from", ["vm", "message", "vm_guest_metrics"], token, 5)) as { events: unknown[]; token: string };
      expect(batch.events.length).toBeGreaterThan(0);
      // More activity on top of that one, and everything still holds together.
      const next = (await client.s("event.from", ["vm", "message", "vm_guest_metrics"], batch.token, 5)) as { events: unknown[] };
      expect(next.events.length).toBeGreaterThan(0);
      expect(busy.inspect.consistencyErrors()).toEqual([]);
    } finally {
      await busy.stop();
    }
  });
});

describe("control API", () => {
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.controlUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("describes the simulator", async () => {
    const { status, body } = await control("GET", "/");
    expect(status).toBe(200);
    expect((body.pools as { name: string; masterUrl: string }[]).map((p) => [p.name, p.masterUrl])).toEqual(sim.pools.map((p) => [p.name, p.masterUrl]));
    expect(JSON.stringify(body)).not.toContain(sim.password);
  });

  it("injects failures, changes VMs and inspects them over HTTP", async () => {
    expect((await control("POST", "/faults/fail", { method: "pool.get_all", error: ["HOST_OFFLINE", "x"] })).status).toBe(200);
    expect((await xapi.fault("pool.get_all", xapi.session)).code).toBe("HOST_OFFLINE");
    const vm = ordinary().find((v) => v.record.power_state === "Halted")!;
    const changed = await control("POST", "/outside/vm", { vm: vm.record.name_label, power_state: "Running" });
    expect(changed.status).toBe(200);
    const seen = await control("GET", `/inspect/vm/${encodeURIComponent(vm.record.name_label)}`);
    expect((seen.body.record as VmRecord).power_state).toBe("Running");
    expect((await control("POST", "/faults/latency", { ms: 100 })).status).toBe(200);
    expect((await control("POST", "/faults/reset")).status).toBe(200);
    expect(await timed(() => xapi.s("pool.get_all"))).toBeLessThan(1000);
    const calls = await control("GET", "/inspect/calls");
    expect((calls.body.result as { method: string }[]).some((c) => c.method === "pool.get_all")).toBe(true);
  });

  it("inspects any object by class and ref, uuid or name, in whichever pool holds it", async () => {
    const sr = sim.inspect.all<{ uuid: string; name_label: string }>("SR", sim.pools.at(-1)!.index)[0]!;
    const byUuid = await control("GET", `/inspect/object/SR/${sr.record.uuid}`);
    expect(byUuid.body).toMatchObject({ pool: sim.pools.at(-1)!.index, ref: sr.ref, record: { uuid: sr.record.uuid } });
    expect((await control("GET", `/inspect/object/SR/${encodeURIComponent(sr.ref)}`)).body.ref).toBe(sr.ref);
    expect((await control("GET", "/inspect/object/task/nope")).status).toBe(404);
  });

  it("refuses bad requests with a reason", async () => {
    expect((await control("POST", "/faults/fail", { method: "x" })).status).toBe(400);
    expect((await control("POST", "/faults/host", { host: "nowhere", state: "refuse" })).status).toBe(400);
    expect((await control("POST", "/outside/vm", { vm: "nope", power_state: "Halted" })).status).toBe(400);
    expect((await control("GET", "/inspect/vm/nope")).status).toBe(404);
    expect((await control("GET", "/nothing")).status).toBe(404);
    const raw = await post(sim.controlUrl, "/faults/latency", "{not json", "application/json");
    expect(raw.status).toBe(400);
  });
});
