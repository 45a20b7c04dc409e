/**
 * Tasks: every `Async.` call gets a task record that goes `pending` -> `success` / `failure` / `cancelled`
 * with rising `progress`, `result` written as an XML-RPC `<value>` fragment and `error_info` as
 * `[code, ...params]`. Synchronous calls run the same operation code with a transient task that is never
 * stored (as XAPI's in-memory tasks). Finished tasks are destroyed after `taskTtlMs`.
 */
import type { TaskRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";

/** The operation a handler runs in: lets long operations report progress and notice a cancel. */
export interface Operation {
  readonly taskRef: string;
  /** The stored task (asynchronous calls only). */
  readonly task: StoredObject<TaskRecord> | undefined;
  /** Aborted with `TASK_CANCELLED` when the task is cancelled. */
  readonly signal: AbortSignal;
  /** Waits `ms`, raising the task's progress towards `upTo` on the way; throws TASK_CANCELLED if cancelled. */
  work(ms: number, upTo?: number): Promise<void>;
}

type Task = StoredObject<TaskRecord>;

export class TaskService {
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly pool: SimPool) {}

  /** A pending task; `parent`: the task it is a step of (`subtask_of`, listed in the parent's `subtasks`). */
  create(label: string, description: string, sessionRef?: string, cancellable = false, parent?: Task): Task {
    const store = this.pool.store;
    const task = store.add<TaskRecord>("task", {
      name_label: label,
      name_description: description,
      allowed_operations: cancellable ? ["cancel"] : [],
      created: new Date(),
      finished: new Date(0),
      status: "pending",
      resident_on: this.pool.masterRef,
      progress: 0,
      type: "<none/>",
      result: "",
      error_info: [],
      other_config: {},
      subtask_of: parent && !parent.dtime ? parent.ref : NULL_REF,
      subtasks: [],
      backtrace: "()",
    });
    if (parent && !parent.dtime) store.update(parent, { subtasks: [...parent.rec.subtasks, task.ref] });
    if (sessionRef) {
      const session = this.pool.sessions.find(sessionRef);
      // Sessions are not evented: change in place, drop the cached wire form.
      if (session) {
        session.rec.tasks.push(task.ref);
        session.invalidate();
      }
    }
    return task;
  }

  /** The operation of an `Async.` call, bound to its task. */
  operation(task: Task): Operation {
    const controller = new AbortController();
    this.controllers.set(task.ref, controller);
    return this.makeOperation(task.ref, task, controller.signal);
  }

  /** The operation of a synchronous call: a task ref nobody can look up or cancel. */
  transient(): Operation {
    return this.makeOperation(`OpaqueRef:${this.pool.store.ids.uuid()}`, undefined, new AbortController().signal);
  }

  private makeOperation(taskRef: string, task: Task | undefined, signal: AbortSignal): Operation {
    const timers = this.pool.core.timers;
    const store = this.pool.store;
    return {
      taskRef,
      task,
      signal,
      async work(ms: number, upTo = 0.95) {
        const steps = task ? Math.max(1, Math.min(5, Math.floor(ms / 25))) : 1;
        const start = task?.rec.progress ?? 0;
        for (let i = 1; i <= steps; i++) {
          await timers.sleep(ms / steps, signal);
          if (task && !task.dtime && task.rec.status === "pending") {
            const next = Math.round((start + ((upTo - start) * i) / steps) * 100) / 100;
            if (next > task.rec.progress) store.update(task, { progress: next });
          }
        }
      },
    };
  }

  succeed(task: Task, resultFragment: string): void {
    this.finish(task, { status: "success", progress: 1, result: resultFragment });
  }

  fail(task: Task, error: XapiError): void {
    if (error.code === "TASK_CANCELLED") this.finish(task, { status: "cancelled", error_info: error.description });
    else this.finish(task, { status: "failure", error_info: error.description });
  }

  private finish(task: Task, patch: Partial<TaskRecord>): void {
    this.controllers.delete(task.ref);
    if (task.dtime) return;
    const destroyRequested = Object.values(task.rec.current_operations).includes("destroy");
    this.pool.store.update(task, { ...patch, finished: new Date(), allowed_operations: [], current_operations: {} });
    if (destroyRequested) return this.destroy(task);
    this.pool.core.timers.setTimeout(() => this.destroy(task), this.pool.core.options.taskTtlMs);
  }

  /** `task.cancel`: a running operation stops at its next step; a task nobody runs is cancelled at once. */
  cancel(task: Task, cancelRef: string): void {
    if (task.rec.status !== "pending") return;
    const controller = this.controllers.get(task.ref);
    this.pool.store.update(task, { status: "cancelling", current_operations: { [cancelRef]: "cancel" } });
    const error = new XapiError("TASK_CANCELLED", [task.ref]);
    if (controller) controller.abort(error);
    else this.fail(task, error);
  }

  /** `task.destroy`: a pending task goes when it finishes. */
  destroy(task: Task, requestRef?: string): void {
    if (task.dtime) return;
    if (task.rec.status === "pending" || task.rec.status === "cancelling") {
      this.pool.store.update(task, { current_operations: { ...task.rec.current_operations, [requestRef ?? task.ref]: "destroy" } });
      return;
    }
    const store = this.pool.store;
    const parent = store.getOf<TaskRecord>("task", task.rec.subtask_of);
    if (parent) store.update(parent, { subtasks: parent.rec.subtasks.filter((ref) => ref !== task.ref) });
    for (const ref of task.rec.subtasks) {
      const child = store.getOf<TaskRecord>("task", ref);
      if (child) store.update(child, { subtask_of: NULL_REF });
    }
    for (const session of this.pool.store.all("session")) {
      const tasks = (session.rec as { tasks: string[] }).tasks;
      const i = tasks.indexOf(task.ref);
      if (i >= 0) {
        tasks.splice(i, 1);
        session.invalidate();
      }
    }
    this.pool.store.remove(task);
  }
}

export function taskMessages(r: MessageRegistry): void {
  const task = (ctx: CallContext, ref: unknown) => ctx.pool.need<TaskRecord>("task", String(ref));

  r.define("task.create", (ctx, [label, description]) => ctx.pool.tasks.create(String(label), String(description), ctx.session?.ref, true).ref);
  r.define("task.cancel", (ctx, [ref]) => ctx.pool.tasks.cancel(task(ctx, ref), ctx.op.taskRef));
  r.define("task.destroy", (ctx, [ref]) => ctx.pool.tasks.destroy(task(ctx, ref), ctx.op.taskRef));
  // The owner of a task made with task.create reports its progress and outcome through these.
  r.define("task.set_status", (ctx, [ref, value]) => {
    const t = task(ctx, ref);
    const status = value as TaskRecord["status"];
    ctx.pool.store.update(t, status === "pending" ? { status } : { status, finished: new Date(), allowed_operations: [] });
  });
  r.define("task.set_progress", (ctx, [ref, value]) => ctx.pool.store.update(task(ctx, ref), { progress: Number(value) }));
  r.define("task.set_result", (ctx, [ref, value]) => ctx.pool.store.update(task(ctx, ref), { result: String(value) }));
  r.define("task.set_error_info", (ctx, [ref, value]) => ctx.pool.store.update(task(ctx, ref), { error_info: value as string[] }));
}
