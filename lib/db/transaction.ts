/**
 * Serialised write transactions that hold across several app instances on one database.
 *
 * The first statement of the transaction upserts a row of the AppLock table. That is a write, so on SQLite it
 * takes the database write lock at once (waiting up to the busy timeout) instead of failing later when a read
 * transaction tries to upgrade; on PostgreSQL it takes a row lock that a concurrent holder of the same lock
 * name waits for until commit. Everything in `fn` then runs alone among holders of `lockName`.
 */
import "server-only";
import { getDb, type Db, type DbTransaction } from "./client";
import type { ActionFailure, ActionResult } from "@/lib/result";

/** Named critical sections. Always take them in this order when a transaction needs more than one. */
export type LockName = "accounts" | "pools" | "login-throttle" | "audit";

const TRANSACTION_OPTIONS = { maxWait: 20_000, timeout: 20_000 };

/** Runs `fn` in a transaction holding `lockName`; commits when it returns, rolls back when it throws. */
export function lockedTransaction<T>(db: Db, lockName: LockName, fn: (tx: DbTransaction) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await takeLock(tx, lockName);
    return fn(tx);
  }, TRANSACTION_OPTIONS);
}

/** Takes `lockName` inside an already open transaction (until it ends). */
export async function takeLock(tx: DbTransaction, lockName: LockName): Promise<void> {
  await tx.$executeRaw`INSERT INTO "AppLock" ("name", "lockedAt") VALUES (${lockName}, CURRENT_TIMESTAMP)
    ON CONFLICT ("name") DO UPDATE SET "lockedAt" = CURRENT_TIMESTAMP`;
}

/** Thrown inside a `lockedMutation` to roll the transaction back and return `failure` instead. */
export class Rollback extends Error {
  constructor(readonly failure: ActionFailure) {
    super(failure.error);
  }
}

/**
 * A mutation of the process-wide database in a transaction holding `lockName`: returns what `fn` returns, or
 * the failure of a `Rollback` thrown inside (after rolling back everything `fn` did, audit entries included).
 */
export async function lockedMutation<T extends object>(lockName: LockName, fn: (tx: DbTransaction) => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  try {
    return await lockedTransaction(getDb(), lockName, fn);
  } catch (error) {
    if (error instanceof Rollback) return error.failure;
    throw error;
  }
}
