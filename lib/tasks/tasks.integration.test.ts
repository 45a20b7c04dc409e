/**
 * Tasks through XenDeck against the simulator over HTTP: a long copy shows as running, on its VM, started by its
 * user, with progress; a viewer of the VM sees it but may not cancel it (refused, audited); others do not see it;
 * its starter cancels it and it stays listed as cancelled; a finished task says what it made.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import { getDb } from "@/lib/db/client";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { vmManagement } from "@/lib/vm/management-actions";
import { cancelTask, TASK_NOT_FOUND } from "./actions";
import { runningTaskCount, visibleTasks, type TaskDto } from "./tasks";

const env = inventoryEnvironmentForFile();

const vmUuid = (name: string) => env().sim.inspect.vm(name)!.record.uuid as string;
const lastAudit = async () => (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;

describe("tasks", () => {
  it("a long copy: running on its VM with its starter, hidden from others, refused to a viewer, cancelled by its starter and kept", async () => {
    const { sim, user } = env();
    const starter = await user("copy-starter", [{ kind: "vm", uuid: vmUuid("web-01"), role: "admin" }]);
    const viewer = await user("copy-watcher", [{ kind: "vm", uuid: vmUuid("web-01"), role: "viewer" }]);
    const stranger = await user("copy-stranger", [{ kind: "vm", uuid: vmUuid("sql-01"), role: "admin" }]);
    sim.faults.duration("copy", 60_000);
    try {
      const copying = runAction(vmManagement, { actor: starter, input: { operation: "copy", vm: vmUuid("web-01"), name: "web-01 (long copy)", sr: "" } });
      let task: TaskDto | undefined;
      await eventually(async () => {
        task = (await visibleTasks(starter)).find((candidate) => candidate.name === "Async.VM.copy" && candidate.state === "running");
        return task !== undefined && task.objects.length > 0;
      });
      expect(task).toMatchObject({
        title: "Copy web-01",
        startedBy: "copy-starter",
        ended: null,
        objects: [{ kind: "vm", name: "web-01", href: `/vms/${vmUuid("web-01")}` }],
        cancel: { allowed: true },
      });
      expect(await runningTaskCount(starter)).toBe(1);

      expect((await visibleTasks(viewer)).find((candidate) => candidate.uuid === task!.uuid)).toMatchObject({ cancel: null });
      expect((await visibleTasks(stranger)).map((candidate) => candidate.uuid)).not.toContain(task!.uuid);
      expect(await runAction(cancelTask, { actor: viewer, input: { task: task!.uuid } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
      expect(await lastAudit()).toMatchObject({ actorUsername: "copy-watcher", action: "task.cancel", objectUuid: task!.uuid, outcome: "refused" });
      expect(await runAction(cancelTask, { actor: stranger, input: { task: task!.uuid } })).toMatchObject({ ok: false, error: TASK_NOT_FOUND });

      expect(await runAction(cancelTask, { actor: starter, input: { task: task!.uuid } })).toMatchObject({ ok: true });
      expect(await lastAudit()).toMatchObject({ actorUsername: "copy-starter", action: "task.cancel", objectUuid: task!.uuid, outcome: "ok" });
      expect(await copying).toMatchObject({ ok: false, error: "The operation was cancelled" });
      expect(sim.inspect.vm("web-01 (long copy)")).toBeUndefined();
      // XenDeck destroyed its task; the history keeps it.
      await eventually(() => !sim.inspect.all<{ uuid: string }>("task", "lab").some((candidate) => candidate.record.uuid === task!.uuid));
      expect((await visibleTasks(starter)).find((candidate) => candidate.uuid === task!.uuid)).toMatchObject({
        state: "cancelled",
        startedBy: "copy-starter",
        cancel: expect.anything(),
      });
      expect(await runningTaskCount(starter)).toBe(0);
    } finally {
      await sim.faults.reset();
    }
  });

  it("a finished task says what it made, and a task nobody may cancel says so", async () => {
    const { admin } = env();
    const result = await runAction(vmManagement, { actor: admin, input: { operation: "snapshot", vm: vmUuid("api-01"), name: "before the upgrade" } });
    expect(result.ok).toBe(true);
    await eventually(async () => (await visibleTasks(admin)).some((task) => task.name === "Async.VM.snapshot" && task.state === "succeeded"));
    const snapshot = (await visibleTasks(admin)).find((task) => task.name === "Async.VM.snapshot")!;
    expect(snapshot).toMatchObject({ title: "Snapshot api-01", result: "Made “before the upgrade”", startedBy: "admin", progress: 1 });
    expect(await runAction(cancelTask, { actor: admin, input: { task: snapshot.uuid } })).toMatchObject({ ok: false });
  });
});
