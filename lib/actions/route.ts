/**
 * The first step of a route handler (GET /api/...): who is asking, and may they. The same refusals as the action
 * pipeline (lib/actions/define.ts), audited the same way, answered with an HTTP status.
 */
import "server-only";
import { can, type GlobalAction } from "@/lib/access/can";
import { NOT_ALLOWED, NOT_SIGNED_IN, recordRefusal, type Refusal } from "@/lib/access/refusal";
import { getCurrentUser } from "@/lib/auth/current-user";
import { pendingAccountStep, type CurrentUser } from "@/lib/auth/session-user";

export type RouteRefusal = { refused: true; status: 401 | 403; error: string };

/** The signed-in user allowed `action`, or the audited refusal (401 without a session, 403 otherwise). */
export async function routeUser(action: GlobalAction, about: Omit<Refusal, "action" | "code" | "message"> = {}): Promise<CurrentUser | RouteRefusal> {
  const actor = await getCurrentUser();
  if (!actor) {
    await recordRefusal(null, { action, code: "NOT_SIGNED_IN", message: NOT_SIGNED_IN, ...about });
    return { refused: true, status: 401, error: NOT_SIGNED_IN };
  }
  if (pendingAccountStep(actor) || !can(actor, action)) {
    await recordRefusal(actor, { action, code: "NOT_ALLOWED", message: NOT_ALLOWED, ...about });
    return { refused: true, status: 403, error: NOT_ALLOWED };
  }
  return actor;
}

/**
 * The signed-in user of a route open to everyone signed in (what it answers is filtered by `can()`), or null
 * without a session or while the account has a step pending (password change, two-factor enrolment).
 */
export async function signedInUser(): Promise<CurrentUser | null> {
  const user = await getCurrentUser();
  return user && !pendingAccountStep(user) ? user : null;
}

export const isRouteRefusal = (value: CurrentUser | RouteRefusal): value is RouteRefusal => "refused" in value;
