"use server";
/**
 * Changing one's own password. The current password is required; every other session of the user ends, this
 * browser's stays. Allowed while a password change is required (that is what it is for).
 */
import { redirect } from "next/navigation";
import { formFields } from "@/lib/admin/action-input";
import type { FormState } from "@/lib/actions/form-state";
import { formState } from "@/lib/actions/form-state";
import { recordAnonymousAudit } from "@/lib/audit/anonymous";
import { getCurrentUser } from "@/lib/auth/current-user";
import { NOT_SIGNED_IN } from "@/lib/access/refusal";
import { currentClientAddress } from "@/lib/auth/request-context";
import { changeOwnPassword } from "@/lib/auth/users";

export async function changePasswordAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await getCurrentUser();
  if (!actor) {
    await recordAnonymousAudit({
      actor: null,
      address: await currentClientAddress(),
      action: "user.change_password",
      outcome: "refused",
      error: { code: "NOT_SIGNED_IN", message: NOT_SIGNED_IN },
    });
    return { ok: false, error: NOT_SIGNED_IN };
  }
  const result = await changeOwnPassword(actor, formFields(formData));
  if (!result.ok) return formState(result, "");
  if (actor.mustChangePassword) redirect("/");
  return { ok: true, message: "Password changed. Your other sessions have ended." };
}
