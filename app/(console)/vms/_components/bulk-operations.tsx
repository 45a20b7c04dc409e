"use client";

/**
 * The VM list's bulk action bar: the operations the user may perform on at least one of the VMs, applied to the
 * selected rows the operation applies to now; the others are skipped, and the bar says how many and why. The
 * everyday operations are buttons, the rare ones are in a "More" menu; shutting down and rebooting ask first.
 * Each VM gets its own outcome (the server re-checks every one), shown once the list shows the VMs' new states.
 * Once the whole page is selected, the bar offers to select every VM matching the search.
 */
import { useEffect, useState } from "react";
import { VM_OPERATIONS, type VmOperationId } from "@/lib/vm/operations";
import type { BulkOperations as BulkOperationsData } from "@/lib/inventory/vms";
import type { BulkItemOutcome } from "@/lib/vm/lifecycle-actions";
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { formatCount } from "@/lib/ui/format";
import { MenuButton } from "@/lib/ui/menu-button";
import { ProgressBar } from "@/lib/ui/progress";
import { SelectionCount, useRowSelection } from "@/lib/ui/row-selection";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";
import { bulkVmOperationAction } from "@/app/(console)/vms/actions";
import { OperationResults, type SkippedVm } from "./operation-results";

/** How long the outcome waits for the list to show the VMs' new states (the live stream) before it shows anyway. */
const NEW_STATE_WAIT_MS = 10_000;

const vmCount = (count: number) => formatCount(count, "VM");

/** The selected VMs an operation applies to now, and the others with why not. */
function split(operations: BulkOperationsData, selected: readonly string[], id: VmOperationId): { applicable: string[]; skipped: SkippedVm[] } {
  const applicable: string[] = [];
  const skipped: SkippedVm[] = [];
  for (const uuid of selected) {
    if (operations.ready[uuid]?.includes(id)) applicable.push(uuid);
    else {
      const index = operations.blocked[uuid]?.[id];
      skipped.push({ uuid, name: operations.vms[uuid]?.name ?? null, reason: index === undefined ? "Its state is not known" : operations.reasons[index]! });
    }
  }
  return { applicable, skipped };
}

/** "1 selected VM is skipped: …", grouped by reason. */
function skipSummary(skipped: readonly SkippedVm[]): string {
  const byReason = new Map<string, number>();
  for (const item of skipped) byReason.set(item.reason, (byReason.get(item.reason) ?? 0) + 1);
  const parts = [...byReason].map(([reason, count]) => (byReason.size === 1 ? reason : `${count}: ${reason}`));
  return `${skipped.length === 1 ? "1 selected VM is" : `${skipped.length} selected VMs are`} skipped (${parts.join("; ")}).`;
}

