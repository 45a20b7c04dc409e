/**
 * Refusals, audited: every refused action is recorded (who, what, on which object, why), then answered with a
 * sentence. Server actions refuse through the action pipeline (lib/actions/define.ts), which calls this.
 */
import "server-only";
import { recordAnonymousAudit } from "@/lib/audit/anonymous";
import { recordAudit, type AuditInput } from "@/lib/audit/record";
import { failure, type ActionFailure } from "@/lib/result";
import { currentClientAddress } from "@/lib/auth/request-context";
import type { CurrentUser } from "@/lib/auth/session-user";

export const NOT_ALLOWED = "You are not allowed to do this.";
export const NOT_SIGNED_IN = "Your session has ended. Please sign in again.";
export const PASSWORD_CHANGE_REQUIRED = "Please change your password first.";
export const TWO_FACTOR_ENROLMENT_REQUIRED = "Please set up two-factor login first.";

export interface Refusal extends Pick<AuditInput, "object" | "poolId" | "params"> {
  /** The action refused, as the audit log names it. */
  action: string;
  code: string;
  /** The sentence the user sees (and the audit entry keeps). */
  message: string;
}

/**
 * Records `refusal` for `actor` (null: no valid session) and returns the failure to answer with. A refusal is
 * answered even when the audit log cannot be written (the error is logged): refusing never depends on it.
 * Without a session anyone can send these: they are rate-limited and size-capped per address
 * (lib/audit/anonymous.ts).
 */
export async function recordRefusal(actor: CurrentUser | null, refusal: Refusal): Promise<ActionFailure> {
  const { action, code, message, ...about } = refusal;
  try {
    const entry: AuditInput = { actor, address: await currentClientAddress(), action, ...about, outcome: "refused", error: { code, message } };
    await (actor ? recordAudit(entry) : recordAnonymousAudit(entry));
  } catch (error) {
    console.error(`[xendeck audit] could not record the refusal of ${action} (${code}): ${String(error)}`);
  }
  return failure(message, undefined, code);
}
