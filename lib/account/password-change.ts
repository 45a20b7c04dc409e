/**
 * Why a user must choose a password before anything else: their account is new (an administrator chose its first
 * password, to be replaced at the first login) or an administrator reset it. Both set the same flag on the
 * account; the audit log tells them apart (a reset is recorded as `user.reset_password` on the account).
 */
import "server-only";
import { getDb, type Db } from "@/lib/db/client";

export type RequiredPasswordChange = "new-account" | "reset";

export async function requiredPasswordChange(userId: string, db: Db = getDb()): Promise<RequiredPasswordChange> {
  const reset = await db.auditEntry.findFirst({
    where: { action: "user.reset_password", objectKind: "user", objectUuid: userId, outcome: "ok" },
    select: { id: true },
  });
  return reset ? "reset" : "new-account";
}
