/**
 * XapiClient against the simulator over HTTP: sessions, redirections, timeouts, truncation, tasks, read-only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim";
import { XapiClient } from "./client";
import { CLIENT_CODES, XapiError, XapiProtocolError, XapiReadOnlyError, XapiTimeoutError } from "./errors";
import type { VmRecord } from "./model/records.generated";
import { probePool } from "./probe";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 6, speed: 0.05, durations: { start: 2000 } });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.faults.reset();
  sim.inspect.clearCallLog();
});

const pool = () => sim.pools[0];
const newClient = (options: Partial<ConstructorParameters<typeof XapiClient>[0]> = {}) =>
  new XapiClient({ url: pool().masterUrl, username: sim.username, password: sim.password, logger: quiet, ...options });
const calls = (method: string) => sim.inspect.callLog().filter((c) => c.method === method);

/** An ordinary VM of the simulator, halted from outside if needed (a different one at each call). */
let vmCursor = 0;
function haltedVm(): { ref: string; record: VmRecord } {
  const vms = sim.inspect.all<VmRecord>("VM", 0).filter((v) => !v.record.is_a_template && !v.record.is_a_snapshot && !v.record.is_control_domain);
  const vm = vms[vmCursor++ % vms.length];
  if (vm.record.power_state !== "Halted") return sim.outside.vm(vm.ref, { power_state: "Halted" });
  return vm;
}

async function rejection(promise: Promise<unknown>): Promise<XapiError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XapiError);
  return error as XapiError;
}

