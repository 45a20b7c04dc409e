"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { cx } from "@/lib/ui/classes";
import { Icon } from "@/lib/ui/icons";
import { Spinner } from "@/lib/ui/progress";

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
      // next-auth's own sign-out page (a route handler, not a page of the app), loaded in full.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
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
