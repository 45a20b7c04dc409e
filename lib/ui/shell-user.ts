/**
 * The one place the console shell learns who is signed in.
 *
 * ┌──────────────────────────────────────────────────────────────────────────────────────────────────────────┐
 * │ STUB — replace the body of `getShellUser` once lib/auth/current-user.ts exists:                            │
 * │                                                                                                            │
 * │   import { requireUser } from "@/lib/auth/current-user";                                                   │
 * │   export async function getShellUser(): Promise<ShellUser> {                                               │
 * │     const user = await requireUser();            // redirects to /login without a valid session           │
 * │     return { username: user.username, displayName: user.displayName, isAdmin: user.isAdmin };             │
 * │   }                                                                                                        │
 * │                                                                                                            │
 * │ Until then it returns null: the shell shows a "Log in" link and no administration section. It never        │
 * │ invents a user. The shell only decides what to *show*; pages and actions still check access themselves.   │
 * └──────────────────────────────────────────────────────────────────────────────────────────────────────────┘
 */
import "server-only";
import type { ShellUser } from "./shell/nav-items";

export type { ShellUser };

export async function getShellUser(): Promise<ShellUser | null> {
  return null;
}
