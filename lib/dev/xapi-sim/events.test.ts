import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SimCore } from "./core";
import { formatToken } from "./events";
import { startSimulator, type Simulator } from "./index";
import { eventually } from "@/lib/dev/test/eventually";
import { TestClient } from "@/lib/dev/test/sim-client";

interface Ev {
  id: string;
  timestamp: string;
  class: string;
  operation: "add" | "mod" | "del";
  ref: string;
  snapshot?: Record<string, unknown>;
}
interface Batch {
  events: Ev[];
  valid_ref_counts: Record<string, number | string>;
  token: string;
}

let sim: Simulator;
let xapi: TestClient;
let json: TestClient;

const halted = () =>
  sim.inspect
    .all<{ is_a_template: boolean; is_control_domain: boolean; power_state: string; name_label: string }>("VM")
    .filter((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.power_state === "Halted");

/**
 * Resolves once the simulator received an `event.from` (since the call log was cleared) and then answered a
 * later call: the long poll is waiting by then.
 */
async function longPollWaiting(): Promise<void> {
  await eventually(() => sim.inspect.callLog().some((call) => call.method === "event.from"));
  await xapi.s("pool.get_all");
}

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 12, speed: 0.02 });
  xapi = await TestClient.signedIn(sim);
  json = new TestClient(sim.pools[0].masterUrl, "json");
  json.session = xapi.session;
});
afterAll(() => sim.stop());

const from = (classes: string[], token: string, timeout: number, client = xapi) => client.s("event.from", classes, token, timeout) as Promise<Batch>;
const currentToken = async () => (await from(["pool"], "", 0)).token;

