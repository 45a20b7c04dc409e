/**
 * VM operations for real users against the simulator: authorization from the cache (never from the input),
 * the same answer for an invisible VM as for an unknown one, an audit entry for every outcome (with the task),
 * XAPI errors in words, bulk runs with one outcome per VM.
 */
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { runAction } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { bulkVmOperation, HOST_NOT_FOUND, NOT_APPLICABLE, vmOperation } from "./lifecycle-actions";
import { VM_NOT_FOUND } from "./locate";

const runVmOperation = (actor: CurrentUser | null, input: unknown) => runAction(vmOperation, { actor, input: input as never });
const runBulkVmOperation = (actor: CurrentUser | null, input: unknown) => runAction(bulkVmOperation, { actor, input: input as never });

const env = inventoryEnvironmentForFile();

const power = (uuid: string) => env().sim.inspect.vm(uuid)!.record.power_state;

async function lastAuditEntry() {
  return (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;
}

describe("runVmOperation", () => {
  it("an operator starts a halted VM of their pool: done, audited with the task", async () => {
    const { pools, vms, user } = env();
    const operator = await user("lab-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const halted = vms("lab").find((vm) => vm.powerState === "Halted")!;
    const outcome = await runVmOperation(operator, { operation: "start", vm: halted.uuid });
    expect(outcome).toEqual({ ok: true, operation: "start", vm: { uuid: halted.uuid, name: halted.name }, message: `${halted.name} started` });
    expect(power(halted.uuid)).toBe("Running");
    const entry = await lastAuditEntry();
    expect(entry).toMatchObject({
      actorUsername: "lab-operator",
      action: "vm.start",
      objectKind: "vm",
      objectUuid: halted.uuid,
      objectLabel: halted.name,
      outcome: "ok",
      poolId: pools.lab!.id,
    });
    expect(entry.taskRef).toMatch(/^[0-9a-f-]{36}$/);

    const stopped = await runVmOperation(operator, { operation: "hard_shutdown", vm: halted.uuid });
    expect(stopped.ok).toBe(true);
    expect(power(halted.uuid)).toBe("Halted");
  });

  it("a VM outside the user's rights gets the unknown-VM answer, is refused in the audit log without its name, and is not touched", async () => {
    const { pools, vms, user } = env();
    const operator = await user("lab-operator-2", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const foreign = vms("production").find((vm) => vm.powerState === "Halted")!;
    const outcome = await runVmOperation(operator, { operation: "start", vm: foreign.uuid });
    expect(outcome).toEqual({ ok: false, error: VM_NOT_FOUND, code: "NOT_FOUND" });
    expect(await runVmOperation(operator, { operation: "start", vm: "00000000-0000-0000-0000-000000000000" })).toEqual(outcome);
    expect(power(foreign.uuid)).toBe("Halted");
    const refusal = await getDb().auditEntry.findFirst({ where: { action: "vm.start", outcome: "refused", objectUuid: foreign.uuid } });
    expect(refusal).toMatchObject({ actorUsername: "lab-operator-2", errorCode: "NOT_FOUND", objectLabel: null, poolId: null });
  });

  it("a viewer may not act: refused and audited; the VM is not touched", async () => {
    const { pools, vms, user } = env();
    const viewer = await user("lab-viewer", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    const running = vms("lab").find((vm) => vm.powerState === "Running")!;
    const outcome = await runVmOperation(viewer, { operation: "hard_shutdown", vm: running.uuid });
    expect(outcome).toMatchObject({ ok: false, error: "You are not allowed to do this." });
    expect(power(running.uuid)).toBe("Running");
    expect(await lastAuditEntry()).toMatchObject({
      actorUsername: "lab-viewer",
      action: "vm.shutdown.hard",
      outcome: "refused",
      errorCode: "NOT_ALLOWED",
      objectUuid: running.uuid,
    });
  });

  it("without a session nothing runs", async () => {
    const running = env()
      .vms("lab")
      .find((vm) => vm.powerState === "Running")!;
    expect(await runVmOperation(null, { operation: "hard_shutdown", vm: running.uuid })).toMatchObject({
      ok: false,
      error: "Your session has ended. Please sign in again.",
    });
    expect(power(running.uuid)).toBe("Running");
  });

  it("XAPI's refusal comes back in words and is audited as an error", async () => {
    const { admin, vms } = env();
    const running = vms("lab").find((vm) => vm.powerState === "Running")!;
    const outcome = await runVmOperation(admin, { operation: "start", vm: running.uuid });
    expect(outcome).toMatchObject({ ok: false, code: "VM_BAD_POWER_STATE", error: `The VM “${running.name}” is running; it must be halted to start it` });
    // The failed task is named too (its uuid, or its ref when it failed before any progress was seen).
    expect(await lastAuditEntry()).toMatchObject({
      action: "vm.start",
      outcome: "error",
      errorCode: "VM_BAD_POWER_STATE",
      taskRef: expect.stringMatching(/^(OpaqueRef:|[0-9a-f-]{36}$)/),
    });
  });

  it("bad input is refused with a message, before anything is looked up", async () => {
    const { admin } = env();
    expect(await runVmOperation(admin, { operation: "destroy", vm: "x" })).toMatchObject({ ok: false, error: "Unknown operation" });
    expect(await runVmOperation(admin, { operation: "start" })).toMatchObject({ ok: false, error: "A VM is required" });
    expect(await runVmOperation(admin, "start everything")).toMatchObject({ ok: false });
    expect(await runVmOperation(admin, { operation: "start", vm: "<script>" })).toMatchObject({ ok: false, error: "Not a uuid" });
  });

  it("start on: the host must be one the user may view, in the VM's pool", async () => {
    const { admin, sim, vms, pools, user } = env();
    const halted = vms("production").find((vm) => vm.powerState === "Halted")!;
    const labHost = sim.pools[0]!.hosts[0]!;
    expect(await runVmOperation(admin, { operation: "start_on", vm: halted.uuid, host: labHost.uuid })).toMatchObject({ ok: false, error: HOST_NOT_FOUND });
    const vmOperator = await user("vm-operator", [{ kind: "vm", uuid: halted.uuid, role: "operator" }]);
    const productionHost = sim.pools[1]!.hosts[1]!;
    expect(await runVmOperation(vmOperator, { operation: "start_on", vm: halted.uuid, host: productionHost.uuid })).toMatchObject({
      ok: false,
      error: HOST_NOT_FOUND,
    });
    expect(power(halted.uuid)).toBe("Halted");

    const poolOperator = await user("production-operator", [{ kind: "pool", uuid: pools.production!.uuid, role: "operator" }]);
    expect(await runVmOperation(poolOperator, { operation: "start_on", vm: halted.uuid, host: productionHost.uuid })).toMatchObject({ ok: true });
    expect(sim.inspect.vm(halted.uuid)!.record.resident_on).toBe(productionHost.ref);
    await runVmOperation(poolOperator, { operation: "hard_shutdown", vm: halted.uuid });
  });
});

describe("runBulkVmOperation", () => {
  it("runs each VM on its own: one outcome per VM, in order, each authorized; a VM the operation does not apply to is skipped", async () => {
    const { pools, vms, user } = env();
    const operator = await user("bulk-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const halted = vms("lab")
      .filter((vm) => vm.powerState === "Halted")
      .slice(0, 1);
    const running = vms("lab").find((vm) => vm.powerState === "Running")!;
    const foreign = vms("production")[0]!;
    const uuids = [halted[0]!.uuid, running.uuid, foreign.uuid, halted[0]!.uuid];
    const since = (await lastAuditEntry()).id;
    const outcome = await runBulkVmOperation(operator, { operation: "start", vms: uuids });
    if (!outcome.ok) throw new Error(outcome.error);
    const { results } = outcome;
    expect(results.map((item) => item.result.ok)).toEqual([true, false, false]);
    // The running VM is skipped with the reason, named (the user may see it), and nothing was sent for it.
    expect(results[1]).toMatchObject({
      vm: { uuid: running.uuid, name: running.name },
      skipped: true,
      result: { code: NOT_APPLICABLE, error: "The VM is running; only a halted VM can be started" },
    });
    // An invisible VM is not skipped but refused, as if it did not exist, and not named.
    expect(results[2]).toMatchObject({ vm: { uuid: foreign.uuid, name: null }, result: { error: VM_NOT_FOUND } });
    expect(results[2]!.skipped).toBeUndefined();
    expect(power(halted[0]!.uuid)).toBe("Running");
    expect(power(running.uuid)).toBe("Running");
    const entries = await getDb().auditEntry.findMany({ where: { id: { gt: since }, actorUsername: "bulk-operator" }, orderBy: { id: "asc" } });
    expect(entries.map((entry) => [entry.objectUuid, entry.outcome])).toEqual(
      expect.arrayContaining([
        [halted[0]!.uuid, "ok"],
        [foreign.uuid, "refused"],
      ]),
    );
    expect(entries.some((entry) => entry.objectUuid === running.uuid)).toBe(false);
    await runBulkVmOperation(operator, { operation: "hard_shutdown", vms: [halted[0]!.uuid] });
    expect(power(halted[0]!.uuid)).toBe("Halted");
  });

  it("refuses an empty or oversized selection", async () => {
    const { admin } = env();
    expect(await runBulkVmOperation(admin, { operation: "start", vms: [] })).toMatchObject({ ok: false, error: "Select at least one VM" });
    expect(await runBulkVmOperation(admin, { operation: "start", vms: Array.from({ length: 201 }, (_, i) => `vm-${i}`) })).toMatchObject({
      ok: false,
      error: "Select at most 200 VMs at once",
    });
  });
});
