/**
 * The hash chain of the audit log: each entry's hash is SHA-256 over the previous entry's hash and a canonical
 * serialisation of the entry's own fields (a JSON array in fixed order, so no key order or whitespace can vary).
 * Changing any field of a stored entry, or removing one, breaks the chain at that point.
 */
import { createHash } from "node:crypto";

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** The stored fields the hash covers (every column but `prevHash` and `hash` themselves). */
export interface ChainedFields {
  id: number;
  at: Date;
  actorId: string | null;
  actorUsername: string | null;
  address: string | null;
  action: string;
  objectKind: string | null;
  objectUuid: string | null;
  objectLabel: string | null;
  poolId: string | null;
  params: string;
  outcome: string;
  errorCode: string | null;
  errorText: string | null;
  taskRef: string | null;
}

/** The canonical text of an entry (format v1). */
export function canonicalEntry(fields: ChainedFields): string {
  return JSON.stringify([
    "v1",
    fields.id,
    fields.at.toISOString(),
    fields.actorId,
    fields.actorUsername,
    fields.address,
    fields.action,
    fields.objectKind,
    fields.objectUuid,
    fields.objectLabel,
    fields.poolId,
    fields.params,
    fields.outcome,
    fields.errorCode,
    fields.errorText,
    fields.taskRef,
  ]);
}

/** The hash of an entry that follows the entry whose hash is `prevHash`. */
export function entryHash(prevHash: string, fields: ChainedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalEntry(fields)).digest("hex");
}
