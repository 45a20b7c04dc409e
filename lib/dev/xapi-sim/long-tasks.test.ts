import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PoolRecord, SrRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let x: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 8, speed: 0.02 });
  x = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const control = (path: string, body: unknown = {}) =>
  fetch(`${sim.controlUrl}${path}`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

describe("long operations (control API durations) and task.cancel", () => {
  it("a copy made long can be cancelled while its task allows it, and leaves nothing behind", async () => {
    const vm = sim.inspect.all<VmRecord>("VM").find((v) => v.record.power_state === "Halted" && !v.record.is_a_template && !v.record.is_control_domain)!;
    const sr = sim.inspect.all<PoolRecord>("pool")[0].record.default_SR;
    const before = {
      vms: sim.inspect.all("VM").length,
      vdis: sim.inspect.all("VDI").length,
      allocation: sim.inspect.get<SrRecord>("SR", sr)!.record.virtual_allocation,
    };
    expect(await control("/faults/duration", { operation: "copy", ms: 60_000 })).toMatchObject({ status: 200, body: { ok: true } });
    const task = (await x.s("Async.VM.copy", vm.ref, "long copy", sr)) as string;
    expect(await x.s("task.get_record", task)).toMatchObject({ status: "pending", allowed_operations: ["cancel"] });
    expect(sim.inspect.vm(vm.ref)!.record.current_operations).toEqual({ [task]: "copy" });
    await x.s("task.cancel", task);
    expect(await x.waitTask(task)).toMatchObject({ status: "cancelled", error_info: ["TASK_CANCELLED", task], allowed_operations: [] });
    expect({
      vms: sim.inspect.all("VM").length,
      vdis: sim.inspect.all("VDI").length,
      allocation: sim.inspect.get<SrRecord>("SR", sr)!.record.virtual_allocation,
    }).toEqual(before);
    expect(sim.inspect.vm(vm.ref)!.record.current_operations).toEqual({});
    expect(sim.inspect.vm(vm.ref)!.record.allowed_operations).toContain("copy");
    // Cancelling a finished task changes nothing.
    await x.s("task.cancel", task);
    expect(await x.s("task.get_status", task)).toBe("cancelled");

    expect(await control("/faults/reset")).toMatchObject({ status: 200 });
    const quick = (await x.s("Async.VM.copy", vm.ref, "quick copy", sr)) as string;
    expect(await x.waitTask(quick)).toMatchObject({ status: "success" });
  });

  it("refuses an unknown operation or a negative duration", async () => {
    expect((await control("/faults/duration", { operation: "teleport", ms: 10 })).status).toBe(400);
    expect((await control("/faults/duration", { operation: "copy", ms: -1 })).status).toBe(400);
    expect((await control("/faults/duration", { operation: "copy" })).status).toBe(400);
  });
});
