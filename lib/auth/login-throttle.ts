/**
 * Throttling of failed logins, per account (the username typed, whether or not it exists) and per client
 * address. State lives in the database so every app instance shares it. After `max` failures within the
 * window, the account or address is locked for the lockout period; attempts while locked are refused without
 * extending the lock (so an attacker cannot keep a victim locked out forever by hammering).
 */
import "server-only";
import type { LoginThrottleConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";

export interface ThrottleSubject {
  /** The normalised username typed. */
  username: string;
  address: string | null;
}

const accountKey = (username: string) => `account:${username}`;
const addressKey = (address: string) => `address:${address}`;

function keysOf(subject: ThrottleSubject): { key: string; max: (config: LoginThrottleConfig) => number }[] {
  const keys = [{ key: accountKey(subject.username), max: (config: LoginThrottleConfig) => config.maxFailuresPerAccount }];
  if (subject.address) keys.push({ key: addressKey(subject.address), max: (config) => config.maxFailuresPerAddress });
  return keys;
}

/** True when the account or the address is locked at `now`. */
export async function isLoginLocked(db: Db, subject: ThrottleSubject, now = new Date()): Promise<boolean> {
  const locked = await db.loginThrottle.count({
    where: { key: { in: keysOf(subject).map(({ key }) => key) }, lockedUntil: { gt: now } },
  });
  return locked > 0;
}

/** Counts a failed login against the account and the address, locking them when they reach their limit. */
export async function recordLoginFailure(db: Db, config: LoginThrottleConfig, subject: ThrottleSubject, now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - config.windowSeconds * 1000);
  await lockedTransaction(db, "login-throttle", async (tx) => {
    for (const { key, max } of keysOf(subject)) {
      const row = await tx.loginThrottle.findUnique({ where: { key } });
      const fresh = !row || row.windowStartedAt < windowStart;
      const failures = fresh ? 1 : row.failures + 1;
      const lockNow = failures >= max(config);
      const data = {
        failures: lockNow ? 0 : failures,
        windowStartedAt: fresh || lockNow ? now : row.windowStartedAt,
        lockedUntil: lockNow ? new Date(now.getTime() + config.lockoutSeconds * 1000) : (row?.lockedUntil ?? null),
      };
      await tx.loginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
    }
    // Forget what can no longer matter, so the table stays small.
    await tx.loginThrottle.deleteMany({
      where: { windowStartedAt: { lt: windowStart }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    });
  });
}

/** After a successful login: the account's failure count starts again (the address's does not). */
export async function clearAccountFailures(db: Db, username: string): Promise<void> {
  await lockedTransaction(db, "login-throttle", (tx) => tx.loginThrottle.deleteMany({ where: { key: accountKey(username) } }));
}
