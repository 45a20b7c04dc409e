"use server";
/** The security settings: global admins only (`users.manage`); lib/auth/two-factor-policy.ts authorizes and audits. */
import { revalidatePath } from "next/cache";
import { actingUser, isRefusal } from "@/lib/access/acting-user";
import { formFields } from "@/lib/admin/action-input";
import { formState, type FormState } from "@/lib/actions/form-state";
import { setTwoFactorPolicy } from "@/lib/auth/two-factor-policy";

export async function setTwoFactorPolicyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser({ action: "users.manage" }, { object: { kind: "setting" }, params: { operation: "two-factor-policy" } });
  if (isRefusal(actor)) return formState(actor, "");
  const result = await setTwoFactorPolicy(actor, formFields(formData));
  if (result.ok) revalidatePath("/", "layout");
  return formState(result, "Saved. It applies at everyone's next request.");
}
