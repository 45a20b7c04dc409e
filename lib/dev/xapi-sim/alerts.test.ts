import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, MessageRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let x: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 12, speed: 0.02 });
  x = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const messages = () => sim.inspect.all<MessageRecord>("message");
const exists = (ref: string) => sim.inspect.get<MessageRecord>("message", ref) !== undefined;
const create = (priority: number, body = "") => x.s("message.create", "TEST_ALERT", priority, "Pool", sim.pools[0].uuid, body) as Promise<string>;
const control = (path: string, body: unknown) =>
  fetch(`${sim.controlUrl}${path}`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

/** Reads an alarm body the way Xen Orchestra does: `value: <float>`, `config:`, then the `<variable>` element. */
function parseAlarm(body: string): { value: number; name: string; level: number; sense: string } {
  const m = /^value: (\d+\.\d{6})\nconfig:\n(<variable>\n(?:\t<\w+ value="[^"]*"\/>\n)+<\/variable>\n)$/.exec(body);
  if (!m) throw new Error(`not a perfmon alarm body: ${JSON.stringify(body)}`);
  const attr = (tag: string) => new RegExp(`<${tag} value="([^"]*)"/>`).exec(m[2])?.[1];
  return { value: Number(m[1]), name: attr("name")!, level: Number(attr("alarm_trigger_level")), sense: attr("alarm_trigger_sense") ?? "high" };
}
const crossed = (a: ReturnType<typeof parseAlarm>) => (a.sense === "low" ? a.value < a.level : a.value > a.level);

describe("dismissing alerts", () => {
  it("message.destroy removes the message, and event clients see it go", async () => {
    const ref = await create(4);
    const token = (await x.s("event.inject", "pool", sim.pools[0].ref)) as string;
    await x.s("message.destroy", ref);
    expect(exists(ref)).toBe(false);
    expect((await x.fault("message.get_record", x.session, ref)).description).toEqual(["HANDLE_INVALID", "message", ref]);
    const batch = (await x.s("event.from", ["message"], token, 1)) as { events: { operation: string; ref: string }[] };
    expect(batch.events).toContainEqual(expect.objectContaining({ operation: "del", ref }));
  });

  it("message.destroy_many goes in order and stops at an invalid ref", async () => {
    const [a, b] = [await create(4), await create(4)];
    const bogus = "OpaqueRef:00000000-0000-0000-0000-000000000000";
    expect((await x.fault("message.destroy_many", x.session, [a, bogus, b])).description).toEqual(["HANDLE_INVALID", "message", bogus]);
    expect([exists(a), exists(b)]).toEqual([false, true]);
    await x.s("message.destroy_many", [b]);
    expect(exists(b)).toBe(false);
  });

  it("message.destroy_all filters by priority and by time", async () => {
    const [low, high] = [await create(5), await create(1)];
    await x.s("message.destroy_all", { priority: "5" });
    expect([exists(low), exists(high)]).toEqual([false, true]);
    expect(messages().filter((m) => m.record.priority === 5)).toEqual([]);
    const newest = messages().reduce((a, b) => (a.record.timestamp > b.record.timestamp ? a : b));
    const older = messages().filter((m) => m.record.timestamp < newest.record.timestamp);
    expect(older.length).toBeGreaterThan(0);
    await x.s("message.destroy_all", { before: newest.record.timestamp.toISOString() });
    expect(older.filter((m) => exists(m.ref))).toEqual([]);
    expect(exists(newest.ref)).toBe(true);
  });
});

describe("performance alarms", () => {
  it("the control API raises an ALARM about an object, with perfmon's body", async () => {
    const vm = sim.inspect.all<VmRecord>("VM").find((v) => v.record.power_state === "Running" && !v.record.is_control_domain)!;
    const raised = await control("/outside/alarm", { variable: "cpu_usage", obj_uuid: vm.record.uuid, value: 0.97 });
    expect(raised.status).toBe(200);
    const alarm = sim.inspect.get<MessageRecord>("message", raised.body.ref)!.record;
    expect(alarm).toMatchObject({ name: "ALARM", priority: 3, cls: "VM", obj_uuid: vm.record.uuid });
    expect(parseAlarm(alarm.body)).toEqual({ value: 0.97, name: "cpu_usage", level: 0.9, sense: "high" });

    const host = sim.inspect.all<HostRecord>("host")[0].record;
    const memory = await control("/outside/alarm", { variable: "memory_free_kib", obj_uuid: host.uuid });
    const hostAlarm = sim.inspect.get<MessageRecord>("message", memory.body.ref)!.record;
    expect(hostAlarm).toMatchObject({ name: "ALARM", cls: "Host", obj_uuid: host.uuid });
    const parsed = parseAlarm(hostAlarm.body);
    expect(parsed).toMatchObject({ name: "memory_free_kib", sense: "low" });
    expect(crossed(parsed)).toBe(true);

    expect(await control("/outside/alarm", { variable: "cpu_usage", obj_uuid: "not-a-uuid" })).toMatchObject({
      status: 409,
      body: { errorDescription: ["UUID_INVALID", "VM", "not-a-uuid"] },
    });
  });

  it("the background activity raises alarms past their trigger level, and other alerts", async () => {
    const start = new Date();
    const names = () =>
      new Set(
        messages()
          .filter((m) => m.record.timestamp >= start)
          .map((m) => m.record.name),
      );
    for (let i = 0; i < 500 && !(names().has("ALARM") && names().size >= 3); i++) sim.outside.activityStep();
    expect(names()).toContain("ALARM");
    expect(names().size).toBeGreaterThanOrEqual(3);
    const alarms = messages().filter((m) => m.record.name === "ALARM");
    for (const alarm of alarms) expect(crossed(parseAlarm(alarm.record.body))).toBe(true);
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
