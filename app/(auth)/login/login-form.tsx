"use client";

import { signIn } from "next-auth/react";
import { useActionState, useEffect, useRef } from "react";
import { CODE_FAILED_MESSAGE, TWO_FACTOR_REQUIRED } from "@/lib/auth/login-steps";
import { Button } from "@/lib/ui/button";
import { TextField } from "@/lib/ui/field";
import { StatusMessage } from "@/lib/ui/status-message";
import { safeCallbackUrl } from "./callback-url";

interface LoginState {
  /** The password step, or the second factor's (the account has two-factor login). */
  step: "password" | "code";
  error: string | null;
  fieldErrors: { username?: string; password?: string; code?: string };
  /** Kept so the form, which React resets after each submission, still shows the username typed. */
  username: string;
  /** Kept in memory for the second step, which sends the credentials again with the code. */
  password: string;
  /** Bumped on each failure, to move focus back to the field to fix. */
  attempt: number;
  /** Logged in: the browser is leaving for the callback page. */
  redirecting: boolean;
}

const INITIAL: LoginState = { step: "password", error: null, fieldErrors: {}, username: "", password: "", attempt: 0, redirecting: false };

type SignInOutcome = "ok" | "failed" | "code-needed";

async function postCredentials(credentials: Record<string, string>, target: string): Promise<SignInOutcome> {
  try {
    const result = await signIn("credentials", { ...credentials, redirect: false, callbackUrl: target });
    if (result?.error === TWO_FACTOR_REQUIRED) return "code-needed";
    return result?.ok && !result.error ? "ok" : "failed";
  } catch {
    return "failed";
  }
}

/**
 * Posts the credentials to next-auth's "credentials" provider without a page reload (no SessionProvider needed),
 * then navigates with a full page load so the new session cookie reaches the server everywhere. An account with
 * two-factor login gets a second step: the code (or a recovery code), sent with the credentials again.
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
  const codeRef = useRef<HTMLInputElement>(null);

  const [state, formAction, pending] = useActionState<LoginState, FormData>(
    async (previous, formData) => {
      if (formData.get("intent") === "restart") return INITIAL;
      const target = safeCallbackUrl(callbackUrl, window.location.origin);
      const next = { ...previous, error: null, fieldErrors: {}, attempt: previous.attempt + 1 };

      if (previous.step === "code") {
        const code = String(formData.get("code") ?? "").trim();
        if (!code) return { ...next, fieldErrors: { code: "Enter the code." } };
        const outcome = await postCredentials({ username: previous.username, password: previous.password, code }, target);
        if (outcome !== "ok") return { ...next, error: CODE_FAILED_MESSAGE };
        window.location.assign(target);
        return { ...next, redirecting: true };
      }

      const username = String(formData.get("username") ?? "").trim();
      const password = String(formData.get("password") ?? "");
      if (!username || !password) {
        return {
          ...next,
          username,
          fieldErrors: { username: username ? undefined : "Enter your username.", password: password ? undefined : "Enter your password." },
        };
      }
      const outcome = await postCredentials({ username, password }, target);
      if (outcome === "code-needed") return { ...next, step: "code", username, password };
      if (outcome === "failed") return { ...INITIAL, error: failedMessage, username, attempt: next.attempt };
      window.location.assign(target);
      return { ...INITIAL, username, redirecting: true };
    },
    { ...INITIAL, error: initiallyFailed ? failedMessage : null },
  );
  const busy = pending || state.redirecting;

  useEffect(() => {
    if (state.attempt === 0) return;
    // Back to the first field that needs attention.
    if (state.step === "code") codeRef.current?.focus();
    else if (state.fieldErrors.username) usernameRef.current?.focus();
    else passwordRef.current?.focus();
  }, [state.attempt, state.step, state.fieldErrors.username]);

  if (state.step === "code") {
    return (
      <form action={formAction} className="space-y-4" noValidate>
        <StatusMessage tone="error" message={state.error} />
        <p className="text-sm text-muted">
          Two-factor login is on for <strong className="text-fg">{state.username}</strong>: enter the 6-digit code from your authenticator app, or one of your
          recovery codes.
        </p>
        <TextField
          ref={codeRef}
          label="Code"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
          error={state.fieldErrors.code}
          readOnly={busy}
        />
        <Button type="submit" variant="primary" pending={busy} className="w-full">
          {busy ? "Verifying…" : "Verify"}
        </Button>
        <Button type="submit" name="intent" value="restart" variant="ghost" className="w-full" disabled={busy}>
          Use another account
        </Button>
      </form>
    );
  }

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
