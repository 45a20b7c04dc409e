/**
 * What every user does with their own account (Settings): change their password, set up or turn off two-factor
 * login, end their sessions. All `self` actions: on the actor's own account, nobody else's. Allowed before a
 * required step where they are that step (the password change, the enrolment).
 */
import "server-only";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define";
import { endOwnSession, endSessionSchema } from "@/lib/auth/session-management";
import { codeSchema, confirmTwoFactorEnrolment, disableTwoFactor, regenerateRecoveryCodes, startTwoFactorEnrolment } from "@/lib/auth/two-factor";
import { changeOwnPassword, changeOwnPasswordSchema } from "@/lib/auth/users";
import type { ActionResult } from "@/lib/result";
import { LOGIN_PATH, SESSIONS_PATH, TWO_FACTOR_PATH } from "@/lib/routes";

/** The actor's own account, in the audit entry (the change names it fully; a refusal has no more to say). */
const ownAccount = () => ({ kind: "user" });
/** Codes and session ids are secrets: the entries record that the action ran, never what was typed. */
const nothing = () => ({});

export const changePasswordAction = defineAction({
  name: "user.change-password",
  input: changeOwnPasswordSchema,
  authorize: { self: "user.change_password" },
  allowedBeforePasswordChange: true,
  auditObject: () => ({ kind: "user" }),
  auditParams: () => ({}),
  // A user who had to change their password goes on to the console.
  redirectTo: (result: { wasRequired: boolean }) => (result.wasRequired ? "/" : null),
  async run({ actor, input, recordInTransaction }): Promise<ActionResult<{ message: string; wasRequired: boolean }>> {
    // Every other session of the user ends; this browser's session stays.
    const result = await changeOwnPassword(actor, input, recordInTransaction);
    if (!result.ok) return result;
    return { ok: true, message: "Password changed. Your other sessions have ended.", wasRequired: actor.mustChangePassword };
  },
});

export const startTwoFactorEnrolmentAction = defineAction({
  name: "user.two-factor.start",
  input: z.object({}),
  authorize: { self: "user.two_factor.start" },
  allowedBeforeTwoFactorEnrolment: true,
  auditObject: ownAccount,
  auditParams: nothing,
  revalidate: [TWO_FACTOR_PATH],
  async run({ actor }): Promise<ActionResult<{ message: string }>> {
    const result = await startTwoFactorEnrolment(actor);
    return result.ok ? { ok: true, message: "Scan the QR code with your authenticator app." } : result;
  },
});

/** Not revalidated: the page keeps showing the recovery codes until the user has saved them. */
export const confirmTwoFactorEnrolmentAction = defineAction({
  name: "user.two-factor.enable",
  input: codeSchema,
  authorize: { self: "user.two_factor.enable" },
  allowedBeforeTwoFactorEnrolment: true,
  auditObject: ownAccount,
  auditParams: nothing,
  run: ({ actor, input, recordInTransaction }) => confirmTwoFactorEnrolment(actor, input, recordInTransaction),
});

export const regenerateRecoveryCodesAction = defineAction({
  name: "user.two-factor.recovery-codes",
  input: codeSchema,
  authorize: { self: "user.two_factor.recovery_codes" },
  auditObject: ownAccount,
  auditParams: nothing,
  run: ({ actor, input, recordInTransaction }) => regenerateRecoveryCodes(actor, input, recordInTransaction),
});

export const disableTwoFactorAction = defineAction({
  name: "user.two-factor.disable",
  input: codeSchema,
  authorize: { self: "user.two_factor.disable" },
  auditObject: ownAccount,
  auditParams: nothing,
  revalidate: [TWO_FACTOR_PATH],
  async run({ actor, input, recordInTransaction }): Promise<ActionResult<{ message: string }>> {
    const result = await disableTwoFactor(actor, input, recordInTransaction);
    return result.ok ? { ok: true, message: "Two-factor login is off." } : result;
  },
});

/** Ends one of the actor's sessions; ending this browser's own is a logout. */
export const endSessionAction = defineAction({
  name: "session.end",
  input: endSessionSchema,
  authorize: { self: "session.end" },
  auditObject: ownAccount,
  auditParams: nothing,
  revalidate: [SESSIONS_PATH],
  redirectTo: (result: { endedCurrent: boolean }) => (result.endedCurrent ? LOGIN_PATH : null),
  async run({ actor, input, recordInTransaction }): Promise<ActionResult<{ message: string; endedCurrent: boolean }>> {
    const result = await endOwnSession(actor, input, recordInTransaction);
    return result.ok ? { ...result, message: "Session ended." } : result;
  },
});
