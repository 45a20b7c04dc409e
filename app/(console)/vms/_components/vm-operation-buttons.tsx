"use client";

/**
 * The VM page's lifecycle buttons: only the operations the user may perform (the server decided), disabled with
 * XAPI's reason when the VM's state does not allow them. The everyday ones are buttons; the rare ones (start on,
 * pause, unpause, the forced variants) are in a "More" menu. Shutting down or rebooting asks first, the forced
 * variants with a stronger warning. A click runs the server action; while its task runs, and until the page
 * shows the VM's new state, a progress bar says what is happening; then the outcome is shown in words.
 */
import { useEffect, useState } from "react";
import { VM_OPERATIONS, type VmOperationId } from "@/lib/vm/operations";
import type { VmOperationState } from "@/lib/inventory/vms";
import type { VmPowerState } from "@/lib/xapi/model/records.generated";
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { SelectField } from "@/lib/ui/field";
import { MenuButton } from "@/lib/ui/menu-button";
import { ProgressBar } from "@/lib/ui/progress";
import { StatusMessage } from "@/lib/ui/status-message";
import { resultMessage, useAction } from "@/lib/ui/use-action";
import { vmOperationAction } from "@/app/(console)/vms/actions";

/** What an operation that asks first does to the guest, in the dialog. */
const CONSEQUENCES: Partial<Record<VmOperationId, string>> = {
  clean_shutdown: "The guest operating system is asked to shut down: its services stop until someone starts the VM again.",
  clean_reboot: "The guest operating system is asked to restart: its services are unavailable while it does.",
  hard_shutdown: "This cuts the VM's power at once: anything its guest had not saved is lost.",
  hard_reboot: "This resets the VM at once, like pressing its reset button: anything its guest had not saved is lost.",
};

/** How long the outcome waits for the page to show the VM's new state (the live stream) before it shows anyway. */
const NEW_STATE_WAIT_MS = 10_000;

export function VmOperationButtons({
  vm,
  powerState,
  operations,
  hosts,
}: {
  vm: { uuid: string; name: string };
  /** The state the page shows now: the outcome of an operation is shown once it is the operation's result. */
  powerState: VmPowerState;
  operations: VmOperationState[];
  hosts: { uuid: string; name: string; unavailableReason: string | null }[];
}) {
  const operation = useAction(vmOperationAction);
  const [requested, setRequested] = useState<VmOperationId | null>(null);
  const [dialog, setDialog] = useState<VmOperationId | null>(null);
  const [waitedLongEnough, setWaitedLongEnough] = useState(false);
  const startable = hosts.filter((host) => host.unavailableReason === null);
  const [host, setHost] = useState(startable[0]?.uuid ?? "");

  const expected = requested ? VM_OPERATIONS[requested].to : null;
  // Done on the pool, not yet on the page: the outcome waits for the new state, so that both appear together.
  const settling = !operation.pending && operation.result?.ok === true && expected !== null && powerState !== expected && !waitedLongEnough;
  const busy = operation.pending || settling;
  const shown = busy ? requested : null;

  useEffect(() => {
    if (!settling) return;
    const timer = setTimeout(() => setWaitedLongEnough(true), NEW_STATE_WAIT_MS);
    return () => clearTimeout(timer);
  }, [settling]);

  function run(id: VmOperationId, hostUuid?: string) {
    setRequested(id);
    setWaitedLongEnough(false);
    return operation.run({ operation: id, vm: vm.uuid, ...(hostUuid ? { host: hostUuid } : {}) });
  }

  if (operations.length === 0) return null;
  const reasonFor = (state: VmOperationState) => (busy ? "Another operation is running" : state.unavailableReason);
  const everyday = operations.filter((state) => !VM_OPERATIONS[state.id].rare);
  const rare = operations.filter((state) => VM_OPERATIONS[state.id].rare);
  const dialogState = operations.find((state) => state.id === dialog) ?? null;

  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label="VM actions" className="flex flex-wrap items-center gap-2">
        {everyday.map((state) => {
          const spec = VM_OPERATIONS[state.id];
          if (spec.confirm) {
            return (
              <ConfirmDialog
                key={state.id}
                triggerLabel={spec.label}
                disabledReason={reasonFor(state)}
                title={`${spec.label} ${vm.name}?`}
                confirmLabel={spec.label}
                confirmVariant={spec.drastic ? "danger" : "primary"}
                onConfirm={() => run(state.id)}
              >
                {CONSEQUENCES[state.id]}
              </ConfirmDialog>
            );
          }
          return (
            <Button
              key={state.id}
              variant={state.id === "start" ? "primary" : "secondary"}
              disabledReason={reasonFor(state)}
              pending={shown === state.id}
              onClick={() => run(state.id)}
            >
              {spec.label}
            </Button>
          );
        })}
        <MenuButton
          label="More"
          items={rare.map((state) => {
            const spec = VM_OPERATIONS[state.id];
            const reason = reasonFor(state) ?? (spec.needsHost && startable.length === 0 ? "No host you have access to can run it" : null);
            return {
              id: state.id,
              label: spec.label,
              danger: spec.drastic,
              disabledReason: reason,
              onSelect: () => (spec.confirm || spec.needsHost ? setDialog(state.id) : void run(state.id)),
            };
          })}
        />
      </div>
      {dialogState && VM_OPERATIONS[dialogState.id].needsHost && (
        <ConfirmDialog
          open
          onClose={() => setDialog(null)}
          title={`Start ${vm.name} on…`}
          confirmLabel="Start"
          confirmVariant="primary"
          onConfirm={() => run("start_on", host)}
        >
          <SelectField
            label="Host"
            name="host"
            value={host}
            onChange={(event) => setHost(event.target.value)}
            options={hosts.map((candidate) => ({
              value: candidate.uuid,
              label: candidate.unavailableReason ? `${candidate.name} (${candidate.unavailableReason})` : candidate.name,
              disabled: candidate.unavailableReason !== null,
            }))}
          />
        </ConfirmDialog>
      )}
      {dialogState && VM_OPERATIONS[dialogState.id].confirm && (
        <ConfirmDialog
          open
          onClose={() => setDialog(null)}
          title={`${VM_OPERATIONS[dialogState.id].label} ${vm.name}?`}
          confirmLabel={VM_OPERATIONS[dialogState.id].label}
          confirmVariant={VM_OPERATIONS[dialogState.id].drastic ? "danger" : "primary"}
          onConfirm={() => run(dialogState.id)}
        >
          {CONSEQUENCES[dialogState.id]}
        </ConfirmDialog>
      )}
      {shown && <ProgressBar label={`${VM_OPERATIONS[shown].progressive} ${vm.name}…`} showLabel className="max-w-md" />}
      <StatusMessage tone={operation.result?.ok ? "success" : "error"} message={busy ? null : resultMessage(operation.result)} />
    </div>
  );
}
