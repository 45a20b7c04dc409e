/**
 * Checking a login: password, account state, throttling, audit. Used by the next-auth credentials provider
 * (lib/auth/options.ts). Every refusal looks the same to the client (`LOGIN_FAILED_MESSAGE`), whether the
 * account does not exist, is disabled or locked, or the password is wrong; the audit log records which.
 */
import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";
import { clearAccountFailures, isLoginLocked, recordLoginFailure } from "./login-throttle";
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from "./password";
import { normaliseUsername } from "./usernames";

/** The only message a failed login shows. */
export const LOGIN_FAILED_MESSAGE = "Invalid username or password, or too many attempts. Try again later.";

export interface LoginAttempt {
  username: unknown;
  password: unknown;
  address: string | null;
}

/** Why a login failed, for the audit log only. */
export type LoginFailureCode = "INVALID_INPUT" | "LOCKED" | "UNKNOWN_USER" | "WRONG_PASSWORD" | "ACCOUNT_DISABLED";

export type LoginResult = { ok: true; user: { id: string; username: string; sessionEpoch: number } } | { ok: false; code: LoginFailureCode };

const MAX_INPUT = 256;

/** Verifies a login attempt, applies throttling, records the outcome in the audit log. */
export async function authenticate(attempt: LoginAttempt, db: Db = getDb()): Promise<LoginResult> {
  const config = getConfig();
  const typed = typeof attempt.username === "string" ? attempt.username.slice(0, MAX_INPUT) : "";
  const password = typeof attempt.password === "string" && attempt.password.length <= MAX_INPUT ? attempt.password : null;
  const username = normaliseUsername(typed);
  const subject = { username, address: attempt.address };

  const fail = async (code: LoginFailureCode, countIt: boolean, actor: { id: string; username: string } | null = null) => {
    if (countIt) await recordLoginFailure(db, config.login, subject);
    await recordAudit({ actor, attemptedUsername: username || null, address: attempt.address, action: "auth.login", outcome: "refused", error: { code } }, db);
    return { ok: false as const, code };
  };

  // No password work for junk input or while locked: hammering then costs the server little. (A lock does not
  // reveal whether the account exists: unknown usernames are locked the same way.)
  if (!username || password === null) return fail("INVALID_INPUT", Boolean(username));
  if (await isLoginLocked(db, subject)) return fail("LOCKED", false);

  const user = await db.user.findUnique({ where: { username } });
  if (!user) {
    await verifyDummyPassword(password);
    return fail("UNKNOWN_USER", true);
  }
  if (!(await verifyPassword(password, user.passwordHash))) return fail("WRONG_PASSWORD", true, user);
  if (user.disabled) return fail("ACCOUNT_DISABLED", true, user);

  const newHash = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
  await lockedTransaction(db, "accounts", async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    // Only if the password did not change meanwhile.
    if (newHash) await tx.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: newHash } });
  });
  await clearAccountFailures(db, username);
  await recordAudit({ actor: user, address: attempt.address, action: "auth.login", outcome: "ok" }, db);
  return { ok: true, user: { id: user.id, username: user.username, sessionEpoch: user.sessionEpoch } };
}
