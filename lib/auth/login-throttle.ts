/**
 * Throttling of password and second-factor guesses (logins, the current-password check of "change password",
 * two-factor codes). State lives in the database so every app instance shares it. The policy keeps guessing
 * slow without handing an anonymous attacker a way to lock someone out:
 *
 * - **Account and address pair**: `maxFailuresPerAccount` failures on one account from one address lock that
 *   pair for the lockout period. The account stays open from everywhere else.
 * - **Address**: `maxFailuresPerAddress` failures from one address, whatever the accounts, lock the address.
 * - **Account, all addresses**: `accountSlowdownFailures` failures on one account from any addresses (a
 *   distributed attack) hold off attempts on it from addresses it never signed in from, for the lockout period.
 *   Addresses it has signed in from before (its known addresses) keep working, so the attack only slows the
 *   attacker down and never locks the owner out.
 *
 * Attempts refused while locked are not counted and do not extend a lock (an attacker cannot keep a lock going
 * by hammering). IPv6 addresses count per /64, the block one client typically holds. Unknown usernames are
 * counted like real ones, so a lock does not tell whether an account exists.
 */
import "server-only";
import { isIP } from "node:net";
import type { LoginThrottleConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";

export interface ThrottleSubject {
  /** The normalised username typed. */
  username: string;
  address: string | null;
}

/** Why an attempt is refused before any password is checked. */
export type ThrottleRefusal = "LOCKED" | "ACCOUNT_THROTTLED";

/** The unit an address is counted in: the address itself for IPv4, its /64 for IPv6. */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail = ""] = address.toLowerCase().split("::") as [string, string?];
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

const accountKey = (username: string) => `account:${username}`;
const pairKey = (username: string, address: string) => `pair:${username}|${addressBucket(address)}`;
const addressKey = (address: string) => `address:${addressBucket(address)}`;

/** The counters one failure adds to, each with the count that trips it. */
function countersOf(subject: ThrottleSubject, config: LoginThrottleConfig): { key: string; max: number }[] {
  const counters = [{ key: accountKey(subject.username), max: config.accountSlowdownFailures }];
  if (subject.address) {
    counters.push({ key: pairKey(subject.username, subject.address), max: config.maxFailuresPerAccount });
    counters.push({ key: addressKey(subject.address), max: config.maxFailuresPerAddress });
  }
  return counters;
}

/**
 * Whether an attempt must be refused at `now` without checking anything: its pair or address is locked
 * ("LOCKED"), or its account is held off and the address is not one the account knows ("ACCOUNT_THROTTLED").
 * `isKnownAddress` is asked only in that last case.
 */
export async function loginThrottleRefusal(
  db: Db,
  subject: ThrottleSubject,
  isKnownAddress: () => Promise<boolean>,
  now = new Date(),
): Promise<ThrottleRefusal | null> {
  const keys = [accountKey(subject.username), ...(subject.address ? [pairKey(subject.username, subject.address), addressKey(subject.address)] : [])];
  const locked = await db.loginThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } }, select: { key: true } });
  if (locked.some(({ key }) => key !== accountKey(subject.username))) return "LOCKED";
  if (locked.length > 0 && !(await isKnownAddress())) return "ACCOUNT_THROTTLED";
  return null;
}

/** Counts a failed guess against the account, the pair and the address, locking those that reach their limit. */
export async function recordLoginFailure(db: Db, config: LoginThrottleConfig, subject: ThrottleSubject, now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - config.windowSeconds * 1000);
  await lockedTransaction(db, "login-throttle", async (tx) => {
    for (const { key, max } of countersOf(subject, config)) {
      const row = await tx.loginThrottle.findUnique({ where: { key } });
      const fresh = !row || row.windowStartedAt < windowStart;
      const failures = fresh ? 1 : row.failures + 1;
      const lockNow = failures >= max;
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

/**
 * After a success: the pair's count starts again. The account's does not (a distributed attack goes on while
 * the owner signs in), nor does the address's (it may be guessing other accounts).
 */
export async function clearPairFailures(db: Db, subject: ThrottleSubject): Promise<void> {
  if (!subject.address) return;
  const key = pairKey(subject.username, subject.address);
  await lockedTransaction(db, "login-throttle", (tx) => tx.loginThrottle.deleteMany({ where: { key } }));
}
