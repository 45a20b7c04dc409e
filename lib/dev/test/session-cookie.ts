/**
 * A browser's session cookie for a test account, as a login would set it: a server-side session is opened
 * (lib/auth/sessions.ts) and the encrypted token names the user and that session.
 */
import { encode } from "next-auth/jwt";
import { SESSION_COOKIE } from "@/lib/auth/paths";
import { createSession } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";

/** The `Cookie` header value of a signed-in browser for `userId`. */
export async function sessionCookieFor(userId: string): Promise<string> {
  const config = getConfig();
  const session = await lockedTransaction(getDb(), "accounts", (tx) =>
    createSession(tx, { userId, address: "127.0.0.1", maxAgeSeconds: config.sessionMaxAgeSeconds }),
  );
  const token = await encode({ token: { sub: userId, sid: session.id }, secret: config.authSecret });
  return `${SESSION_COOKIE}=${token}`;
}
