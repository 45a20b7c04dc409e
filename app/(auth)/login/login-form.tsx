"use client";

import { signIn } from "next-auth/react";
import { useActionState, useEffect, useRef } from "react";
import { Button } from "@/lib/ui/button";
import { TextField } from "@/lib/ui/field";
import { StatusMessage } from "@/lib/ui/status-message";
import { safeCallbackUrl } from "./callback-url";

interface LoginState {
  error: string | null;
  fieldErrors: { username?: string; password?: string };
  /** Kept so the form, which React resets after each submission, still shows the username typed. */
  username: string;
  /** Bumped on each failure, to move focus back to the password field. */
  attempt: number;
  /** Logged in: the browser is leaving for the callback page. */
  redirecting: boolean;
}

const INITIAL: LoginState = { error: null, fieldErrors: {}, username: "", attempt: 0, redirecting: false };

/**
 * Posts the credentials to next-auth's "credentials" provider without a page reload (no SessionProvider needed),
 * then navigates with a full page load so the new session cookie reaches the server everywhere.
 */
export function LoginForm({
  callbackUrl,
  failedMessage,
  initiallyFailed,
}: {
  callbackUrl: string;
  /** The auth layer's one message for every failure: it never tells whether an account exists or is locked. */
  failedMessage: string;
  initiallyFailed: boolean;
}) {
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const [state, formAction, pending] = useActionState<LoginState, FormData>(
    async (previous, formData) => {
      const username = String(formData.get("username") ?? "").trim();
      const password = String(formData.get("password") ?? "");
      const failed = { ...INITIAL, error: failedMessage, username, attempt: previous.attempt + 1 };
      if (!username || !password) {
        return {
          ...failed,
          error: null,
          fieldErrors: { username: username ? undefined : "Enter your username.", password: password ? undefined : "Enter your password." },
        };
      }

      const target = safeCallbackUrl(callbackUrl, window.location.origin);
      try {
        const result = await signIn("credentials", { username, password, redirect: false, callbackUrl: target });
        if (!result?.ok || result.error) return failed;
      } catch {
        return failed;
      }
      window.location.assign(target);
      return { ...INITIAL, username, redirecting: true };
    },
    { ...INITIAL, error: initiallyFailed ? failedMessage : null },
  );
  const busy = pending || state.redirecting;

  useEffect(() => {
    if (state.attempt === 0) return;
    // Back to the first field that needs attention.
    if (state.fieldErrors.username) usernameRef.current?.focus();
    else passwordRef.current?.focus();
  }, [state.attempt, state.fieldErrors.username]);

  return (
    <form action={formAction} className="space-y-4" noValidate>
      <StatusMessage tone="error" message={state.error} />
      <TextField
        ref={usernameRef}
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        autoFocus
        required
        defaultValue={state.username}
        error={state.fieldErrors.username}
        readOnly={busy}
      />
      <TextField
        ref={passwordRef}
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={state.fieldErrors.password}
        readOnly={busy}
      />
      <Button type="submit" variant="primary" pending={busy} className="w-full">
        {busy ? "Logging in…" : "Log in"}
      </Button>
    </form>
  );
}
