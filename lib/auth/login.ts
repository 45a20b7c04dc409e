/**
 * Checking a login: password, account state, second factor, throttling, audit, and the server-side session it
 * opens. Used by the next-auth credentials provider (lib/auth/options.ts). Every refusal looks the same to the
 * client (`LOGIN_FAILED_MESSAGE`), whether the account does not exist, is disabled or locked, or the password
 * or code is wrong; the audit log records which. The one other answer, after the right password of an account
 * with two-factor login, is "now the code" (`TWO_FACTOR_REQUIRED`).
 */
import "server-only";
import { recordAnonymousAudit } from "@/lib/audit/anonymous";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";
import { clearPairFailures, loginThrottleRefusal, recordLoginFailure, type ThrottleRefusal } from "./login-throttle";
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from "./password";
import { createSession, isKnownAddress } from "./sessions";
import { consumeSecondFactor } from "./two-factor";
import { normaliseUsername } from "./usernames";

/** The only message a failed login shows. */
export const LOGIN_FAILED_MESSAGE = "Invalid username or password, or too many attempts. Try again later.";
export { TWO_FACTOR_REQUIRED } from "./login-steps";

export interface LoginAttempt {
  username: unknown;
  password: unknown;
  /** The second factor: a TOTP code or a recovery code; absent on the first step. */
  code?: unknown;
  address: string | null;
  /** The browser's User-Agent, kept with the session to tell sessions apart. */
  userAgent?: string | null;
}

/** Why a login failed, for the audit log only (and `TWO_FACTOR_REQUIRED`, which the page acts on). */
export type LoginFailureCode =
  "INVALID_INPUT" | ThrottleRefusal | "UNKNOWN_USER" | "WRONG_PASSWORD" | "ACCOUNT_DISABLED" | "TWO_FACTOR_REQUIRED" | "WRONG_CODE";

export type LoginResult = { ok: true; user: { id: string; username: string }; sessionId: string } | { ok: false; code: LoginFailureCode };

const MAX_INPUT = 256;

/** Verifies a login attempt, applies throttling, records the outcome in the audit log, opens the session. */
export async function authenticate(attempt: LoginAttempt, db: Db = getDb()): Promise<LoginResult> {
  const config = getConfig();
  const typed = typeof attempt.username === "string" ? attempt.username.slice(0, MAX_INPUT) : "";
  const password = typeof attempt.password === "string" && attempt.password.length <= MAX_INPUT ? attempt.password : null;
  const code = typeof attempt.code === "string" && attempt.code.trim() !== "" ? attempt.code.slice(0, MAX_INPUT) : null;
  const username = normaliseUsername(typed);
  const subject = { username, address: attempt.address };

  const fail = async (failureCode: LoginFailureCode, countIt: boolean, actor: { id: string; username: string } | null = null) => {
    if (countIt) await recordLoginFailure(db, config.login, subject);
    // Anyone can send failed logins: rate-limited and size-capped per address.
    await recordAnonymousAudit(
      { actor, attemptedUsername: username || null, address: attempt.address, action: "auth.login", outcome: "refused", error: { code: failureCode } },
      db,
    );
    return { ok: false as const, code: failureCode };
  };

  // No password work for junk input or while locked: hammering then costs the server little. (A lock does not
  // reveal whether the account exists: unknown usernames are locked the same way.)
  if (!username || password === null) return fail("INVALID_INPUT", Boolean(username));
  const user = await db.user.findUnique({ where: { username } });
  const refusal = await loginThrottleRefusal(db, subject, async () => (user ? isKnownAddress(db, user.id, attempt.address) : false));
  if (refusal) return fail(refusal, false);

  if (!user) {
    await verifyDummyPassword(password);
    return fail("UNKNOWN_USER", true);
  }
  if (!(await verifyPassword(password, user.passwordHash))) return fail("WRONG_PASSWORD", true, user);
  if (user.disabled) return fail("ACCOUNT_DISABLED", true, user);

  let secondFactor: { method: string; recoveryCodesLeft: number } | null = null;
  if (user.totpEnabledAt) {
    // The right password alone: ask for the code, without counting a failure or writing to the audit log.
    if (code === null) return { ok: false, code: "TWO_FACTOR_REQUIRED" };
    const checked = await consumeSecondFactor(db, user, code);
    if (!checked.ok) return fail("WRONG_CODE", true, user);
    secondFactor = { method: checked.method, recoveryCodesLeft: checked.recoveryCodesLeft };
  }

  const newHash = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
  const session = await lockedTransaction(db, "accounts", async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    // Only if the password did not change meanwhile.
    if (newHash) await tx.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: newHash } });
    return createSession(tx, { userId: user.id, userAgent: attempt.userAgent, address: attempt.address, maxAgeSeconds: config.sessionMaxAgeSeconds });
  });
  await clearPairFailures(db, subject);
  await recordAudit(
    {
      actor: user,
      address: attempt.address,
      action: "auth.login",
      outcome: "ok",
      params: secondFactor
        ? { secondFactor: secondFactor.method, ...(secondFactor.method === "recovery-code" ? { recoveryCodesLeft: secondFactor.recoveryCodesLeft } : {}) }
        : {},
    },
    db,
  );
  return { ok: true, user: { id: user.id, username: user.username }, sessionId: session.id };
}
