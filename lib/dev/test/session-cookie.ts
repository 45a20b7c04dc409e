/**
 * A browser's session cookie for a test account, as next-auth would set it after a login: the encrypted token
 * naming the user and their current session epoch.
 */
import { encode } from "next-auth/jwt";
import { SESSION_COOKIE } from "@/lib/auth/paths";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";

/** The `Cookie` header value of a signed-in browser for `userId`. */
export async function sessionCookieFor(userId: string): Promise<string> {
  const row = await getDb().user.findUniqueOrThrow({ where: { id: userId }, select: { sessionEpoch: true } });
  const token = await encode({ token: { sub: userId, epoch: Number(row.sessionEpoch) }, secret: getConfig().authSecret });
  return `${SESSION_COOKIE}=${token}`;
}
