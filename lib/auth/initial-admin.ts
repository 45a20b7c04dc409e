/** The first account, so that a fresh installation can be administered. */
import "server-only";
import { randomBytes } from "node:crypto";
import { recordChangeInTransaction } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { lockedMutation } from "@/lib/db/transaction";
import { hashPassword } from "./password";

export const INITIAL_ADMIN_USERNAME = "admin";

export type InitialAdminResult =
  | { created: false }
  /** `generatedPassword` is set when XENDECK_ADMIN_PASSWORD was not: show it once, never log it elsewhere. */
  | { created: true; username: string; generatedPassword: string | null };

/**
 * When the database has no user at all, creates the global admin `admin` with XENDECK_ADMIN_PASSWORD, or with
 * a generated password that is returned (only this once). Does nothing otherwise.
 */
export async function ensureInitialAdmin(): Promise<InitialAdminResult> {
  if ((await getDb().user.count()) > 0) return { created: false };
  const configured = getConfig().initialAdminPassword;
  const password = configured ?? randomBytes(18).toString("base64url");
  const passwordHash = await hashPassword(password);
  const result = await lockedMutation<{ created: boolean }>("accounts", async (tx) => {
    // Checked again under the lock: another instance may have been quicker.
    if ((await tx.user.count()) > 0) return { ok: true, created: false };
    const user = await tx.user.create({
      data: { username: INITIAL_ADMIN_USERNAME, displayName: "Administrator", passwordHash, isAdmin: true },
    });
    await recordChangeInTransaction(tx, user, {
      action: "user.create",
      object: { kind: "user", uuid: user.id, label: user.username },
      params: { initialAdmin: true, passwordFrom: configured ? "XENDECK_ADMIN_PASSWORD" : "generated" },
    });
    return { ok: true, created: true };
  });
  if (!result.ok || !result.created) return { created: false };
  return { created: true, username: INITIAL_ADMIN_USERNAME, generatedPassword: configured ? null : password };
}
