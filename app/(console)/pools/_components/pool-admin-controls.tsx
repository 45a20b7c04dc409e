"use client";

/**
 * A registration's admin buttons: enable/disable (a disabled pool is not connected), remove (asks first),
 * and check the certificate the pool presents now against the pinned one, pinning the new one on request.
 */
import { useState } from "react";
import type { CertificateDto } from "@/lib/pools/registration";
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";
import { checkCertificateAction, pinCertificateAction, removePoolAction, setPoolEnabledAction } from "@/app/(console)/pools/actions";

export function PoolAdminControls({ pool }: { pool: { id: string; label: string; enabled: boolean; https: boolean; fingerprint: string | null } }) {
  const setEnabled = useAction(setPoolEnabledAction);
  const check = useAction(checkCertificateAction);
  const pinIt = useAction(pinCertificateAction);
  const remove = useAction(removePoolAction);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [certificate, setCertificate] = useState<CertificateDto | null>(null);
  const pending = setEnabled.pending || check.pending || pinIt.pending;

  /** Shows the answer of an action (the page itself is revalidated by the action). */
  const show = (result: { ok: true } | { ok: false; error: string }, success: string) =>
    setMessage(result.ok ? { tone: "success", text: success } : { tone: "error", text: result.error });

  async function toggle() {
    show(
      await setEnabled.run({ poolId: pool.id, enabled: !pool.enabled }),
      pool.enabled ? "Disabled: XenDeck disconnected from the pool." : "Enabled: XenDeck is connecting to the pool.",
    );
  }

  async function checkCertificate() {
    setMessage(null);
    const result = await check.run({ poolId: pool.id });
    if (!result.ok) return setMessage({ tone: "error", text: result.error });
    setCertificate(result.certificate);
    if (result.certificate && result.certificate.fingerprint === result.pinned)
      setMessage({ tone: "success", text: "The pool presents the pinned certificate." });
  }

  async function pin(fingerprint: string) {
    show(await pinIt.run({ poolId: pool.id, fingerprint }), "The new certificate is pinned.");
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button pending={pending} onClick={toggle}>
          {pool.enabled ? "Disable" : "Enable"}
        </Button>
        {pool.https && (
          <Button pending={pending} onClick={checkCertificate}>
            Check certificate
          </Button>
        )}
        <ConfirmDialog
          triggerLabel="Remove"
          triggerVariant="danger"
          title={`Remove pool ${pool.label}?`}
          confirmLabel="Remove"
          // On success the action leaves for the pool list.
          onConfirm={() => remove.run({ poolId: pool.id })}
          onDone={(result) => !result.ok && setMessage({ tone: "error", text: result.error })}
        >
          XenDeck forgets this pool: its VMs disappear from XenDeck. Nothing changes on the pool itself, and the access rules on its objects are kept.
        </ConfirmDialog>
      </div>
      {certificate && certificate.fingerprint !== pool.fingerprint && (
        <div className="space-y-2 rounded-md border border-warn/40 bg-warn-soft p-3 text-sm">
          <p>The pool presents {pool.fingerprint ? "a certificate that is not the pinned one" : "this certificate (none is pinned)"}. SHA-256 fingerprint:</p>
          <p className="font-mono text-xs break-all">{certificate.fingerprint}</p>
          <p className="text-xs">Pin it only if you know why it changed (the host’s certificate was renewed).</p>
          <Button size="sm" pending={pending} onClick={() => pin(certificate.fingerprint)}>
            Pin this certificate
          </Button>
        </div>
      )}
      <StatusMessage tone={message?.tone ?? "info"} message={message?.text} />
    </div>
  );
}
