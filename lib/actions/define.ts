/**
 * THE way to write a server action. Server actions are public endpoints (anyone can POST to them), so every one
 * is declared with `defineAction` and goes through the same steps, none of which it can skip:
 *
 *   authenticate → parse (zod) → authorize (`can`, on the object as the server finds it) → act → audit → result
 *
 * - **Authenticate**: the session's user, re-read from the database (lib/auth/current-user.ts). No session, or a
 *   user with a step pending (a password to change, two-factor login to set up; unless the action is that step),
 *   is refused.
 * - **Parse**: the declared zod schema, on a FormData or a plain object; failures come back as field errors.
 * - **Authorize**: a global action of the catalogue (`users.manage`...), an object action on an object the
 *   action `locate`s from the input on the server (the live cache or the database; never what the browser says
 *   about it), the actor's own account (`self`), or per item through another action (`each`, bulk operations).
 *   An object the user may not view gets the same answer as one that does not exist.
 * - **Act**: `run(context)` returns the result (`{ ok: true, ... }` or a failure in words). A thrown XAPI error
 *   becomes a sentence (lib/xapi describeXapiError); anything else is logged and answered with a generic message.
 * - **Audit**: exactly one entry per call, for refusals, failures and successes (lib/audit/record.ts), with the
 *   XAPI task when there is one. A change to the database records its entry in its own transaction
 *   (`context.recordInTransaction(tx)`), so that both commit together or neither does. Any other entry is written
 *   after the fact; THE failure policy: if the database cannot take it, the error is logged and the answer to the
 *   user is unchanged (what happened on the pool cannot be undone, and a refusal stays a refusal).
 * - **Result**: one shape, `ActionResult` (lib/actions/result.ts). After a success, pages that read the database
 *   are revalidated (`revalidate`) or left (`redirectTo`); changes on pools reach every page through the live
 *   stream instead, so XAPI actions revalidate nothing (one refresh path each).
 *
 *   export const renameVmAction = defineAction({ input, authorize: { action: "vm.edit", locate, notFound }, run });
 *
 * Tests call `runAction(action, { actor, input })`: the same steps with the actor given instead of a cookie.
 */
import "server-only";
import type { z } from "zod";
import { can, OBJECT_ACTIONS, type GlobalAction, type ObjectAction, type Securable } from "@/lib/access/can";
import { NOT_ALLOWED, NOT_SIGNED_IN, PASSWORD_CHANGE_REQUIRED, recordRefusal, TWO_FACTOR_ENROLMENT_REQUIRED } from "@/lib/access/refusal";
import { recordAudit, recordAuditInTransaction, type AuditInput, type RecordChange } from "@/lib/audit/record";
import { currentClientAddress } from "@/lib/auth/request-context";
import { pendingAccountStep, type CurrentUser } from "@/lib/auth/session-user";
import { describeXapiError, isXapiError, type DescribeContext, type PoolCallAsyncOptions, type TaskObjectClass } from "@/lib/xapi";
import { actionInput } from "./input";
import { failure, invalidInput, isRefusalResult, type ActionFailure, type ActionResult } from "@/lib/result";

/** The XAPI class of the objects actions locate, for the tasks they start (lib/xapi/task-history.ts). */
const TASK_CLASS_BY_KIND: Record<string, TaskObjectClass | undefined> = { vm: "VM", host: "host", sr: "SR", network: "network", pool: "pool" };

export const INTERNAL_ERROR = "Something went wrong on the server; the error has been logged. Please try again.";

/** How long an XAPI task started by an action may run before it is cancelled (a clean shutdown can take minutes). */
const TASK_TIMEOUT_MS = 15 * 60_000;

/** An object an action applies to, as the server found it. */
export interface Located<T> {
  value: T;
  /** What `can` decides on. */
  securable: Securable;
  /** What the audit entry names (the label is stored, so a deleted object stays readable in the log). */
  object: { kind: string; uuid: string; label?: string | null };
  /** The registered pool concerned, if any. */
  poolId?: string | null;
}

