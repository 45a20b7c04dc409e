"use server";
/**
 * Server actions of the two-factor page: public endpoints, so each authenticates here (any signed-in user, for
 * their own account; allowed while enrolment is required, which is what the page is for) and the functions of
 * lib/auth/two-factor.ts check the codes, throttle, act and audit.
 */
import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/admin/action-input";
import type { FormState } from "@/lib/actions/form-state";
import { formState } from "@/lib/actions/form-state";
import type { MutationResult } from "@/lib/actions/result";
import { getCurrentUser } from "@/lib/auth/current-user";
import { TWO_FACTOR_PATH } from "@/lib/auth/paths";
import { confirmTwoFactorEnrolment, disableTwoFactor, regenerateRecoveryCodes, startTwoFactorEnrolment } from "@/lib/auth/two-factor";

/** What the forms that hand out recovery codes get back: the codes, once. */
export type RecoveryCodesState = null | { ok: true; recoveryCodes: string[] } | Exclude<FormState, null | { ok: true }>;

function recoveryCodesState(result: MutationResult<{ recoveryCodes: string[] }>): RecoveryCodesState {
  if (result.ok) return { ok: true, recoveryCodes: result.recoveryCodes };
  return { ok: false, error: result.error, ...(result.fieldErrors ? { fieldErrors: result.fieldErrors } : {}) };
}

export async function startTwoFactorEnrolmentAction(): Promise<FormState> {
  const result = await startTwoFactorEnrolment(await getCurrentUser());
  if (result.ok) revalidatePath(TWO_FACTOR_PATH);
  return formState(result, "Scan the QR code with your authenticator app.");
}

/** Confirms enrolment; the page is not re-rendered here, so that the recovery codes stay on screen until read. */
export async function confirmTwoFactorEnrolmentAction(_previous: RecoveryCodesState, formData: FormData): Promise<RecoveryCodesState> {
  return recoveryCodesState(await confirmTwoFactorEnrolment(await getCurrentUser(), formFields(formData)));
}

export async function regenerateRecoveryCodesAction(_previous: RecoveryCodesState, formData: FormData): Promise<RecoveryCodesState> {
  return recoveryCodesState(await regenerateRecoveryCodes(await getCurrentUser(), formFields(formData)));
}

export async function disableTwoFactorAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const result = await disableTwoFactor(await getCurrentUser(), formFields(formData));
  if (result.ok) revalidatePath(TWO_FACTOR_PATH);
  return formState(result, "Two-factor login is off.");
}
