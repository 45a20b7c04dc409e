/**
 * Server-side sessions. The session cookie (next-auth's encrypted JWT) carries the id of a `Session` row; the
 * row decides whether the cookie still counts. Revoking the row (logout, password change or reset, account
 * disabled, "end this session") refuses the cookie at its next request on every instance sharing the database,
 * even a copy of it taken before.
 *
 * Checking a session is part of the one query that loads the user (lib/auth/session-user.ts); `lastSeenAt` is
 * written at most once a minute per session, so a browsing user costs one small write a minute, not one per page.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import type { Db, DbTransaction } from "@/lib/db/client";

/** Why a session ended, as stored and shown. */
export type RevokeReason = "logout" | "password-change" | "password-reset" | "disabled" | "ended-by-user" | "ended-by-admin";

/** `lastSeenAt` is refreshed when older than this. */
export const LAST_SEEN_INTERVAL_MS = 60_000;
/**
 * Ended sessions are kept this long after they expire: their addresses are the user's known addresses, from
 * which logins stay open while the account is under a password-guessing attack (lib/auth/login-throttle.ts).
 */
export const ENDED_SESSION_RETENTION_MS = 90 * 24 * 3600 * 1000;
const USER_AGENT_MAX = 300;

export interface NewSession {
  userId: string;
  userAgent?: string | null;
  address: string | null;
  maxAgeSeconds: number;
}

/** Opens a session (inside the caller's transaction); returns its id, the value the session token carries. */
export async function createSession(tx: DbTransaction, session: NewSession, now = new Date()): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + session.maxAgeSeconds * 1000);
  await tx.session.create({
    data: {
      id,
      userId: session.userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      userAgent: (session.userAgent ?? "").slice(0, USER_AGENT_MAX),
      address: session.address,
    },
  });
  // The user's own long-gone sessions go now, so the table does not grow with every login.
  await tx.session.deleteMany({ where: { userId: session.userId, expiresAt: { lt: new Date(now.getTime() - ENDED_SESSION_RETENTION_MS) } } });
  return { id, expiresAt };
}

/** Ends one session of `userId` (null: any user's); false when it was not active. */
export async function revokeSession(
  tx: DbTransaction,
  sessionId: string,
  reason: RevokeReason,
  userId: string | null = null,
  now = new Date(),
): Promise<boolean> {
  const { count } = await tx.session.updateMany({
    where: { id: sessionId, ...(userId ? { userId } : {}), revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count > 0;
}

/** Ends every active session of a user, but `exceptSessionId` (the browser that asked); returns how many. */
export async function revokeUserSessions(tx: DbTransaction, userId: string, reason: RevokeReason, exceptSessionId?: string, now = new Date()): Promise<number> {
  const { count } = await tx.session.updateMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now }, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count;
}

/**
 * Records that a session was used, when its `lastSeenAt` is older than `LAST_SEEN_INTERVAL_MS`. Its own small
 * transaction: on SQLite the adapter's one connection must not run a write inside another request's transaction.
 */
export async function touchSession(db: Db, sessionId: string, lastSeenAt: Date, now = new Date()): Promise<void> {
  if (now.getTime() - lastSeenAt.getTime() < LAST_SEEN_INTERVAL_MS) return;
  await db.$transaction((tx) =>
    tx.session.updateMany({ where: { id: sessionId, lastSeenAt: { lt: new Date(now.getTime() - LAST_SEEN_INTERVAL_MS) } }, data: { lastSeenAt: now } }),
  );
}

/** A session as its owner (or an admin) sees it. */
export interface SessionDto {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** "Firefox on Linux", from the User-Agent header. */
  browser: string;
  address: string | null;
  /** The session of the request asking. */
  current: boolean;
}

/** The active sessions of a user, most recently used first. */
export async function activeSessions(db: Db, userId: string, currentSessionId?: string, now = new Date()): Promise<SessionDto[]> {
  const rows = await db.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now } },
    orderBy: [{ lastSeenAt: "desc" }, { createdAt: "desc" }],
  });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    browser: describeUserAgent(row.userAgent),
    address: row.address,
    current: row.id === currentSessionId,
  }));
}

/** True when the user once signed in from `address` (a session opened from it, ended or not, is on record). */
export async function isKnownAddress(db: Db, userId: string, address: string | null): Promise<boolean> {
  if (!address) return false;
  return (await db.session.count({ where: { userId, address } })) > 0;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrom(e|ium)\/|CriOS\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//i, "curl"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows/, "Windows"],
  [/iPhone|iPad|iOS/, "iOS"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** "Chrome on Linux" from a User-Agent header: enough to tell one's sessions apart, no more. */
export function describeUserAgent(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown browser";
}
