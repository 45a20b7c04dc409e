/**
 * next-auth configuration: credentials login, JWT sessions holding only the user id and session epoch.
 * The JWT is never trusted alone: `getCurrentUser()` re-reads the user on every request (lib/auth/current-user.ts).
 */
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { authenticate } from "./login";
import { LOGIN_PATH } from "@/lib/routes";
import { clientAddressFromHeaders, currentClientAddress } from "./request-context";

/** What the session token and the session object carry. */
export interface SessionClaims {
  userId: string;
  epoch: number;
}

/** Reads the claims from a decoded token or session; null when they are missing or malformed. */
export function sessionClaims(value: { sub?: unknown; userId?: unknown; epoch?: unknown } | null | undefined): SessionClaims | null {
  const userId = value?.userId ?? value?.sub;
  const epoch = value?.epoch;
  return typeof userId === "string" && userId && typeof epoch === "number" && Number.isInteger(epoch) ? { userId, epoch } : null;
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
        },
        async authorize(credentials, request) {
          const address = request?.headers ? clientAddressFromHeaders(request.headers, config.trustedProxies) : await currentClientAddress();
          const result = await authenticate({ username: credentials?.username, password: credentials?.password, address });
          // next-auth turns null into its generic CredentialsSignin error: the page shows LOGIN_FAILED_MESSAGE.
          return result.ok ? { id: result.user.id, name: result.user.username, epoch: result.user.sessionEpoch } : null;
        },
      }),
    ],
    callbacks: {
      // Keep the token minimal: the user id (sub) and the session epoch, nothing else.
      async jwt({ token, user }) {
        if (user) return { sub: user.id, epoch: (user as { epoch?: number }).epoch };
        return { sub: token.sub, epoch: token.epoch };
      },
      async session({ session, token }) {
        return { expires: session.expires, ...sessionClaims(token) };
      },
    },
    events: {
      async signOut({ token }) {
        const claims = sessionClaims(token);
        if (!claims) return;
        const user = await getDb().user.findUnique({ where: { id: claims.userId }, select: { id: true, username: true } });
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
