/**
 * The signed-in user of the current request, for server components, server actions and route handlers.
 * The session cookie only says who claims to be signed in; the user is re-read from the database on every
 * request (once per request thanks to React `cache`), so a disabled or deleted account, a password reset,
 * or a change of role, ACL or group takes effect at the next request.
 */
import "server-only";
import { getServerSession } from "next-auth";
import { encode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { getConfig } from "@/lib/config";
import { getAuthOptions, sessionClaims } from "./options";
import { CHANGE_PASSWORD_PATH, LOGIN_PATH, SECURE_SESSION_COOKIE, SESSION_COOKIE } from "./paths";
import { loadSessionUser, type CurrentUser } from "./session-user";

export type { CurrentUser } from "./session-user";

/** The current user, or null when there is no valid session (none, expired, disabled, deleted, epoch changed). */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const claims = sessionClaims(await getServerSession(getAuthOptions()));
  return claims ? loadSessionUser(claims.userId, claims.epoch) : null;
});

/**
 * The current user, or a redirect to the login page. A user who must change their password is redirected to
 * the change-password page, except where `allowPasswordChange` is set (that page and its action).
 */
export async function requireUser(options: { allowPasswordChange?: boolean } = {}): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(LOGIN_PATH);
  if (user.mustChangePassword && !options.allowPasswordChange) redirect(CHANGE_PASSWORD_PATH);
  return user;
}

/** The current user if a global admin; otherwise a 404 (admin pages do not reveal that they exist). */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await requireUser();
  if (!user.isAdmin) notFound();
  return user;
}

/**
 * Re-issues the current browser's session cookie for a new session epoch, so that the user stays signed in
 * after changing their own password while every other session of theirs ends. Call it from the server action
 * that called `changeOwnPassword`, with the epoch it returned.
 */
export async function renewSession(userId: string, sessionEpoch: number): Promise<void> {
  const config = getConfig();
  const store = await cookies();
  const secure = store.has(SECURE_SESSION_COOKIE) || (config.publicUrl?.startsWith("https://") ?? false);
  const token = await encode({ token: { sub: userId, epoch: sessionEpoch }, secret: config.authSecret, maxAge: config.sessionMaxAgeSeconds });
  store.set(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure,
    maxAge: config.sessionMaxAgeSeconds,
  });
}
