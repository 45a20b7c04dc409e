"use client";
/** The audit page's "Verify chain" button and its result: intact (with the count) or the first broken entry. */
import { useState, useTransition } from "react";
import { Button } from "@/lib/ui/button";
import { StatusMessage } from "@/lib/ui/status-message";
import { verifyAuditChainAction } from "./actions";

type Outcome = { tone: "success" | "error"; message: string } | null;

export function VerifyChain() {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, startTransition] = useTransition();

  function verify() {
    startTransition(async () => {
      try {
        const result = await verifyAuditChainAction({});
        if (!result.ok) return setOutcome({ tone: "error", message: result.error });
        const verification = result.verification;
        setOutcome(
          verification.ok
            ? { tone: "success", message: `The audit chain is intact: ${verification.count.toLocaleString("en-US")} entries verified.` }
            : { tone: "error", message: `The audit chain is broken at entry #${verification.firstBrokenId}: ${verification.reason}.` },
        );
      } catch {
        setOutcome({ tone: "error", message: "The verification could not run. Check your connection and try again." });
      }
    });
  }

  return (
    <div className="flex flex-col items-end gap-2">
      <Button onClick={verify} pending={pending} icon="shield">
        {pending ? "Verifying…" : "Verify chain"}
      </Button>
      <StatusMessage tone={outcome?.tone ?? "info"} message={outcome?.message} className="max-w-xl" />
    </div>
  );
}