export function BulkOperations({ operations, maxVms }: { operations: BulkOperationsData; maxVms: number }) {
  const selection = useRowSelection();
  const { selected, count, clear } = selection;
  const bulk = useAction(bulkVmOperationAction);
  const [requested, setRequested] = useState<{ id: VmOperationId; count: number; skipped: SkippedVm[] } | null>(null);
  const [dialog, setDialog] = useState<VmOperationId | null>(null);
  const [waitedLongEnough, setWaitedLongEnough] = useState(false);

  const results = !bulk.pending && requested && bulk.result?.ok ? bulk.result.results : null;
  // Done on the pool, not yet in the list: the outcome waits until the list shows the VMs' new states.
  const expected = requested ? VM_OPERATIONS[requested.id].to : null;
  const settling =
    results !== null &&
    expected !== null &&
    !waitedLongEnough &&
    results.some(
      (item: BulkItemOutcome) => item.result.ok && operations.vms[item.vm.uuid] !== undefined && operations.vms[item.vm.uuid]!.powerState !== expected,
    );
  const running = bulk.pending || settling ? requested : null;
  const outcome = results && !settling ? { id: requested!.id, results, skipped: requested!.skipped } : null;
  const error = !bulk.pending && bulk.result && !bulk.result.ok ? bulk.result.error : null;

  useEffect(() => {
    if (!settling) return;
    const timer = setTimeout(() => setWaitedLongEnough(true), NEW_STATE_WAIT_MS);
    return () => clearTimeout(timer);
  }, [settling]);

  const offered = operations.offered;
  if (offered.length === 0) return null;

  // The list re-renders with the VMs' new states through the live stream; the outcomes are shown above it.
  async function run(id: VmOperationId) {
    const { applicable, skipped } = split(operations, selected, id);
    setRequested({ id, count: applicable.length, skipped });
    setWaitedLongEnough(false);
    const result = await bulk.run({ operation: id, vms: applicable });
    if (result.ok && result.results.some((item) => item.result.ok)) clear();
    return result;
  }

  const state = (id: VmOperationId) => {
    const spec = VM_OPERATIONS[id];
    const { applicable, skipped } = split(operations, selected, id);
    const reason = running
      ? "Another operation is running"
      : applicable.length === 0
        ? `None of the selected VMs can be ${spec.past} now${skipped[0] ? `: ${skipped[0].reason}` : ""}`
        : applicable.length > maxVms
          ? `Select at most ${maxVms} VMs at once`
          : null;
    const label = applicable.length > 0 && applicable.length < count ? `${spec.label} (${applicable.length})` : spec.label;
    return { spec, applicable, skipped, reason, label };
  };

  const dialogState = dialog ? state(dialog) : null;
  const everyday = offered.filter((id) => !VM_OPERATIONS[id].rare);
  const rare = offered.filter((id) => VM_OPERATIONS[id].rare);

  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label="Actions on the selected VMs" className="flex min-h-7 flex-wrap items-center gap-2">
        {count === 0 && !running ? (
          <span className="text-xs text-muted">Select VMs to act on several at once.</span>
        ) : (
          <>
            <SelectionCount className="text-xs font-medium" />
            {everyday.map((id) => {
              const { spec, applicable, skipped, reason, label } = state(id);
              return spec.confirm ? (
                <ConfirmDialog
                  key={id}
                  triggerLabel={label}
                  triggerSize="sm"
                  disabledReason={reason}
                  title={`${spec.label} ${vmCount(applicable.length)}?`}
                  confirmLabel={spec.label}
                  confirmVariant={spec.drastic ? "danger" : "primary"}
                  onConfirm={() => run(id)}
                >
                  <Consequences id={id} skipped={skipped} />
                </ConfirmDialog>
              ) : (
                <Button key={id} size="sm" disabledReason={reason} pending={running?.id === id} onClick={() => run(id)}>
                  {label}
                </Button>
              );
            })}
            <MenuButton
              label="More"
              size="sm"
              items={rare.map((id) => {
                const { spec, reason, label } = state(id);
                return { id, label, danger: spec.drastic, disabledReason: reason, onSelect: () => (spec.confirm ? setDialog(id) : void run(id)) };
              })}
            />
          </>
        )}
      </div>
      <SelectAllMatching maxVms={maxVms} hidden={running !== null} />
      {dialogState && dialog && (
        <ConfirmDialog
          open
          onClose={() => setDialog(null)}
          title={`${dialogState.spec.label} ${vmCount(dialogState.applicable.length)}?`}
          confirmLabel={dialogState.spec.label}
          confirmVariant={dialogState.spec.drastic ? "danger" : "primary"}
          onConfirm={() => run(dialog)}
        >
          <Consequences id={dialog} skipped={dialogState.skipped} />
        </ConfirmDialog>
      )}
      {running && <ProgressBar label={`${VM_OPERATIONS[running.id].progressive} ${vmCount(running.count)}…`} showLabel className="max-w-md" />}
      <StatusMessage tone="error" message={error} />
      {outcome && <OperationResults operation={outcome.id} results={outcome.results} skipped={outcome.skipped} onDismiss={bulk.reset} />}
    </div>
  );
}

/** What an operation that asks first does to the guests of the selected VMs. */
const CONSEQUENCES: Partial<Record<VmOperationId, string>> = {
  clean_shutdown: "Their guest operating systems are asked to shut down: their services stop until someone starts the VMs again.",
  clean_reboot: "Their guest operating systems are asked to restart: their services are unavailable while they do.",
  hard_shutdown: "This cuts the power of the selected VMs: anything their guests had not saved is lost.",
  hard_reboot: "This resets the selected VMs at once, like pressing their reset buttons: anything their guests had not saved is lost.",
};

/** What the operation does to the guests, and which selected VMs it leaves out. */
function Consequences({ id, skipped }: { id: VmOperationId; skipped: SkippedVm[] }) {
  return (
    <>
      <p>{CONSEQUENCES[id]}</p>
      {skipped.length > 0 && <p className="mt-2">{skipSummary(skipped)}</p>}
    </>
  );
}

/** Once the whole page is selected: "Select all 120 matching VMs" (or why not), then how many are. */
function SelectAllMatching({ maxVms, hidden }: { maxVms: number; hidden: boolean }) {
  const { count, shownCount, matchingCount, allMatching, selectAllMatching, clear } = useRowSelection();
  if (hidden || count === 0) return null;
  if (allMatching) {
    return (
      <p className="text-xs">
        All {vmCount(count)} matching the search are selected, on every page.{" "}
        <button type="button" className="text-link hover:underline" onClick={clear}>
          Clear the selection
        </button>
      </p>
    );
  }
  if (count < shownCount || matchingCount === shownCount) return null;
  return (
    <p className="text-xs">
      All {vmCount(count)} on this page are selected.{" "}
      {matchingCount === null ? (
        <span className="text-muted">To act on every matching VM at once, narrow the search to {maxVms} VMs or fewer.</span>
      ) : (
        <button type="button" className="text-link hover:underline" onClick={selectAllMatching}>
          Select all {vmCount(matchingCount)} matching the search
        </button>
      )}
    </p>
  );
}
