/**
 * The signed-in user of the current request, for server components, server actions and route handlers.
 * The session cookie (next-auth's encrypted JWT) only names a user and a server-side session; the session and
 * the user are re-read from the database on every request (once per request thanks to React `cache`), so an
 * ended session, a disabled or deleted account, or a change of role, ACL or group takes effect at the next
 * request.
 */
import "server-only";
import { decode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { getConfig } from "@/lib/config";
import { VersionedMemo } from "@/lib/memo";
import { sessionClaims, type SessionClaims } from "./options";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "./paths";
import { CHANGE_PASSWORD_PATH, LOGIN_PATH, TWO_FACTOR_PATH } from "@/lib/routes";
import { loadSessionUser, pendingAccountStep, type CurrentUser } from "./session-user";

export type { CurrentUser } from "./session-user";

/** Reads a cookie of the request by name (from `next/headers`, or from a raw Cookie header outside Next). */
export type CookieReader = (name: string) => string | undefined;

/** The session token next-auth set: the `__Secure-` cookie on HTTPS sites, possibly split in chunks `.0`, `.1`... */
function sessionToken(read: CookieReader): string | null {
  for (const name of [SECURE_SESSION_COOKIE, SESSION_COOKIE]) {
    const whole = read(name);
    if (whole) return whole;
    const chunks: string[] = [];
    for (let index = 0; read(`${name}.${index}`); index++) chunks.push(read(`${name}.${index}`)!);
    if (chunks.length > 0) return chunks.join("");
  }
  return null;
}

/** A decoded session token: its claims (null when invalid) and when it expires (ms since the epoch). */
interface DecodedToken {
  claims: SessionClaims | null;
  expiresAt: number;
}

/**
 * Session tokens decoded recently, by token at the version of the secret that decoded them. A browser sends
 * the same token on every request until it is renewed, and decoding it (key derivation, then decryption) is a
 * good part of what checking a session costs; the token is authenticated encryption, so the same string and
 * secret always decode to the same claims: only its expiry can change the answer, and it is checked on every
 * use. The user behind the claims is still re-read from the database on every request.
 */
const decodedTokens = VersionedMemo.bounded<string, DecodedToken>(1000);
/** How long a token that did not decode is remembered as invalid (forgeries cost one decode per minute). */
const INVALID_TOKEN_MEMO_MS = 60_000;

async function decodeSessionToken(token: string, secret: string): Promise<SessionClaims | null> {
  const now = Date.now();
  const known = decodedTokens.find(token, [secret]);
  if (known && now < known.expiresAt) return known.claims;
  // decode() checks the token's encryption with our secret and its expiry.
  const payload = await decode({ token, secret }).catch(() => null);
  const claims = sessionClaims(payload);
  const expiresAt = claims && typeof payload?.exp === "number" ? payload.exp * 1000 : now + INVALID_TOKEN_MEMO_MS;
  return decodedTokens.remember(token, [secret], { claims, expiresAt }).claims;
}

/**
 * The user of a request's session cookies, or null when there is no valid session (none, expired, forged, ended
 * on the server, user disabled or deleted). THE session check: `getCurrentUser` uses it for pages, actions and
 * route handlers; requests Next does not handle (console websockets) call it with their Cookie header.
 */
export async function userFromSessionCookies(read: CookieReader): Promise<CurrentUser | null> {
  const token = sessionToken(read);
  if (!token) return null;
  const claims = await decodeSessionToken(token, getConfig().authSecret);
  if (!claims) return null;
  const user = await loadSessionUser(claims.sessionId);
  return user?.id === claims.userId ? user : null;
}

/** The current request's user (once per request), or null when there is no valid session. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const store = await cookies();
  return userFromSessionCookies((name) => store.get(name)?.value);
});

/**
 * The current user, or a redirect to the login page. A user with a step pending is sent to it first: the
 * change-password page (after an admin's reset), then two-factor enrolment (when the admins require it), except
 * where the options allow that step's own page and actions.
 */
export async function requireUser(options: { allowPasswordChange?: boolean; allowTwoFactorEnrolment?: boolean } = {}): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(LOGIN_PATH);
  const step = pendingAccountStep(user);
  if (step === "change-password" && !options.allowPasswordChange) redirect(CHANGE_PASSWORD_PATH);
  if (step === "enrol-two-factor" && !options.allowTwoFactorEnrolment) redirect(TWO_FACTOR_PATH);
  return user;
}

/** The current user if a global admin; otherwise a 404 (admin pages do not reveal that they exist). */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await requireUser();
  if (!user.isAdmin) notFound();
  return user;
}
