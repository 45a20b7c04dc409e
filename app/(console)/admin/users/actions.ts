"use server";
/** Server actions of the account pages (declared in lib/admin/actions.ts; global admins only). */
import {
  createUserAction as createUser,
  deleteUserAction as deleteUser,
  endUserSessionsAction as endUserSessions,
  resetPasswordAction as resetPassword,
  resetTwoFactorAction as resetTwoFactor,
  setUserDisabledAction as setUserDisabled,
  updateUserAction as updateUser,
} from "@/lib/admin/actions";

export const createUserAction = createUser;
export const updateUserAction = updateUser;
export const setUserDisabledAction = setUserDisabled;
export const resetPasswordAction = resetPassword;
export const deleteUserAction = deleteUser;
export const endUserSessionsAction = endUserSessions;
export const resetTwoFactorAction = resetTwoFactor;