export interface ObjectAuthorization<I, T> {
  /** The catalogue action, possibly chosen by the input (the operation asked for). */
  action: ObjectAction | ((input: I) => ObjectAction);
  /** Finds the object from the input, on the server. Null: not found (then `notFound` is the answer). */
  locate: (input: I, actor: CurrentUser) => Located<T> | null | Promise<Located<T> | null>;
  /** The answer for an unknown object and for one the user may not view: the same, so existence does not leak. */
  notFound: string | ((input: I) => string);
  /** The kind named in the audit entry when the object was not found (default: the action's kind). */
  auditKind?: string;
  /** The uuid named in the audit entry when the object was not found (what the browser asked for). */
  requestedUuid?: (input: I) => string | undefined;
}

export type Authorization<I, T> =
  /** A catalogue action on no particular object (global admins, or every signed-in user: see GLOBAL_ACTIONS). */
  | { global: GlobalAction }
  /** The actor's own account (their password, second factor, sessions): `audit` names the action. */
  | { self: string }
  /** Each item is authorized (and audited) by another action the run calls with `runAction`. */
  | { each: string }
  | ObjectAuthorization<I, T>;

/** What `run` receives: who, what (parsed), on which object (located), and the audit entry being prepared. */
export interface ActionContext<I, T> {
  actor: CurrentUser;
  input: I;
  /** The located object (object actions); undefined otherwise. */
  target: T;
  address: string | null;
  /** The audit entry's parameters: the run may add what it learnt (the disks it destroyed...). */
  params: Record<string, unknown>;
  /** Pass to `connection.callAsync(...)`: timeout, the task's id recorded in the audit entry, and its starter. */
  task: PoolCallAsyncOptions;
  /**
   * Records the success entry inside the caller's database transaction (a change and its entry commit together).
   * `label` renames the object in the entry (a new account's username...).
   */
  recordInTransaction: RecordChange;
}

export interface ActionSpec<S extends z.ZodType, T, Out extends object> {
  /** The action's own name ("vm.operation", "users.create"): the audit entry's action when no other applies. */
  name: string;
  input: S;
  authorize: Authorization<z.output<S>, T>;
  /** Allowed while the actor must change their password (the change itself). */
  allowedBeforePasswordChange?: boolean;
  /** Allowed while the actor must set up two-factor login (the enrolment itself). */
  allowedBeforeTwoFactorEnrolment?: boolean;
  /**
   * The event the outcome's audit entry names (`pool.register`), when not the permission. Refusals always name
   * the permission (`pools.register`), with the parameters saying what was asked.
   */
  auditAction?: string | ((input: z.output<S>) => string);
  /** The audit entry's object for global and self actions. */
  auditObject?: (input: z.output<S>) => AuditInput["object"];
  /** The registered pool the audit entry names, for global actions about one (pool registrations). */
  auditPoolId?: (input: z.output<S>) => string | null;
  /** The audit entry's parameters (what was asked; default: the parsed input; secret-looking keys are dropped). */
  auditParams?: (input: z.output<S>) => Record<string, unknown>;
  /** How XAPI errors are put into words ("start", the VM's name). */
  describe?: (context: { input: z.output<S>; target: T }) => DescribeContext;
  run: (context: ActionContext<z.output<S>, T>) => Promise<ActionResult<Out>>;
  /** A query that changes nothing (a search): its successes are not audited, its refusals and failures are. */
  query?: boolean;
  /** Pages showing database state to re-render after a success ("layout" revalidates the whole app). */
  revalidate?: readonly (string | { path: string; type: "layout" | "page" })[];
  /** Where to go after a success (a new object's page...). */
  redirectTo?: (result: { ok: true } & Out, input: z.output<S>) => string | null;
}

/** The server action: takes what a form or a button sends, answers with the result to show. */
export type ServerAction<In, Out extends object> = (input: In | FormData) => Promise<ActionResult<Out>>;

type AnySpec = ActionSpec<z.ZodType, unknown, object>;
const SPECS = new WeakMap<object, AnySpec>();

