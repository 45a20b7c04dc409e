/** Verification of the audit log's hash chain. */
import "server-only";
import { getDb, type Db } from "@/lib/db/client";
import { entryHash, GENESIS_HASH } from "./chain";

export type AuditChainVerification =
  | { ok: true; count: number }
  /** `firstBrokenId`: the first entry that was changed, or the first missing id when entries were deleted. */
  | { ok: false; firstBrokenId: number; reason: string };

const BATCH = 1000;

/**
 * Walks the whole log in id order and checks that ids are contiguous from 1, that each entry links to the hash
 * of the one before, and that each hash matches the entry's content. Reports the first broken link.
 * (Deleting the most recent entries cannot be detected from the log alone.)
 */
export async function verifyAuditChain(db: Db = getDb()): Promise<AuditChainVerification> {
  let expectedId = 1;
  let prevHash = GENESIS_HASH;
  let first = true;
  for (;;) {
    const rows = await db.auditEntry.findMany({ where: first ? {} : { id: { gte: expectedId } }, orderBy: { id: "asc" }, take: BATCH });
    first = false;
    for (const row of rows) {
      if (row.id < expectedId) {
        return { ok: false, firstBrokenId: row.id, reason: `Entry #${row.id} is out of sequence (inserted into the log)` };
      }
      if (row.id > expectedId) {
        const range = row.id - 1 === expectedId ? `#${expectedId} is` : `#${expectedId}–#${row.id - 1} are`;
        return { ok: false, firstBrokenId: expectedId, reason: `Entry ${range} missing (deleted from the log)` };
      }
      if (row.prevHash !== prevHash) {
        return { ok: false, firstBrokenId: row.id, reason: `Entry #${row.id} does not link to the entry before it (that entry or this link was changed)` };
      }
      const { prevHash: _stored, hash, ...fields } = row;
      if (entryHash(prevHash, fields) !== hash) {
        return { ok: false, firstBrokenId: row.id, reason: `Entry #${row.id} was modified: its content does not match its hash` };
      }
      prevHash = hash;
      expectedId += 1;
    }
    if (rows.length < BATCH) return { ok: true, count: expectedId - 1 };
  }
}
