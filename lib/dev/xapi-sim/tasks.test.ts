import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index";
import { parseValueFragment } from "./protocol/xmlrpc";
import { eventually } from "@/lib/dev/test/eventually";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

type Vm = { is_a_template: boolean; is_control_domain: boolean; power_state: string };
const vms = (state: string) =>
  sim.inspect.all<Vm>("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.power_state === state);

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 16, speed: 0.05, taskTtlMs: 800 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

describe("tasks", () => {
  it("Async calls return a pending task at once; it goes to success with rising progress", async () => {
    const [vm] = vms("Running");
    const task = (await xapi.s("Async.VM.clean_shutdown", vm.ref)) as string;
    // Still pending when the call has answered: the call did not wait for the operation.
    const first = (await xapi.s("task.get_record", task)) as Record<string, unknown>;
    expect(first).toMatchObject({
      status: "pending",
      name_label: "Async.VM.clean_shutdown",
      resident_on: sim.pools[0].master.ref,
      finished: "19700101T00:00:00Z",
    });
    const progress = [Number(first.progress)];
    const record = await eventually(async () => {
      const current = (await xapi.s("task.get_record", task)) as Record<string, unknown>;
      if (current.status === "pending") progress.push(Number(current.progress));
      return current.status !== "pending" && current;
    });
    expect(record).toMatchObject({ status: "success", progress: 1, result: "", error_info: [] });
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(String(record.finished) >= String(record.created)).toBe(true);
    expect(sim.inspect.vm(vm.ref)?.record.power_state).toBe("Halted");
  });

  it("writes the result as an XML-RPC value fragment", async () => {
    const [vm] = vms("Halted");
    const task = (await xapi.s("Async.VM.clone", vm.ref, "from a task")) as string;
    const done = await xapi.waitTask(task);
    expect(done.status).toBe("success");
    expect(done.result).toMatch(/^<value>OpaqueRef:[0-9a-f-]{36}<\/value>$/);
    const ref = parseValueFragment(String(done.result));
    expect(await xapi.s("VM.get_name_label", ref.t === "str" ? ref.v : "")).toBe("from a task");
  });

  it("fails with error_info [code, ...params]", async () => {
    const [vm] = vms("Running");
    const task = (await xapi.s("Async.VM.start", vm.ref, false, false)) as string;
    const done = await xapi.waitTask(task);
    expect(done).toMatchObject({ status: "failure", error_info: ["VM_BAD_POWER_STATE", vm.ref, "halted", "running"], result: "" });
  });

  it("task.cancel stops the operation: status cancelled, nothing changed", async () => {
    const slow = await startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 6, speed: 0.05, durations: { start: 20_000 } });
    try {
      const client = new TestClient(slow.pools[0].masterUrl);
      await client.login(slow.username, slow.password);
      const vm = slow.inspect.all<Vm>("VM").find((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.power_state === "Halted")!;
      const task = (await client.s("Async.VM.start", vm.ref, false, false)) as string;
      await eventually(() => Object.keys(slow.inspect.vm(vm.ref)?.record.current_operations ?? {}).length > 0);
      expect(slow.inspect.vm(vm.ref)?.record.current_operations).toEqual({ [task]: "start" });
      await client.s("task.cancel", task);
      const done = await client.waitTask(task);
      expect(done).toMatchObject({ status: "cancelled", error_info: ["TASK_CANCELLED", task] });
      const after = slow.inspect.vm(vm.ref)!.record;
      expect(after).toMatchObject({
        power_state: "Halted",
        current_operations: {},
        resident_on: "OpaqueRef:NULL",
        scheduled_to_be_resident_on: "OpaqueRef:NULL",
      });
      expect(after.allowed_operations).toContain("start");
    } finally {
      await slow.stop();
    }
  });

  it("task.destroy removes a finished task, and a pending one when it finishes", async () => {
    const [a, b] = vms("Halted");
    const finished = (await xapi.s("Async.VM.snapshot", a.ref, "t1")) as string;
    await xapi.waitTask(finished);
    await xapi.s("task.destroy", finished);
    expect((await xapi.fault("task.get_record", xapi.session, finished)).code).toBe("HANDLE_INVALID");
    const pending = (await xapi.s("Async.VM.copy", b.ref, "t2", "OpaqueRef:NULL")) as string;
    await xapi.s("task.destroy", pending);
    expect(await xapi.s("task.get_status", pending)).toBe("pending");
    // Gone once the copy ends (long before the finished tasks' time to live).
    await eventually(async () => !((await xapi.s("task.get_all")) as string[]).includes(pending));
    expect((await xapi.fault("task.get_record", xapi.session, pending)).code).toBe("HANDLE_INVALID");
  });

  it("collects finished tasks after their time to live", async () => {
    const [vm] = vms("Halted");
    const task = (await xapi.s("Async.VM.snapshot", vm.ref, "gc")) as string;
    await xapi.waitTask(task);
    expect(await xapi.s("task.get_all")).toContain(task);
    await eventually(async () => !((await xapi.s("task.get_all")) as string[]).includes(task));
  });

  it("lets a client run its own task (task.create, set_progress, set_status)", async () => {
    const task = (await xapi.s("task.create", "import", "an upload")) as string;
    expect(await xapi.s("task.get_status", task)).toBe("pending");
    await xapi.s("task.set_progress", task, 0.5);
    await xapi.s("task.set_status", task, "success");
    const record = (await xapi.s("task.get_record", task)) as Record<string, unknown>;
    expect(record).toMatchObject({ name_label: "import", name_description: "an upload", progress: 0.5, status: "success" });
    expect(record.finished).not.toBe("19700101T00:00:00Z");
  });
});