/** Declares a server action (see the module comment). Export the result from a "use server" file. */
export function defineAction<S extends z.ZodType, T = undefined, Out extends object = object>(spec: ActionSpec<S, T, Out>): ServerAction<z.input<S>, Out> {
  const action = async (input: z.input<S> | FormData): Promise<ActionResult<Out>> => {
    // Loaded here, in a request: scripts and tests that run actions (runAction) never load Next's request APIs.
    const { getCurrentUser } = await import("@/lib/auth/current-user");
    const actor = await getCurrentUser();
    const result = await execute(spec as unknown as AnySpec, actor, input);
    if (!result.ok) return result as ActionResult<Out>;
    const [{ revalidatePath }, { redirect }] = await Promise.all([import("next/cache"), import("next/navigation")]);
    for (const entry of spec.revalidate ?? []) {
      if (typeof entry === "string") revalidatePath(entry);
      else revalidatePath(entry.path, entry.type);
    }
    const target = spec.redirectTo?.(result as { ok: true } & Out, (spec.input.safeParse(actionInput(input)).data ?? {}) as z.output<S>);
    if (target) redirect(target);
    return result as ActionResult<Out>;
  };
  SPECS.set(action, spec as unknown as AnySpec);
  return action;
}

/** True for a function declared with `defineAction` (the tests check that every exported action is one). */
export function isDefinedAction(value: unknown): boolean {
  return typeof value === "function" && SPECS.has(value);
}

/** Runs `action` for `actor` (tests, bulk operations): every step but reading the session cookie. */
export async function runAction<In, Out extends object>(
  action: ServerAction<In, Out>,
  call: { actor: CurrentUser | null; input: In | FormData },
): Promise<ActionResult<Out>> {
  const spec = SPECS.get(action);
  if (!spec) throw new Error("runAction: not an action declared with defineAction");
  return (await execute(spec, call.actor, call.input)) as ActionResult<Out>;
}

/**
 * The catalogue action the user asked to perform: what a refusal names (`pools.register`, `vm.start`). Before the
 * input is parsed, an action whose permission depends on the input is named by its own name.
 */
function permissionName(spec: AnySpec, input: unknown, parsed: boolean): string {
  const { authorize } = spec;
  if ("global" in authorize) return authorize.global;
  if ("self" in authorize) return authorize.self;
  if ("each" in authorize) return authorize.each;
  if (typeof authorize.action === "string") return authorize.action;
  return parsed ? authorize.action(input) : spec.name;
}

/** What an outcome names: `auditAction` (the event: `pool.register`, `user.create`), else the permission. */
function outcomeName(spec: AnySpec, input: unknown): string {
  if (!spec.auditAction) return permissionName(spec, input, true);
  return typeof spec.auditAction === "string" ? spec.auditAction : spec.auditAction(input);
}

/** Writes an entry written after the fact; see the failure policy in the module comment. */
async function audit(entry: AuditInput): Promise<void> {
  try {
    await recordAudit(entry);
  } catch (error) {
    console.error(`[xendeck audit] could not record ${entry.action} (${entry.outcome}) on ${entry.object?.uuid ?? "-"}: ${String(error)}`);
  }
}

