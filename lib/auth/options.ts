/**
 * next-auth configuration: credentials login (password, then the second factor when the account has one), JWT
 * session cookies holding only the user id and the id of the server-side session (lib/auth/sessions.ts). The
 * JWT is never trusted alone: `userFromSessionCookies()` checks the session and re-reads the user on every
 * request (lib/auth/current-user.ts); logging out ends the session on the server.
 */
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";
import { authenticate, TWO_FACTOR_REQUIRED } from "./login";
import { LOGIN_PATH } from "@/lib/routes";
import { clientAddressFromHeaders, currentClientAddress, headerValue } from "./request-context";
import { revokeSession } from "./sessions";

/** What the session token and the session object carry. */
export interface SessionClaims {
  userId: string;
  sessionId: string;
}

/** Reads the claims from a decoded token or session; null when they are missing or malformed. */
export function sessionClaims(value: { sub?: unknown; userId?: unknown; sid?: unknown; sessionId?: unknown } | null | undefined): SessionClaims | null {
  const userId = value?.userId ?? value?.sub;
  const sessionId = value?.sessionId ?? value?.sid;
  return typeof userId === "string" && userId && typeof sessionId === "string" && sessionId ? { userId, sessionId } : null;
}

function buildAuthOptions(): NextAuthOptions {
  const config = getConfig();
  // Without NEXTAUTH_URL, next-auth must take the origin from the request's Host header.
  if (!config.publicUrl) process.env.AUTH_TRUST_HOST ??= "true";
  return {
    secret: config.authSecret,
    session: { strategy: "jwt", maxAge: config.sessionMaxAgeSeconds },
    jwt: { maxAge: config.sessionMaxAgeSeconds },
    pages: { signIn: LOGIN_PATH, error: LOGIN_PATH },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "XenDeck",
        credentials: {
          username: { label: "Username", type: "text" },
          password: { label: "Password", type: "password" },
          code: { label: "Code", type: "text" },
        },
        async authorize(credentials, request) {
          const headers = request?.headers;
          const address = headers ? clientAddressFromHeaders(headers, config.trustedProxies) : await currentClientAddress();
          const result = await authenticate({
            username: credentials?.username,
            password: credentials?.password,
            code: credentials?.code,
            address,
            userAgent: headers ? headerValue(headers, "user-agent") : null,
          });
          if (result.ok) return { id: result.user.id, name: result.user.username, sid: result.sessionId };
          // The password was right and the account has a second factor: the page asks for the code. An error
          // thrown here reaches the client as the `error` of signIn()'s answer.
          if (result.code === "TWO_FACTOR_REQUIRED") throw new Error(TWO_FACTOR_REQUIRED);
          // next-auth turns null into its generic CredentialsSignin error: the page shows LOGIN_FAILED_MESSAGE.
          return null;
        },
      }),
    ],
    callbacks: {
      // Keep the token minimal: the user id (sub) and the session id, nothing else.
      async jwt({ token, user }) {
        if (user) return { sub: user.id, sid: (user as { sid?: string }).sid };
        return { sub: token.sub, sid: token.sid };
      },
      // What /api/auth/session tells the browser: the user id, not the session id (nothing client-side needs it).
      async session({ session, token }) {
        const claims = sessionClaims(token);
        return { expires: session.expires, ...(claims ? { userId: claims.userId } : {}) };
      },
    },
    events: {
      async signOut({ token }) {
        const claims = sessionClaims(token);
        if (!claims) return;
        const db = getDb();
        // The cookie is gone from this browser, and from now on any copy of it is refused too.
        await lockedTransaction(db, "accounts", (tx) => revokeSession(tx, claims.sessionId, "logout", claims.userId));
        const user = await db.user.findUnique({ where: { id: claims.userId }, select: { id: true, username: true } });
        await recordAudit({
          actor: user ?? { id: claims.userId, username: "(deleted user)" },
          address: await currentClientAddress(),
          action: "auth.logout",
          outcome: "ok",
        });
      },
    },
  };
}

let authOptions: NextAuthOptions | undefined;

/** The next-auth options, built on first use (they need the configuration). */
export function getAuthOptions(): NextAuthOptions {
  authOptions ??= buildAuthOptions();
  return authOptions;
}
