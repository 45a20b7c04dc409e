"use server";
/** Server actions of the security settings (declared in lib/admin/actions.ts; global admins only). */
import { setTwoFactorPolicyAction as setTwoFactorPolicy } from "@/lib/admin/actions";

export const setTwoFactorPolicyAction = setTwoFactorPolicy;
