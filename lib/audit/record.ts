/**
 * Appending to the audit log. This module (with verify.ts and query.ts) is the only code that touches the
 * AuditEntry table, and it exports no way to change or delete an entry.
 *
 * Appends are serialised by the "audit" lock (lib/db/transaction.ts), which holds across app instances: each
 * entry gets the next id and the hash of the entry before it.
 */
import "server-only";
import { getDb, type Db, type DbTransaction } from "@/lib/db/client";
import { currentClientAddress } from "@/lib/auth/request-context";
import { lockedTransaction, takeLock } from "@/lib/db/transaction";
import { entryHash, GENESIS_HASH, type ChainedFields } from "./chain";
import { sanitizeParams } from "./params";

export const AUDIT_OUTCOMES = ["ok", "error", "refused"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What happened, as given by the code that did it. */
export interface AuditInput {
  /** Who acted; null for anonymous events (then give `attemptedUsername` for a login attempt). */
  actor: { id: string; username: string } | null;
  /** The username typed in a failed login (stored as the actor's username, with no actor id). */
  attemptedUsername?: string | null;
  /** The client address (lib/auth/request-context.ts). */
  address?: string | null;
  /** A dotted action name: a `can()` action such as `vm.start`, or an event such as `auth.login`, `user.create`. */
  action: string;
  /** The object acted on: a XAPI object (kind + uuid), or a XenDeck one (`user`, `group`, `acl`, `pool-registration`). */
  object?: { kind: string; uuid?: string | null; label?: string | null } | null;
  /** The registered pool concerned (Pool.id), if any. */
  poolId?: string | null;
  /** Parameters of the action. Keys that look like secrets are dropped (lib/audit/params.ts). */
  params?: Record<string, unknown> | null;
  outcome: AuditOutcome;
  /** For `error` (a XAPI error code and readable message) or `refused` (why). */
  error?: { code?: string | null; message?: string | null } | null;
  /** The XAPI task that ran the action. */
  taskRef?: string | null;
}

/** A stored audit entry. */
export interface AuditEntryDto extends Omit<ChainedFields, "params"> {
  params: Record<string, unknown>;
  outcome: AuditOutcome;
  prevHash: string;
  hash: string;
}

const cap = (text: string | null | undefined, max: number) => (text == null ? null : text.length > max ? `${text.slice(0, max)}…` : text);

function fieldsOf(input: AuditInput, id: number, at: Date): ChainedFields {
  if (!/^[a-z][a-z0-9_.-]{0,99}$/i.test(input.action)) throw new Error(`Invalid audit action name: ${JSON.stringify(input.action)}`);
  if (!AUDIT_OUTCOMES.includes(input.outcome)) throw new Error(`Invalid audit outcome: ${JSON.stringify(input.outcome)}`);
  return {
    id,
    at,
    actorId: input.actor?.id ?? null,
    actorUsername: cap(input.actor?.username ?? input.attemptedUsername, 200),
    address: cap(input.address, 100),
    action: input.action,
    objectKind: cap(input.object?.kind, 50),
    objectUuid: cap(input.object?.uuid, 200),
    objectLabel: cap(input.object?.label, 500),
    poolId: cap(input.poolId, 100),
    params: sanitizeParams(input.params),
    outcome: input.outcome,
    errorCode: cap(input.error?.code, 200),
    errorText: cap(input.error?.message, 2000),
    taskRef: cap(input.taskRef, 200),
  };
}

/** Maps a stored row to the DTO. */
export function toAuditEntryDto(row: ChainedFields & { prevHash: string; hash: string }): AuditEntryDto {
  let params: Record<string, unknown>;
  try {
    params = JSON.parse(row.params) as Record<string, unknown>;
  } catch {
    params = {};
  }
  return { ...row, params, outcome: row.outcome as AuditOutcome };
}

/**
 * Appends an entry inside the caller's transaction, so that a change and its audit entry commit together.
 * Takes the audit lock: call it last in the transaction (locks are taken in the order of `LockName`).
 */
export async function recordAuditInTransaction(tx: DbTransaction, input: AuditInput): Promise<AuditEntryDto> {
  await takeLock(tx, "audit");
  const last = await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
  const fields = fieldsOf(input, (last?.id ?? 0) + 1, new Date());
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = await tx.auditEntry.create({ data: { ...fields, prevHash, hash: entryHash(prevHash, fields) } });
  return toAuditEntryDto(row);
}

/**
 * Appends an entry to the audit log in its own transaction.
 * @throws when the database cannot be written (the caller decides whether its action may proceed).
 */
export function recordAudit(input: AuditInput, db: Db = getDb()): Promise<AuditEntryDto> {
  return lockedTransaction(db, "audit", (tx) => recordAuditInTransaction(tx, input));
}

/** Records a successful change made by `actor` in the caller's transaction, with the request's address. */
export async function recordChangeInTransaction(
  tx: DbTransaction,
  actor: { id: string; username: string },
  input: Omit<AuditInput, "actor" | "address" | "outcome">,
): Promise<AuditEntryDto> {
  return recordAuditInTransaction(tx, { actor, address: await currentClientAddress(), outcome: "ok", ...input });
}

/**
 * A `RecordChange` for code that changes the database outside a request (the demo's and the tests' set-up):
 * entries by `actor`, named `action` unless the repository names the event itself.
 */
export function recordChangesAs(actor: { id: string; username: string }, action: string): RecordChange {
  return async (tx, entry) => {
    await recordChangeInTransaction(tx, actor, { ...entry, action: entry.action ?? action });
  };
}

/**
 * Records a change's audit entry in the change's own transaction: repositories take one from the action that
 * calls them (lib/actions/define.ts, `recordInTransaction`), which names the actor, the action and the address.
 */
export type RecordChange = (tx: DbTransaction, entry: ChangeEntry) => Promise<void>;

/** What a repository adds to its change's entry: the event when it depends on the data (`acl.add` or `acl.update`)... */
export interface ChangeEntry {
  action?: string;
  object?: AuditInput["object"];
  poolId?: string | null;
  params?: Record<string, unknown>;
}
