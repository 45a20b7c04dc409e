"use client";

/**
 * Registering a pool, or editing a registration. "Test connection" logs in to the pool without saving and
 * shows what it found and the TLS certificate, which the admin pins (trust on first use). Saving tests again
 * on the server. Field errors come from the server (zod and the pool's answer). The form is never reset by the
 * submission: what was typed stays, the password included, until the admin leaves the page.
 */
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { ConnectionTestResult } from "@/lib/pools/registration";
import { Button } from "@/lib/ui/button";
import { CheckboxField, TextField } from "@/lib/ui/field";
import { LocalTime } from "@/lib/ui/local-time";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";
import { editPoolAction, registerPoolAction, testConnectionAction } from "@/app/(console)/pools/actions";

export interface PoolFormValues {
  label: string;
  url: string;
  username: string;
  fingerprint: string | null;
  readOnly: boolean;
}

export function PoolForm({ poolId, initial }: { poolId?: string; initial?: PoolFormValues }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const testAction = useAction(testConnectionAction);
  const registerAction = useAction(registerPoolAction);
  const editAction = useAction(editPoolAction);
  const saveAction = poolId === undefined ? registerAction : editAction;
  const [tested, setTested] = useState<(ConnectionTestResult & { alreadyRegistered: string | null }) | null>(null);
  const [pin, setPin] = useState<string>(initial?.fingerprint ?? "");
  const editing = poolId !== undefined;
  // The last answer of either button: the newest one is shown.
  const [shown, setShown] = useState<"test" | "save" | null>(null);
  const shownAction = shown === "test" ? testAction : saveAction;
  const failureState = shown && shownAction.result?.ok === false ? { ...shownAction.result, error: shownAction.formError } : null;
  const saved = shown === "save" && editing && editAction.result?.ok ? "Saved." : null;

  /** The form's fields, with the pinned fingerprint (kept outside the form) and the registration edited. */
  const formData = () => {
    const data = new FormData(formRef.current!);
    data.set("fingerprint", pin);
    if (poolId) data.set("poolId", poolId);
    return data;
  };
  const fieldError = (name: string) => failureState?.fieldErrors?.[name];

  async function test() {
    setShown("test");
    const result = await testAction.run(formData());
    setTested(result.ok ? result : null);
    // Trust on first use: offer the presented certificate, ticked.
    if (result.ok && result.certificate && !pin) setPin(result.certificate.fingerprint);
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setShown("save");
    if (editing) await editAction.run(formData());
    else {
      const result = await registerAction.run(formData());
      if (result.ok) router.push(`/pools/${result.poolId}`);
    }
  }

  const testing = testAction.pending;
  const saving = saveAction.pending;
  const busy = testing || saving;
  const presented = tested?.certificate;
  return (
    <form ref={formRef} onSubmit={save} noValidate className="max-w-xl space-y-4" aria-label={editing ? "Edit the pool registration" : "Register a pool"}>
      <StatusMessage tone="error" message={failureState?.error} />
      <TextField
        label="Label"
        name="label"
        required
        defaultValue={initial?.label}
        error={fieldError("label")}
        hint="How XenDeck names this pool, e.g. “production”."
      />
      <TextField
        label="URL"
        name="url"
        type="url"
        required
        defaultValue={initial?.url}
        error={fieldError("url")}
        placeholder="https://xcp-host-1.example.net"
        hint="Any host of the pool: XenDeck finds the master."
        spellCheck={false}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Username"
          name="username"
          required
          defaultValue={initial?.username ?? "root"}
          error={fieldError("username")}
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          required={!editing}
          error={fieldError("password")}
          autoComplete="new-password"
          hint={editing ? "Leave empty to keep the stored password (it is only sent to this pool's own hosts)." : "Stored encrypted; never shown again."}
        />
      </div>
      <CheckboxField
        label="Read-only"
        name="readOnly"
        defaultChecked={initial?.readOnly ?? false}
        hint="XenDeck then never changes anything on this pool: every operation is refused before being sent."
      />

      <fieldset className="space-y-2 rounded-md border border-line p-3">
        <legend className="px-1 text-xs font-medium">TLS certificate</legend>
        {presented ? (
          <div className="space-y-1 text-sm">
            <p>
              The server presents a {presented.selfSigned ? "self-signed " : ""}certificate for{" "}
              <span className="font-mono text-xs">{presented.subject || "(no subject)"}</span>, valid until{" "}
              <LocalTime value={presented.validTo} format="date" />
              {presented.trustedByCa ? ", signed by an authority this server trusts." : ", not signed by an authority this server trusts."}
            </p>
            <p className="text-xs text-muted">SHA-256 fingerprint (compare it with the one on the host before trusting it):</p>
            <p className="font-mono text-xs break-all" data-testid="presented-fingerprint">
              {presented.fingerprint}
            </p>
            <CheckboxField
              label="Trust and pin this certificate"
              checked={pin === presented.fingerprint}
              onChange={(event) => setPin(event.target.checked ? presented.fingerprint : "")}
              hint="XenDeck will then accept only this certificate from the pool."
              error={fieldError("fingerprint")}
            />
          </div>
        ) : (
          <p className="text-sm text-muted">
            {pin ? (
              <>
                Pinned: <span className="font-mono text-xs break-all">{pin}</span>
              </>
            ) : (
              "Not pinned. For an https:// URL, test the connection to see the server's certificate and pin it."
            )}
          </p>
        )}
        {!presented && fieldError("fingerprint") && <StatusMessage tone="error" message={fieldError("fingerprint")?.join(" ")} />}
      </fieldset>

      {tested && (
        <StatusMessage
          tone="success"
          message={`Connected to pool “${tested.pool.poolName}”: ${tested.pool.hostCount} host${tested.pool.hostCount === 1 ? "" : "s"}, XAPI ${tested.pool.apiVersion}, master ${tested.pool.masterUrl}.`}
        />
      )}
      {tested?.alreadyRegistered && (
        <StatusMessage tone="warning" message={`This pool is already registered as “${tested.alreadyRegistered}”: saving it again will be refused.`} />
      )}
      <StatusMessage tone="success" message={saved} />
      <div className="flex flex-wrap gap-2">
        <Button onClick={test} pending={testing} disabled={busy}>
          Test connection
        </Button>
        <Button type="submit" variant="primary" pending={saving} disabled={busy}>
          {editing ? "Save changes" : "Register pool"}
        </Button>
      </div>
    </form>
  );
}
