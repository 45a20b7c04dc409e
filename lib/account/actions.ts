/**
 * What every user does with their own account (Settings): change their password. The current password is
 * required; every other session of the user ends, and this browser gets a renewed session so that it stays
 * signed in. Allowed while a password change is required (that is what it is for).
 */
import "server-only";
import { defineAction } from "@/lib/actions/define";
import { changeOwnPassword, changeOwnPasswordSchema } from "@/lib/auth/users";
import type { ActionResult } from "@/lib/result";

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
    const result = await changeOwnPassword(actor, input, recordInTransaction);
    if (!result.ok) return result;
    // Loaded here, in a request (this browser's cookie is renewed): scripts never load Next's request APIs.
    const { renewSession } = await import("@/lib/auth/current-user");
    await renewSession(actor.id, result.sessionEpoch);
    return { ok: true, message: "Password changed. Your other sessions have ended.", wasRequired: actor.mustChangePassword };
  },
});
