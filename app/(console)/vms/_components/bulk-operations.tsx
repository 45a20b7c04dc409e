"use client";

/**
 * The VM list's bulk action bar: the operations the user may perform on at least one VM of the page, applied to
 * the selected rows. Each VM gets its own outcome (the server re-checks every one). Drastic operations ask
 * first; while the request runs, the bar shows what is happening.
 */
import { useState } from "react";
import { VM_OPERATIONS, type VmOperationId } from "@/lib/vm/operations";
import type { BulkOperations as BulkOperationsData } from "@/lib/inventory/vms";
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { ProgressBar } from "@/lib/ui/progress";
import { SelectionCount, useRowSelection } from "@/lib/ui/row-selection";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";
import { bulkVmOperationAction } from "@/app/(console)/vms/actions";
import { OperationResults } from "./operation-results";

export function BulkOperations({ operations }: { operations: BulkOperationsData }) {
  const { selected, count, clear } = useRowSelection();
  const bulk = useAction(bulkVmOperationAction);
  const [requested, setRequested] = useState<{ id: VmOperationId; count: number } | null>(null);
  const running = bulk.pending ? requested : null;
  const outcome = !bulk.pending && requested && bulk.result?.ok ? { id: requested.id, results: bulk.result.results } : null;
  const error = !bulk.pending && bulk.result && !bulk.result.ok ? bulk.result.error : null;

  const offered = operations.offered;
  if (offered.length === 0) return null;

  const readyCount = (id: VmOperationId) => selected.filter((uuid) => operations.ready[uuid]?.includes(id)).length;

  // The list re-renders with the VMs' new states through the live stream; the outcomes are shown above it.
  async function run(id: VmOperationId) {
    const vms = selected;
    setRequested({ id, count: vms.length });
    const result = await bulk.run({ operation: id, vms });
    if (result.ok && result.results.some((item) => item.result.ok)) clear();
    return result;
  }

  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label="Actions on the selected VMs" className="flex min-h-7 flex-wrap items-center gap-2">
        {count === 0 && !running ? (
          <span className="text-xs text-muted">Select VMs to act on several at once.</span>
        ) : (
          <>
            <SelectionCount className="text-xs font-medium" />
            {offered.map((id) => {
              const spec = VM_OPERATIONS[id];
              const ready = readyCount(id);
              const reason = running ? "Another operation is running" : ready === 0 ? `None of the selected VMs can be ${spec.past} now` : null;
              const label = ready > 0 && ready < count ? `${spec.label} (${ready})` : spec.label;
              return spec.confirm ? (
                <ConfirmDialog
                  key={id}
                  triggerLabel={label}
                  triggerSize="sm"
                  triggerVariant="danger"
                  disabledReason={reason}
                  title={`${spec.label} ${count === 1 ? "1 VM" : `${count} VMs`}?`}
                  confirmLabel={spec.label}
                  onConfirm={() => run(id)}
                >
                  {id === "hard_shutdown"
                    ? "This cuts the power of the selected VMs: anything their guests had not saved is lost."
                    : "This resets the selected VMs at once, like pressing their reset button: anything their guests had not saved is lost."}
                </ConfirmDialog>
              ) : (
                <Button key={id} size="sm" disabledReason={reason} pending={running?.id === id} onClick={() => run(id)}>
                  {label}
                </Button>
              );
            })}
          </>
        )}
      </div>
      {running && (
        <ProgressBar
          label={`${VM_OPERATIONS[running.id].progressive} ${running.count === 1 ? "1 VM" : `${running.count} VMs`}…`}
          showLabel
          className="max-w-md"
        />
      )}
      <StatusMessage tone="error" message={error} />
      {outcome && <OperationResults operation={outcome.id} results={outcome.results} onDismiss={bulk.reset} />}
    </div>
  );
}
