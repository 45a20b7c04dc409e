"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { cx } from "../classes";
import { Icon } from "../icons";
import { Spinner } from "../progress";

/**
 * Ends the session through next-auth (CSRF-protected POST to /api/auth/signout), then goes to the login page.
 * Needs no SessionProvider. If the sign-out request fails, falls back to next-auth's own sign-out page.
 */
export function LogoutButton({ className }: { className?: string }) {
  const [pending, setPending] = useState(false);
  async function logOut() {
    setPending(true);
    try {
      await signOut({ callbackUrl: "/login" });
    } catch {
      window.location.assign("/api/auth/signout");
    }
  }
  return (
    <button type="button" onClick={logOut} disabled={pending} className={cx("disabled:opacity-60", className)}>
      {pending ? <Spinner size={16} /> : <Icon name="logout" className="text-muted" />}
      Log out
    </button>
  );
}
