"use server";
/** One's own two-factor login (declared in lib/account/actions.ts). */
import {
  confirmTwoFactorEnrolmentAction as confirmTwoFactorEnrolment,
  disableTwoFactorAction as disableTwoFactor,
  regenerateRecoveryCodesAction as regenerateRecoveryCodes,
  startTwoFactorEnrolmentAction as startTwoFactorEnrolment,
} from "@/lib/account/actions";

export const startTwoFactorEnrolmentAction = startTwoFactorEnrolment;
export const confirmTwoFactorEnrolmentAction = confirmTwoFactorEnrolment;
export const regenerateRecoveryCodesAction = regenerateRecoveryCodes;
export const disableTwoFactorAction = disableTwoFactor;
