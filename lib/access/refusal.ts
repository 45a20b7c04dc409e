/**
 * Authorization for mutations, with the refusal audited: the issue asks that every refused action be recorded.
 * Use it at the top of every server-side mutation (repositories here, VM actions in lib/actions).
 */
import "server-only";
import { recordAudit, type AuditInput } from "@/lib/audit/record";
import type { MutationFailure } from "@/lib/actions/result";
import { can, type GlobalAction, type ObjectAction, type Securable } from "./can";
import { currentClientAddress } from "@/lib/auth/request-context";
import type { CurrentUser } from "@/lib/auth/session-user";

export const NOT_ALLOWED = "You are not allowed to do this.";
export const NOT_SIGNED_IN = "Your session has ended. Please sign in again.";
export const PASSWORD_CHANGE_REQUIRED = "Please change your password first.";

type Permission = { action: GlobalAction; target?: undefined } | { action: ObjectAction; target: Securable };

/**
 * Null when `actor` may perform `action` (on `target`); otherwise records a `refused` audit entry naming
 * `object` and returns the failure to show. Actors who must change their password are refused everything.
 */
export async function refuseUnlessAllowed(
  actor: CurrentUser | null,
  permission: Permission,
  audit: Pick<AuditInput, "object" | "poolId" | "params"> = {},
): Promise<MutationFailure | null> {
  let reason: { code: string; message: string } | null = null;
  if (!actor) reason = { code: "NOT_SIGNED_IN", message: NOT_SIGNED_IN };
  else if (actor.mustChangePassword) reason = { code: "PASSWORD_CHANGE_REQUIRED", message: PASSWORD_CHANGE_REQUIRED };
  else if (!can(actor, permission.action, permission.target as Securable)) reason = { code: "NOT_ALLOWED", message: NOT_ALLOWED };
  if (!reason) return null;
  await recordAudit({
    actor,
    address: await currentClientAddress(),
    action: permission.action,
    ...audit,
    outcome: "refused",
    error: reason,
  });
  return { ok: false, error: reason.message };
}
