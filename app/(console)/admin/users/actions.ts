"use server";
/**
 * Server actions of the account pages. Each: parse (lib/admin/action-input.ts), authenticate (actingUser), then
 * the repository authorizes (`users.manage`, global admins only), enforces the last-admin rule, acts and audits.
 * Nothing is trusted from the browser but the ids, and the repository checks those.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { actingUser, isRefusal } from "@/lib/access/acting-user";
import { formFields, parseCreateUser, parseId, parseResetPassword, parseSetUserDisabled, parseUpdateUser } from "@/lib/admin/action-input";
import { formState, type FormState } from "@/lib/actions/form-state";
import { USERS_PATH, userHref } from "@/lib/admin/paths";
import { endAllUserSessions } from "@/lib/auth/session-management";
import { resetTwoFactor } from "@/lib/auth/two-factor";
import { createUser, deleteUser, resetUserPassword, updateUser } from "@/lib/auth/users";
import type { MutationResult } from "@/lib/actions/result";

const MANAGE = { action: "users.manage" } as const;
const audit = (operation: string) => ({ object: { kind: "user" }, params: { operation } });

export async function createUserAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("create"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseCreateUser(formData);
  const values = {
    username: String(formData.get("username") ?? ""),
    displayName: String(formData.get("displayName") ?? ""),
    accountType: String(formData.get("accountType") ?? ""),
    mustChangePassword: formData.get("mustChangePassword") === null ? "" : "on",
  };
  if (!parsed.ok) return formState(parsed, "", values);
  const result = await createUser(actor, parsed.data);
  if (!result.ok) return formState(result, "", values);
  revalidatePath(USERS_PATH);
  redirect(userHref(result.user.id));
}

export async function updateUserAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("update"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseUpdateUser(formData);
  if (!parsed.ok) return formState(parsed, "");
  const result = await updateUser(actor, parsed.data.userId, parsed.data.changes);
  if (result.ok) revalidatePath(USERS_PATH, "layout");
  return formState(result, "Saved.");
}

export async function setUserDisabledAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("update"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseSetUserDisabled(formData);
  if (!parsed.ok) return formState(parsed, "");
  const result = await updateUser(actor, parsed.data.userId, { disabled: parsed.data.disabled });
  if (result.ok) revalidatePath(USERS_PATH, "layout");
  return formState(result, parsed.data.disabled ? "Account disabled: its sessions have ended." : "Account enabled.");
}

export async function resetPasswordAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("reset-password"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseResetPassword(formData);
  if (!parsed.ok) return formState(parsed, "");
  const result = await resetUserPassword(actor, parsed.data.userId, { newPassword: parsed.data.newPassword });
  if (!result.ok) return formState(result, "");
  revalidatePath(USERS_PATH, "layout");
  const message = "Password reset: the user's sessions have ended, and they must choose a new password when they next log in.";
  return parsed.data.generated ? { ok: true, message, shownOnce: parsed.data.newPassword } : { ok: true, message };
}

/** For the delete dialog: returns the outcome, and leaves for the user list on success. */
export async function deleteUserAction(input: unknown): Promise<MutationResult> {
  const actor = await actingUser(MANAGE, audit("delete"));
  if (isRefusal(actor)) return actor;
  const parsed = parseId(input, "userId");
  if (!parsed.ok) return parsed;
  const result = await deleteUser(actor, parsed.data.userId);
  if (!result.ok) return result;
  revalidatePath(USERS_PATH, "layout");
  redirect(USERS_PATH);
}

export async function endUserSessionsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("end-sessions"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseId(formFields(formData), "userId");
  if (!parsed.ok) return formState(parsed, "");
  const result = await endAllUserSessions(actor, parsed.data.userId);
  if (result.ok) revalidatePath(USERS_PATH, "layout");
  return formState(result, result.ok ? `Sessions ended: ${result.ended}.` : "");
}

/** For the confirmation dialog: removes the user's second factor (a lost phone). */
export async function resetTwoFactorAction(input: unknown): Promise<MutationResult> {
  const actor = await actingUser(MANAGE, audit("reset-two-factor"));
  if (isRefusal(actor)) return actor;
  const parsed = parseId(input, "userId");
  if (!parsed.ok) return parsed;
  const result = await resetTwoFactor(actor, parsed.data.userId);
  if (result.ok) revalidatePath(USERS_PATH, "layout");
  return result;
}
