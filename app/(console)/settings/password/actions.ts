"use server";
/** Changing one's own password (declared in lib/account/actions.ts). */
import { changePasswordAction as changePassword } from "@/lib/account/actions";

export const changePasswordAction = changePassword;