describe("event.from", () => {
  it('delivers every object as "add" for the empty token, with full snapshots', async () => {
    const batch = await from(["*"], "", 0);
    const byClass = (cls: string) => batch.events.filter((e) => e.class === cls);
    expect(byClass("vm")).toHaveLength(sim.inspect.all("VM").length);
    expect(byClass("vm_metrics")).toHaveLength(sim.inspect.all("VM_metrics").length);
    expect(byClass("host")).toHaveLength(2);
    expect(batch.events.every((e) => e.operation === "add" && e.snapshot && e.timestamp === "0.0")).toBe(true);
    const vm = byClass("vm")[0];
    expect(vm.snapshot).toEqual(await xapi.s("VM.get_record", vm.ref));
    expect(batch.token).toMatch(/^\d{20},\d{20}$/);
  });

  it("counts every table in valid_ref_counts", async () => {
    const batch = await from(["vm"], "", 0);
    expect(Number(batch.valid_ref_counts.vm)).toBe(sim.inspect.all("VM").length);
    expect(Number(batch.valid_ref_counts.task)).toBe(sim.inspect.all("task").length);
    expect(Number(batch.valid_ref_counts.host)).toBe(2);
    const jsonBatch = await from(["vm"], "", 0, json);
    expect(jsonBatch.valid_ref_counts.vm).toBe(sim.inspect.all("VM").length);
    expect(typeof jsonBatch.events[0].id).toBe("string");
  });

  it("blocks until something changes, then returns the change with a greater token", async () => {
    const token = await currentToken();
    const [vm] = halted();
    sim.inspect.clearCallLog();
    let answered = false;
    const pending = from(["vm"], token, 10).finally(() => (answered = true));
    await longPollWaiting();
    expect(answered).toBe(false);
    await xapi.s("VM.set_name_description", vm.ref, "changed while watching");
    const batch = await pending;
    expect(batch.events).toEqual([expect.objectContaining({ class: "vm", operation: "mod", ref: vm.ref })]);
    expect(batch.events[0].snapshot?.name_description).toBe("changed while watching");
    expect(batch.token > token).toBe(true);
  });

  it("returns an empty batch and a new token when the timeout passes", async () => {
    const token = await currentToken();
    const batch = await from(["pif"], token, 0.3);
    expect(batch.events).toEqual([]);
    expect(batch.token >= token).toBe(true);
  });

  it("coalesces within a batch: add+mod = add, add+del = nothing, del has no snapshot", async () => {
    const [a, b] = halted();
    const victim = (await xapi.s("VM.clone", a.ref, "victim")) as string;
    const token = await currentToken();
    const clone = (await xapi.s("VM.clone", a.ref, "coalesced")) as string;
    await xapi.s("VM.set_name_label", clone, "coalesced and renamed");
    const ephemeral = (await xapi.s("VM.clone", b.ref, "ephemeral")) as string;
    await xapi.s("VM.destroy", ephemeral);
    await xapi.s("VM.destroy", victim);
    const batch = await from(["vm"], token, 0);
    const byRef = (ref: string) => batch.events.filter((e) => e.ref === ref);
    expect(byRef(clone)).toEqual([expect.objectContaining({ operation: "add", snapshot: expect.objectContaining({ name_label: "coalesced and renamed" }) })]);
    expect(byRef(ephemeral)).toEqual([]);
    expect(byRef(victim)).toHaveLength(1);
    expect(byRef(victim)[0].operation).toBe("del");
    expect(byRef(victim)[0]).not.toHaveProperty("snapshot");
    expect(new Set(batch.events.map((e) => e.ref)).size).toBe(batch.events.length);
  });

  it("filters by class (any case), by class/ref and ignores unknown classes", async () => {
    const [one, two] = halted();
    const token = await currentToken();
    await xapi.s("VM.set_name_description", one.ref, "one");
    await xapi.s("VM.set_name_description", two.ref, "two");
    await xapi.s("pool.set_name_description", sim.pools[0].ref, "pool changed");
    const byUpper = await from(["VM"], token, 0);
    expect(byUpper.events.map((e) => e.ref).sort()).toEqual([one.ref, two.ref].sort());
    const single = await from([`vm/${two.ref}`], token, 0);
    expect(single.events.map((e) => e.ref)).toEqual([two.ref]);
    const mixed = await from(["pool", "nonexistent_class"], token, 0);
    expect(mixed.events.map((e) => e.class)).toEqual(["pool"]);
    const all = await from(["*"], token, 0);
    expect(all.events.map((e) => e.class).sort()).toEqual(["pool", "vm", "vm"]);
  });

  it("refuses a bad token with EVENT_FROM_TOKEN_PARSE_FAILURE [token]", async () => {
    for (const token of ["garbage", "12,abc", "-1"]) {
      const fault = await xapi.fault("event.from", xapi.session, ["*"], token, 0);
      expect([fault.code, ...fault.params]).toEqual(["EVENT_FROM_TOKEN_PARSE_FAILURE", token]);
    }
  });

  it("event.inject returns a token after which the injected object shows up", async () => {
    const token = (await xapi.s("event.inject", "pool", sim.pools[0].ref)) as string;
    expect(token).toMatch(/^\d{20},\d{20}$/);
    const batch = await from(["pool"], token, 1);
    expect(batch.events).toEqual([expect.objectContaining({ class: "pool", operation: "mod", ref: sim.pools[0].ref })]);
    expect((await xapi.fault("event.inject", xapi.session, "pool", "OpaqueRef:nope")).code).toBe("HANDLE_INVALID");
  });

  it("a long poll that times out just as something changes returns the change (its token never skips one)", async () => {
    const [vm] = halted();
    const pool = (sim as unknown as { core: SimCore }).core.pools[0]!;
    const hub = pool.events;
    const since = formatToken(pool.store.gen);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      // Due at the same moment as the long poll's timeout, and first: the change's flush comes after the timeout.
      setTimeout(() => sim.outside.vm(vm.ref, { fields: { name_description: "at the deadline" } }), 1_000);
      const batch = hub.from("OpaqueRef:test", ["vm"], since, 1, new AbortController().signal);
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await batch).events.map((event) => [event.op, event.obj.ref])).toEqual([["mod", vm.ref]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a waiting event.from fails with SESSION_INVALID when its session expires", async () => {
    const watcher = new TestClient(sim.pools[0].masterUrl);
    await watcher.login(sim.username, sim.password);
    const token = await currentToken();
    sim.inspect.clearCallLog();
    const pending = watcher.fault("event.from", watcher.session, ["pif"], token, 10);
    await longPollWaiting();
    sim.faults.expireSessions();
    const fault = await pending;
    expect([fault.code, ...fault.params]).toEqual(["SESSION_INVALID", watcher.session]);
    await xapi.login(sim.username, sim.password);
    json.session = xapi.session;
  });

  it("reports everything a VM start changes: VM, metrics, guest metrics, host, devices, console, task", async () => {
    const vm = halted().find((v) => v.record.name_label !== "coalesced");
    const token = await currentToken();
    const task = (await xapi.s("Async.VM.start", vm!.ref, false, false)) as string;
    expect((await xapi.waitTask(task)).status).toBe("success");
    const batch = await from(["*"], token, 0);
    const classes = new Set(batch.events.map((e) => e.class));
    for (const cls of ["vm", "vm_metrics", "host", "console", "vbd", "vif", "task"]) expect(classes, cls).toContain(cls);
    expect(classes.has("vm_guest_metrics")).toBe(true);
    const vmEvent = batch.events.find((e) => e.ref === vm!.ref)!;
    expect(vmEvent.snapshot).toMatchObject({ power_state: "Running", current_operations: {} });
  });
});

describe("legacy event.next", () => {
  it("needs event.register first, then returns what changed", async () => {
    const client = new TestClient(sim.pools[0].masterUrl);
    await client.login(sim.username, sim.password);
    const fault = await client.fault("event.next", client.session);
    expect([fault.code, ...fault.params]).toEqual(["SESSION_NOT_REGISTERED", client.session]);
    await client.s("event.register", ["pool"]);
    await client.s("pool.set_name_description", sim.pools[0].ref, "next");
    const events = (await client.s("event.next")) as Ev[];
    expect(events).toEqual([expect.objectContaining({ class: "pool", operation: "mod", ref: sim.pools[0].ref })]);
    expect(typeof (await client.s("event.get_current_id"))).toBe("string");
  });
});