describe("XapiClient against the simulator", () => {
  it("logs in once, decodes typed records and logs out", async () => {
    const client = newClient();
    const vms = await client.call<Record<string, VmRecord>>("VM.get_all_records");
    const vm = Object.values(vms).find((v) => !v.is_a_template)!;
    expect(typeof vm.memory_static_max).toBe("number");
    expect(typeof vm.VCPUs_max).toBe("number");
    expect(Object.keys(vms).length).toBeGreaterThan(6);
    await client.call("VM.get_all");
    expect(calls("session.login_with_password")).toHaveLength(1);
    await client.close();
    expect(calls("session.logout")).toHaveLength(1);
    expect(sim.inspect.sessionCount(0)).toBe(0);
  });

  it("follows HOST_IS_SLAVE when given a member's URL", async () => {
    const member = pool().hosts.find((h) => h.ref !== pool().master.ref)!;
    const client = newClient({ url: member.url });
    try {
      await expect(client.call("pool.get_all")).resolves.toEqual([pool().ref]);
      expect(client.masterUrl.origin).toBe(pool().masterUrl);
    } finally {
      await client.close();
    }
  });

  it("logs in again exactly once when the session expires", async () => {
    const client = newClient();
    try {
      await client.call("VM.get_all");
      expect(sim.faults.expireSessions(0)).toBeGreaterThan(0);
      await expect(client.call("VM.get_all")).resolves.toBeInstanceOf(Array);
      expect(calls("session.login_with_password")).toHaveLength(2);
      expect(client.loginCount).toBe(2);
      // a session refused again right after the re-login is not retried forever
      sim.faults.failNext({ method: "VM.get_all", error: ["SESSION_INVALID", "OpaqueRef:x"], count: 2 });
      expect((await rejection(client.call("VM.get_all"))).code).toBe("SESSION_INVALID");
      expect(calls("session.login_with_password")).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it("times out slow calls and waits for calls within the deadline", async () => {
    sim.faults.latency({ ms: 400, method: "VM.get_all" });
    const client = newClient();
    try {
      await client.connect();
      const error = await rejection(client.request("VM.get_all", [], { timeoutMs: 150 }));
      expect(error).toBeInstanceOf(XapiTimeoutError);
      await expect(client.request("VM.get_all", [], { timeoutMs: 3_000 })).resolves.toBeInstanceOf(Array);
    } finally {
      await client.close();
    }
  });

  it("reports a truncated answer as a protocol error, then works again", async () => {
    sim.faults.truncateNext({ method: "VM.get_all_records" });
    const client = newClient();
    try {
      const error = await rejection(client.call("VM.get_all_records"));
      expect(error).toBeInstanceOf(XapiProtocolError);
      expect(error.method).toBe("VM.get_all_records");
      await expect(client.call("VM.get_all_records")).resolves.toBeTypeOf("object");
    } finally {
      await client.close();
    }
  });

  it("runs an async call through its task, reports progress and destroys the task", async () => {
    const client = newClient();
    const vm = haltedVm();
    const progress: number[] = [];
    try {
      await client.callAsync("VM.start", [vm.ref, false, false], { onProgress: (p) => progress.push(p) });
      expect(sim.inspect.vm(vm.ref)!.record.power_state).toBe("Running");
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.at(-1)).toBe(1);
      expect(calls("event.from").length).toBeGreaterThan(0); // followed through events...
      expect(calls("task.get_record").length).toBeLessThanOrEqual(2); // ...not by polling
      await expect.poll(() => calls("task.destroy").length).toBe(1);
      await expect.poll(() => sim.inspect.all("task", 0).length).toBe(0);
      // a result value is decoded with the method's result type
      const clone = await client.callAsync<string>("VM.clone", [haltedVm().ref, "clone for test"]);
      expect(clone).toMatch(/^OpaqueRef:/);
      expect(sim.inspect.vm(clone)?.record.name_label).toBe("clone for test");
    } finally {
      await client.close();
    }
  });

  it("rejects with the XapiError of a failing task", async () => {
    const client = newClient();
    const vm = haltedVm();
    sim.faults.failNext({ method: "VM.start", error: ["HOST_OFFLINE", pool().master.ref] });
    try {
      // The task's ref is known before the task ends (the audit log records it even for a failure).
      const announced: { ref: string; existed: boolean }[] = [];
      const onTask = (ref: string) => announced.push({ ref, existed: sim.inspect.all("task", 0).some((task) => task.ref === ref) });
      const error = await rejection(client.callAsync("VM.start", [vm.ref, false, false], { onTask }));
      expect(error).toMatchObject({ kind: "xapi", code: "HOST_OFFLINE", params: [pool().master.ref], method: "VM.start" });
      expect(announced).toEqual([{ ref: expect.stringMatching(/^OpaqueRef:/), existed: true }]);
      expect(sim.inspect.vm(vm.ref)!.record.power_state).toBe("Halted");
      const running = sim.outside.vm(haltedVm().ref, { power_state: "Running" });
      expect((await rejection(client.callAsync("VM.start", [running.ref, false, false]))).code).toBe("VM_BAD_POWER_STATE");
      await expect.poll(() => sim.inspect.all("task", 0).length).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("cancels the task when the caller aborts", async () => {
    const client = newClient();
    const vm = haltedVm();
    const controller = new AbortController();
    try {
      const pending = client.callAsync("VM.start", [vm.ref, false, false], {
        signal: controller.signal,
        onProgress: (p) => {
          if (p > 0) controller.abort();
        },
      });
      const error = await rejection(pending);
      expect(error.code).toBe(CLIENT_CODES.aborted);
      expect(calls("task.cancel")).toHaveLength(1);
      expect(sim.inspect.vm(vm.ref)!.record.power_state).toBe("Halted");
      await expect.poll(() => sim.inspect.all("task", 0).length).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("refuses side effects on a read-only pool before anything is sent", async () => {
    const client = newClient({ readOnly: true });
    const vm = haltedVm();
    try {
      await expect(client.call("VM.get_all")).resolves.toBeInstanceOf(Array);
      sim.inspect.clearCallLog();
      await expect(client.callAsync("VM.start", [vm.ref, false, false])).rejects.toBeInstanceOf(XapiReadOnlyError);
      await expect(client.call("VM.set_name_label", vm.ref, "renamed")).rejects.toBeInstanceOf(XapiReadOnlyError);
      await expect(client.call("VM.hard_shutdown", vm.ref)).rejects.toBeInstanceOf(XapiReadOnlyError);
      expect(sim.inspect.callLog()).toEqual([]);
      expect(sim.inspect.vm(vm.ref)!.record.name_label).toBe(vm.record.name_label);
    } finally {
      await client.close();
    }
  });

  it("probes a pool for registration, and reports a wrong password clearly", async () => {
    const sessionsBefore = sim.inspect.sessionCount(0);
    const probe = await probePool({ url: pool().hosts[1].url, username: sim.username, password: sim.password });
    expect(probe).toMatchObject({ poolUuid: pool().uuid, poolName: pool().name, masterUrl: pool().masterUrl, hostCount: 3 });
    expect(probe.apiVersion).toMatch(/^\d+\.\d+$/);
    const error = await rejection(probePool({ url: pool().masterUrl, username: sim.username, password: "wrong" }));
    expect(error.code).toBe("SESSION_AUTHENTICATION_FAILED");
    expect(sim.inspect.sessionCount(0)).toBe(sessionsBefore); // the probe logged out
  });
});
