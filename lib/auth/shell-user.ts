/**
 * The one place the console shell learns who is signed in: `requireUser()` from the auth layer, reduced to what
 * the frame shows. Without a valid session it redirects to /login.
 *
 * `allowPasswordChange` and `allowTwoFactorEnrolment` because a layout does not know which page it wraps: if it
 * sent users with a pending step to that step's page, the page's own layout would redirect again, forever.
 * Pages call `requireUser()` themselves (layouts are not re-run on every navigation anyway), and that call does
 * the redirect. The shell only decides what to *show*; pages and actions check access.
 */
import "server-only";
import { connection } from "next/server";
import { requireUser } from "@/lib/auth/current-user";
import type { ShellUser } from "@/lib/ui/shell/nav-items";

export type { ShellUser };

export async function getShellUser(): Promise<ShellUser> {
  // Per-request by nature: never let the build try to prerender a signed-in frame.
  await connection();
  const user = await requireUser({ allowPasswordChange: true, allowTwoFactorEnrolment: true });
  return { username: user.username, displayName: user.displayName, isAdmin: user.isAdmin };
}
