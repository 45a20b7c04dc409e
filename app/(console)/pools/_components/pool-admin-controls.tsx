"use client";

/**
 * A registration's admin buttons: enable/disable (a disabled pool is not connected), remove (asks first),
 * and check the certificate the pool presents now against the pinned one, pinning the new one on request.
 */
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { CertificateDto } from "@/lib/pools/registration";
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { StatusMessage } from "@/lib/ui/status-message";
import { checkCertificateAction, pinCertificateAction, removePoolAction, setPoolEnabledAction } from "@/app/(console)/pools/actions";

const REQUEST_FAILED = "The request did not reach XenDeck; check your connection and try again.";

export function PoolAdminControls({ pool }: { pool: { id: string; label: string; enabled: boolean; https: boolean; fingerprint: string | null } }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [certificate, setCertificate] = useState<CertificateDto | null>(null);

  const act = (work: () => Promise<{ ok: boolean; error?: string }>, success: string) =>
    startTransition(async () => {
      setMessage(null);
      try {
        const result = await work();
        setMessage(result.ok ? { tone: "success", text: success } : { tone: "error", text: result.error ?? "Failed" });
        if (result.ok) router.refresh();
      } catch {
        setMessage({ tone: "error", text: REQUEST_FAILED });
      }
    });

  function checkCertificate() {
    startTransition(async () => {
      setMessage(null);
      try {
        const result = await checkCertificateAction(pool.id);
        if (!result.ok) return setMessage({ tone: "error", text: result.error });
        setCertificate(result.certificate);
        if (result.certificate && result.certificate.fingerprint === result.pinned)
          setMessage({ tone: "success", text: "The pool presents the pinned certificate." });
      } catch {
        setMessage({ tone: "error", text: REQUEST_FAILED });
      }
    });
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button
          pending={pending}
          onClick={() =>
            act(
              () => setPoolEnabledAction(pool.id, !pool.enabled),
              pool.enabled ? "Disabled: XenDeck disconnected from the pool." : "Enabled: XenDeck is connecting to the pool.",
            )
          }
        >
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
          onConfirm={async () => {
            try {
              const result = await removePoolAction(pool.id);
              if (result.ok) router.push("/pools");
              else setMessage({ tone: "error", text: result.error });
            } catch {
              setMessage({ tone: "error", text: REQUEST_FAILED });
            }
          }}
        >
          XenDeck forgets this pool: its VMs disappear from XenDeck. Nothing changes on the pool itself, and the access rules on its objects are kept.
        </ConfirmDialog>
      </div>
      {certificate && certificate.fingerprint !== pool.fingerprint && (
        <div className="space-y-2 rounded-md border border-warn/40 bg-warn-soft p-3 text-sm">
          <p>The pool presents {pool.fingerprint ? "a certificate that is not the pinned one" : "this certificate (none is pinned)"}. SHA-256 fingerprint:</p>
          <p className="font-mono text-xs break-all">{certificate.fingerprint}</p>
          <p className="text-xs">Pin it only if you know why it changed (the host’s certificate was renewed).</p>
          <Button
            size="sm"
            pending={pending}
            onClick={() => act(() => pinCertificateAction(pool.id, certificate.fingerprint), "The new certificate is pinned.")}
          >
            Pin this certificate
          </Button>
        </div>
      )}
      <StatusMessage tone={message?.tone ?? "info"} message={message?.text} />
    </div>
  );
}