async function execute(spec: AnySpec, actor: CurrentUser | null, raw: unknown): Promise<ActionResult> {
  const parsedEarly = spec.input.safeParse(actionInput(raw));
  const earlyName = permissionName(spec, parsedEarly.data, parsedEarly.success);

  // 1. Authenticate.
  if (!actor) return recordRefusal(null, { action: earlyName, code: "NOT_SIGNED_IN", message: NOT_SIGNED_IN });
  const pending = pendingAccountStep(actor);
  if (pending === "change-password" && !spec.allowedBeforePasswordChange) {
    return recordRefusal(actor, { action: earlyName, code: "PASSWORD_CHANGE_REQUIRED", message: PASSWORD_CHANGE_REQUIRED });
  }
  if (pending === "enrol-two-factor" && !spec.allowedBeforeTwoFactorEnrolment) {
    return recordRefusal(actor, { action: earlyName, code: "TWO_FACTOR_ENROLMENT_REQUIRED", message: TWO_FACTOR_ENROLMENT_REQUIRED });
  }

  // 2. Parse.
  if (!parsedEarly.success) return invalidInput(parsedEarly.error);
  const input = parsedEarly.data;
  const action = earlyName;
  const params = spec.auditParams ? spec.auditParams(input) : { ...(input as Record<string, unknown>) };
  const address = await currentClientAddress();

  // 3. Authorize.
  let located: Located<unknown> | null = null;
  const { authorize } = spec;
  if ("global" in authorize) {
    if (!can(actor, authorize.global)) {
      return recordRefusal(actor, {
        action,
        code: "NOT_ALLOWED",
        message: NOT_ALLOWED,
        object: spec.auditObject?.(input) ?? null,
        poolId: spec.auditPoolId?.(input) ?? null,
        params,
      });
    }
  } else if ("action" in authorize) {
    const permission = typeof authorize.action === "function" ? authorize.action(input) : authorize.action;
    located = await authorize.locate(input, actor);
    const viewAction = `${OBJECT_ACTIONS[permission].kind}.view` as ObjectAction;
    if (!located || !can(actor, viewAction, located.securable)) {
      const object = { kind: authorize.auditKind ?? OBJECT_ACTIONS[permission].kind, uuid: authorize.requestedUuid?.(input) ?? null };
      const message = typeof authorize.notFound === "function" ? authorize.notFound(input) : authorize.notFound;
      return recordRefusal(actor, { action, code: "NOT_FOUND", message, object, params });
    }
    if (!can(actor, permission, located.securable)) {
      return recordRefusal(actor, { action, code: "NOT_ALLOWED", message: NOT_ALLOWED, object: located.object, poolId: located.poolId, params });
    }
  }

  // 4. Act, then 5. audit.
  const entry = (): AuditInput => ({
    actor,
    address,
    action: outcomeName(spec, input),
    object: located?.object ?? spec.auditObject?.(input) ?? null,
    poolId: located?.poolId ?? spec.auditPoolId?.(input) ?? null,
    params,
    outcome: "ok",
  });
  let recorded = false;
  const taskClass = located ? TASK_CLASS_BY_KIND[located.object.kind] : undefined;
  let taskUuid: string | undefined;
  let taskRef: string | undefined;
  const context: ActionContext<unknown, unknown> = {
    actor,
    input,
    target: located?.value,
    address,
    params,
    task: {
      timeoutMs: TASK_TIMEOUT_MS,
      startedBy: { id: actor.id, username: actor.username },
      about: taskClass && located ? { cls: taskClass, uuid: located.object.uuid } : undefined,
      onTask: (ref) => {
        taskRef ??= ref;
      },
      onProgress: (_progress, task) => {
        taskUuid ??= task.uuid;
      },
    },
    async recordInTransaction(tx, extra) {
      const base = entry();
      await recordAuditInTransaction(tx, {
        ...base,
        action: extra?.action ?? base.action,
        object: extra?.object ?? base.object,
        poolId: extra?.poolId ?? base.poolId,
        // What the change did, when the repository says so; else what was asked.
        params: extra?.params ?? params,
      });
      recorded = true;
    },
  };
  const task = () => taskUuid ?? taskRef ?? null;
  let result: ActionResult;
  try {
    result = await spec.run(context);
  } catch (thrown) {
    const followUp = thrown instanceof FollowUpError;
    const error = followUp ? thrown.cause : thrown;
    if (isXapiError(error)) {
      const described = describeXapiError(error, spec.describe?.({ input, target: located?.value }) ?? {});
      result = failure(followUp ? `${thrown.done}: ${described}` : described, undefined, error.code);
      if (followUp) result.followUp = true;
    } else {
      console.error(`[xendeck] ${action} failed unexpectedly`, error);
      result = failure(followUp ? `${thrown.done}: ${INTERNAL_ERROR}` : INTERNAL_ERROR, undefined, "XENDECK_INTERNAL_ERROR");
      if (followUp) result.followUp = true;
    }
  }
  // Bulk actions: each item was authorized and audited by the action the run called.
  if ("each" in spec.authorize) return result;
  if (result.ok) {
    if (!recorded && !spec.query) await audit({ ...entry(), taskRef: task() });
  } else if (isRefusalResult(result)) {
    await audit({ ...entry(), outcome: "refused", error: { code: result.code ?? "NOT_ALLOWED", message: result.error }, taskRef: task() });
  } else {
    await audit({ ...entry(), outcome: "error", error: { code: result.code ?? "FAILED", message: result.error }, taskRef: task() });
  }
  return result;
}

/**
 * Thrown by a run once its main step succeeded and a later one failed (a VM deleted, one of its disks left): the
 * answer says what was done (`done`), then why the rest failed (`cause`, in words), and is marked `followUp`.
 */
export class FollowUpError extends Error {
  constructor(
    readonly done: string,
    override readonly cause: unknown,
  ) {
    super(done);
    this.name = "FollowUpError";
  }
}

export type { ActionFailure, ActionResult };
