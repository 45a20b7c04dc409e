"use client";

/**
 * Dismissing alerts: one from its row, or the selected ones at once (after a confirmation). The alerts leave the
 * pool; the page follows through the live stream.
 */
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { SelectionCount, useRowSelection } from "@/lib/ui/row-selection";
import { StatusMessage } from "@/lib/ui/status-message";
import { resultMessage, useAction } from "@/lib/ui/use-action";
import { useToast } from "@/lib/ui/toast";
import { dismissAlertAction, dismissAlertsAction } from "@/app/(console)/alerts/actions";

export function DismissAlertButton({ alert, title }: { alert: string; title: string }) {
  const dismiss = useAction(dismissAlertAction);
  const toast = useToast();
  return (
    <Button
      size="sm"
      variant="ghost"
      pending={dismiss.pending}
      aria-label={`Dismiss ${title}`}
      onClick={async () => {
        const result = await dismiss.run({ alert });
        if (!result.ok) toast({ tone: "error", title: "Not dismissed", description: result.error });
      }}
    >
      Dismiss
    </Button>
  );
}

export function DismissSelectedAlerts() {
  const { selected, count, clear } = useRowSelection();
  const dismiss = useAction(dismissAlertsAction);
  const outcome = dismiss.pending ? null : dismiss.result;
  const failures = outcome?.ok ? outcome.outcomes.filter((item) => !item.result.ok) : [];
  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label="Actions on the selected alerts" className="flex min-h-7 flex-wrap items-center gap-2">
        {count === 0 ? (
          <span className="text-xs text-muted">Select alerts to dismiss several at once.</span>
        ) : (
          <>
            <SelectionCount className="text-xs font-medium" />
            <ConfirmDialog
              triggerLabel={`Dismiss ${count === 1 ? "1 alert" : `${count} alerts`}`}
              triggerSize="sm"
              title={`Dismiss ${count === 1 ? "1 alert" : `${count} alerts`}?`}
              confirmLabel="Dismiss"
              onConfirm={async () => {
                const result = await dismiss.run({ alerts: selected });
                if (result.ok) clear();
                return result;
              }}
            >
              They are removed from the pool for everyone (XAPI keeps no copy). The audit log records who dismissed them.
            </ConfirmDialog>
          </>
        )}
      </div>
      <StatusMessage
        tone={outcome ? (outcome.ok && failures.length === 0 ? "success" : "error") : "info"}
        message={
          outcome
            ? outcome.ok && failures.length > 0
              ? `${outcome.message}: ${failures[0]!.result.ok ? "" : failures[0]!.result.error}`
              : resultMessage(outcome)
            : null
        }
      />
    </div>
  );
}
