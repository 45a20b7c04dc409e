/**
 * The access version: one number that moves whenever anybody's grants may have changed. Every write to the ACL,
 * group or membership tables calls `bumpAccessVersion` in its own transaction, so the new version commits with
 * the change or not at all; `lib/auth/session-user.ts` reads it with the user on every request and re-reads a
 * user's grants only when it moved.
 */
import "server-only";
import type { DbTransaction } from "@/lib/db/client";

/** The id of the table's one row (created by the first bump). */
export const ACCESS_VERSION_ROW = 1;

/** Moves the access version on, inside the transaction that changes grants. */
export async function bumpAccessVersion(tx: DbTransaction): Promise<void> {
  await tx.accessVersion.upsert({
    where: { id: ACCESS_VERSION_ROW },
    create: { id: ACCESS_VERSION_ROW, version: 1 },
    update: { version: { increment: 1 } },
  });
}
