/**
 * Cancelling a pool's task (`task.cancel`): for the user who started it from XenDeck and for admins of what it
 * works on, while XAPI lists `cancel` among its allowed operations. The operation stops at its next step and
 * changes nothing (XAPI's rule); the tasks page follows it through the live stream.
 */
import "server-only";
import { z } from "zod";
import { taskSecurable } from "@/lib/access/securables";
import { defineAction, type Located } from "@/lib/actions/define";
import { refNamer } from "@/lib/pools/names";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { failure, type ActionResult } from "@/lib/result";
import { isTaskRunning, type PoolConnection, type TaskEntry } from "@/lib/xapi";
import { taskVerb } from "./task-text";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const TASK_NOT_FOUND = "This task does not exist (it may have finished a while ago), or you do not have access to it.";

export interface LocatedTask {
  view: PoolView;
  connection: PoolConnection;
  entry: TaskEntry;
}

async function locateTaskFor(uuid: string): Promise<Located<LocatedTask> | null> {
  for (const view of await loadPoolViews()) {
    const connection = view.connection;
    const record = connection?.cache.getByUuid("task", uuid);
    const entry = record ? connection!.tasks.get(record.$ref) : undefined;
    if (!connection || !entry) continue;
    const parent = connection.tasks.get(entry.record!.subtask_of);
    return {
      value: { view, connection, entry },
      securable: taskSecurable(view.uuid, connection.cache, entry, parent),
      object: { kind: "task", uuid, label: entry.record!.name_label },
      poolId: view.id,
    };
  }
  return null;
}

export const cancelTask = defineAction({
  name: "task.cancel",
  input: z.object({
    task: objectUuidSchema("A task"),
  }),
  authorize: { action: "task.cancel", locate: (input) => locateTaskFor(input.task), notFound: TASK_NOT_FOUND, requestedUuid: (input) => input.task },
  describe: ({ target }) => ({ objectName: target.entry.record!.name_label, nameOf: refNamer(target.connection.cache) }),
  async run({ target }): Promise<ActionResult<{ message: string }>> {
    const { connection, entry } = target;
    const record = entry.record!;
    const verb = taskVerb(record.name_label);
    if (!isTaskRunning(record.status)) return failure(`${verb} has already finished`, undefined, "TASK_FINISHED");
    if (!record.allowed_operations.includes("cancel"))
      return failure(`${verb} cannot be cancelled now (XAPI does not allow it)`, undefined, "OPERATION_NOT_ALLOWED");
    await connection.client.call("task.cancel", entry.ref);
    await connection.catchUp();
    return { ok: true, message: `Cancelling ${verb.toLowerCase()}…` };
  },
});
