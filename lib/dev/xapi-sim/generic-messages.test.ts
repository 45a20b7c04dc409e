import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index";
import { SERVED_CLASSES } from "./records";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;
let vm: string;
let vmUuid: string;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 6 });
  xapi = await TestClient.signedIn(sim);
  const view = sim.inspect
    .all<{ is_a_template: boolean; is_control_domain: boolean; uuid: string }>("VM")
    .find((v) => !v.record.is_a_template && !v.record.is_control_domain)!;
  vm = view.ref;
  vmUuid = view.record.uuid;
});
afterAll(() => sim.stop());

describe("generic messages", () => {
  it("get_all, get_all_records, get_record agree for every served class", async () => {
    for (const cls of SERVED_CLASSES.filter((served) => served !== "session")) {
      const refs = (await xapi.s(`${cls}.get_all`)) as string[];
      const records = (await xapi.s(`${cls}.get_all_records`)) as Record<string, Record<string, unknown>>;
      expect(Object.keys(records).sort(), cls).toEqual([...refs].sort());
      expect(refs.length, cls).toBe(sim.inspect.all(cls).length);
      if (refs.length > 0) expect(await xapi.s(`${cls}.get_record`, refs[0])).toEqual(records[refs[0]]);
    }
  });

  it("get_by_uuid, UUID_INVALID, get_by_name_label", async () => {
    expect(await xapi.s("VM.get_by_uuid", vmUuid)).toBe(vm);
    const fault = await xapi.fault("VM.get_by_uuid", xapi.session, "00000000-0000-0000-0000-000000000000");
    expect([fault.code, ...fault.params]).toEqual(["UUID_INVALID", "VM", "00000000-0000-0000-0000-000000000000"]);
    const name = (await xapi.s("VM.get_name_label", vm)) as string;
    expect(await xapi.s("VM.get_by_name_label", name)).toContain(vm);
    expect(await xapi.s("VM.get_by_name_label", "no such name")).toEqual([]);
  });

  it("get_<field> and set_<field> for RW fields, with events", async () => {
    const token = ((await xapi.s("event.from", ["vm"], "", 0)) as { token: string }).token;
    await xapi.s("VM.set_name_label", vm, "renamed by test");
    expect(await xapi.s("VM.get_name_label", vm)).toBe("renamed by test");
    expect(sim.inspect.vm(vm)?.record.name_label).toBe("renamed by test");
    const batch = (await xapi.s("event.from", ["vm"], token, 1)) as { events: { ref: string; operation: string; snapshot: { name_label: string } }[] };
    expect(batch.events).toEqual([
      expect.objectContaining({ ref: vm, operation: "mod", snapshot: expect.objectContaining({ name_label: "renamed by test" }) }),
    ]);
  });

  it("has no setter for read-only fields (MESSAGE_METHOD_UNKNOWN)", async () => {
    for (const method of ["VM.set_power_state", "VM.set_resident_on", "host.set_enabled", "VM.set_uuid", "task.set_name_label"]) {
      const fault = await xapi.fault(method, xapi.session, vm, "x");
      expect([fault.code, ...fault.params]).toEqual(["MESSAGE_METHOD_UNKNOWN", method]);
    }
  });

  it("checks refs stored in RW fields", async () => {
    const fault = await xapi.fault("VM.set_affinity", xapi.session, vm, "OpaqueRef:nope");
    expect([fault.code, ...fault.params]).toEqual(["HANDLE_INVALID", "host", "OpaqueRef:nope"]);
    await xapi.s("VM.set_affinity", vm, sim.pools[0].hosts[1].ref);
    expect(await xapi.s("VM.get_affinity", vm)).toBe(sim.pools[0].hosts[1].ref);
    await xapi.s("VM.set_affinity", vm, "OpaqueRef:NULL");
  });

  it("add_to_ / remove_from_ maps with MAP_DUPLICATE_KEY [class, field, uuid, key]", async () => {
    await xapi.s("VM.add_to_other_config", vm, "owner", "alice");
    expect(((await xapi.s("VM.get_other_config", vm)) as Record<string, string>).owner).toBe("alice");
    const fault = await xapi.fault("VM.add_to_other_config", xapi.session, vm, "owner", "bob");
    expect([fault.code, ...fault.params]).toEqual(["MAP_DUPLICATE_KEY", "VM", "other_config", vmUuid, "owner"]);
    await xapi.s("VM.remove_from_other_config", vm, "owner");
    await xapi.s("VM.remove_from_other_config", vm, "owner");
    expect((await xapi.s("VM.get_other_config", vm)) as Record<string, string>).not.toHaveProperty("owner");
    const pool = sim.pools[0].ref;
    await xapi.s("pool.add_to_other_config", pool, "xo:barrier:1", "1");
    expect(((await xapi.s("pool.get_other_config", pool)) as Record<string, string>)["xo:barrier:1"]).toBe("1");
  });

  it("add_tags / remove_tags", async () => {
    const before = (await xapi.s("VM.get_tags", vm)) as string[];
    await xapi.s("VM.add_tags", vm, "blue");
    await xapi.s("VM.add_tags", vm, "blue");
    expect(await xapi.s("VM.get_tags", vm)).toEqual([...before, "blue"]);
    await xapi.s("VM.remove_tags", vm, "blue");
    expect(await xapi.s("VM.get_tags", vm)).toEqual(before);
  });

  it("blocked_operations change allowed_operations", async () => {
    expect(await xapi.s("VM.get_allowed_operations", vm)).toContain("snapshot");
    await xapi.s("VM.add_to_blocked_operations", vm, "snapshot", "frozen for audit");
    expect(await xapi.s("VM.get_allowed_operations", vm)).not.toContain("snapshot");
    const fault = await xapi.fault("VM.snapshot", xapi.session, vm, "x");
    expect([fault.code, ...fault.params]).toEqual(["OPERATION_BLOCKED", vm, "frozen for audit"]);
    await xapi.s("VM.remove_from_blocked_operations", vm, "snapshot");
    expect(await xapi.s("VM.get_allowed_operations", vm)).toContain("snapshot");
  });

  it("answers MESSAGE_REMOVED for the getters of removed fields", async () => {
    const [metrics] = (await xapi.s("VM_metrics.get_all")) as string[];
    const fault = await xapi.fault("VM_metrics.get_VCPUs_utilisation", xapi.session, metrics);
    expect([fault.code, ...fault.params]).toEqual(["MESSAGE_REMOVED"]);
  });

  it("answers NOT_IMPLEMENTED for messages of the model the simulator does not implement", async () => {
    const fault = await xapi.fault("pool.enable_ha", xapi.session, [], {});
    expect([fault.code, ...fault.params]).toEqual(["NOT_IMPLEMENTED", "pool.enable_ha"]);
  });
});

describe("messages (alerts)", () => {
  it("creates, lists by object and time, destroys", async () => {
    const since = new Date(Date.now() - 1000);
    const ref = (await xapi.s("message.create", "ALARM", 3, "VM", vmUuid, "cpu_usage 0.97")) as string;
    const record = (await xapi.s("message.get_record", ref)) as Record<string, unknown>;
    expect(record).toMatchObject({ name: "ALARM", priority: "3", cls: "VM", obj_uuid: vmUuid, body: "cpu_usage 0.97" });
    expect(Object.keys((await xapi.s("message.get", "VM", vmUuid, since)) as object)).toEqual([ref]);
    expect(Object.keys((await xapi.s("message.get_since", since)) as object)).toEqual([ref]);
    expect((await xapi.fault("message.create", xapi.session, "X", 1, "VM", "0000", "")).code).toBe("UUID_INVALID");
    await xapi.s("message.destroy", ref);
    expect((await xapi.fault("message.get_record", xapi.session, ref)).code).toBe("HANDLE_INVALID");
  });
});
