"use server";
/**
 * Ending one of one's own sessions: a public endpoint, so it authenticates here; lib/auth/session-management.ts
 * ends only a session of the asking user, and audits. Ending this browser's own session is a logout.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formFields } from "@/lib/admin/action-input";
import { formState, type FormState } from "@/lib/actions/form-state";
import { getCurrentUser } from "@/lib/auth/current-user";
import { LOGIN_PATH, SESSIONS_PATH } from "@/lib/auth/paths";
import { endOwnSession } from "@/lib/auth/session-management";

export async function endSessionAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const result = await endOwnSession(await getCurrentUser(), formFields(formData));
  if (result.ok && result.endedCurrent) redirect(LOGIN_PATH);
  if (result.ok) revalidatePath(SESSIONS_PATH);
  return formState(result, "Session ended.");
}
