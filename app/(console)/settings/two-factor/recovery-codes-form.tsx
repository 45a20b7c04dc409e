"use client";
/**
 * A form that hands out recovery codes (confirming enrolment, or asking for new ones): the codes come back once
 * and stay on screen until the user leaves; only their hashes are kept on the server.
 */
import type { FormEvent, ReactNode } from "react";
import type { ActionResult } from "@/lib/result";
import { Button } from "@/lib/ui/button";
import { TextField } from "@/lib/ui/field";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";

export function RecoveryCodesForm({
  action,
  submitLabel,
  codeLabel,
  doneHref,
  doneLabel,
  children,
}: {
  action: (input: FormData) => Promise<ActionResult<{ recoveryCodes: string[] }>>;
  submitLabel: string;
  codeLabel: string;
  /** Where to go once the codes are saved. */
  doneHref: string;
  doneLabel: string;
  children?: ReactNode;
}) {
  const { run, pending, result, fieldErrors, formError } = useAction(action);
  if (result?.ok) {
    return (
      <div className="space-y-3">
        <StatusMessage tone="success" message="Two-factor login is on. Save these recovery codes now: they are shown only this once." />
        <p className="text-sm text-muted">Each code signs you in once if you lose your authenticator. Keep them somewhere safe, away from this computer.</p>
        <output aria-label="Recovery codes" className="block rounded-md border border-line bg-sunken p-3 font-mono text-sm select-all">
          <ul className="grid grid-cols-2 gap-x-6 gap-y-1">
            {result.recoveryCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
        </output>
        {/* A full page load: the console's frame and pages re-read the account, enrolment done. */}
        <a href={doneHref} className="inline-block text-sm text-link hover:underline">
          {doneLabel}
        </a>
      </div>
    );
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run(new FormData(event.currentTarget));
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {children}
      <TextField
        label={codeLabel}
        name="code"
        autoComplete="one-time-code"
        autoCapitalize="none"
        spellCheck={false}
        required
        error={fieldErrors.code}
        className="max-w-xs"
      />
      <Button type="submit" variant="primary" pending={pending}>
        {submitLabel}
      </Button>
      <StatusMessage tone="error" message={pending ? null : formError} />
    </form>
  );
}
