/**
 * Authorization for mutations, with the refusal audited: the issue asks that every refused action be recorded.
 * Use it at the top of every server-side mutation (repositories here, VM actions in lib/actions).
 */
import "server-only";
import { recordAnonymousAudit } from "@/lib/audit/anonymous";
import { recordAudit, type AuditInput } from "@/lib/audit/record";
import type { MutationFailure } from "@/lib/actions/result";
import { can, type GlobalAction, type ObjectAction, type Securable } from "./can";
import { currentClientAddress } from "@/lib/auth/request-context";
import { pendingAccountStep, type CurrentUser } from "@/lib/auth/session-user";

export const NOT_ALLOWED = "You are not allowed to do this.";
export const NOT_SIGNED_IN = "Your session has ended. Please sign in again.";
export const PASSWORD_CHANGE_REQUIRED = "Please change your password first.";
export const TWO_FACTOR_ENROLMENT_REQUIRED = "Please set up two-factor login first.";

type Permission = { action: GlobalAction; target?: undefined } | { action: ObjectAction; target: Securable };

/**
 * Null when `actor` may perform `action` (on `target`); otherwise records a `refused` audit entry naming
 * `object` and returns the failure to show. Actors with a step pending (a password to change, two-factor login
 * to set up) are refused everything.
 */
export async function refuseUnlessAllowed(
  actor: CurrentUser | null,
  permission: Permission,
  audit: Pick<AuditInput, "object" | "poolId" | "params"> = {},
): Promise<MutationFailure | null> {
  let reason: { code: string; message: string } | null = null;
  if (!actor) reason = { code: "NOT_SIGNED_IN", message: NOT_SIGNED_IN };
  else if (pendingAccountStep(actor) === "change-password") reason = { code: "PASSWORD_CHANGE_REQUIRED", message: PASSWORD_CHANGE_REQUIRED };
  else if (pendingAccountStep(actor) === "enrol-two-factor") reason = { code: "TWO_FACTOR_ENROLMENT_REQUIRED", message: TWO_FACTOR_ENROLMENT_REQUIRED };
  else if (!can(actor, permission.action, permission.target as Securable)) reason = { code: "NOT_ALLOWED", message: NOT_ALLOWED };
  if (!reason) return null;
  const entry: AuditInput = { actor, address: await currentClientAddress(), action: permission.action, ...audit, outcome: "refused", error: reason };
  // Without a session anyone can send these: rate-limited and size-capped per address.
  await (actor ? recordAudit(entry) : recordAnonymousAudit(entry));
  return { ok: false, error: reason.message };
}
