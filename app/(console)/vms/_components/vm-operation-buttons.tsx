"use client";

/**
 * The VM page's lifecycle buttons: only the operations the user may perform (the server decided), disabled with
 * XAPI's reason when the VM's state does not allow them. A click runs the server action; while its task runs
 * the buttons wait and a progress bar says what is happening; the outcome is shown in words.
 */
import { useState } from "react";
import { VM_OPERATIONS, type VmOperationId } from "@/lib/vm/operations";
import type { VmOperationState } from "@/lib/inventory/vms";
import { Button } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { SelectField } from "@/lib/ui/field";
import { ProgressBar } from "@/lib/ui/progress";
import { StatusMessage } from "@/lib/ui/status-message";
import { resultMessage, useAction } from "@/lib/ui/use-action";
import { vmOperationAction } from "@/app/(console)/vms/actions";

const CONSEQUENCES: Partial<Record<VmOperationId, string>> = {
  hard_shutdown: "This cuts the VM's power at once: anything its guest had not saved is lost.",
  hard_reboot: "This resets the VM at once, like pressing its reset button: anything its guest had not saved is lost.",
};

export function VmOperationButtons({
  vm,
  operations,
  hosts,
}: {
  vm: { uuid: string; name: string };
  operations: VmOperationState[];
  hosts: { uuid: string; name: string; unavailableReason: string | null }[];
}) {
  const operation = useAction(vmOperationAction);
  const [requested, setRequested] = useState<VmOperationId | null>(null);
  const running = operation.pending ? requested : null;
  const startable = hosts.filter((host) => host.unavailableReason === null);
  const [host, setHost] = useState(startable[0]?.uuid ?? "");

  // The page re-renders with the VM's new state through the live stream; the answer is shown beside it.
  function run(id: VmOperationId, hostUuid?: string) {
    setRequested(id);
    return operation.run({ operation: id, vm: vm.uuid, ...(hostUuid ? { host: hostUuid } : {}) });
  }

  if (operations.length === 0) return null;
  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label="VM actions" className="flex flex-wrap items-center gap-2">
        {operations.map((state) => {
          const spec = VM_OPERATIONS[state.id];
          const reason = running ? "Another operation is running" : state.unavailableReason;
          if (spec.needsHost) {
            return (
              <ConfirmDialog
                key={state.id}
                triggerLabel={spec.label}
                disabledReason={reason ?? (startable.length === 0 ? "No host you have access to can run it" : null)}
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
            );
          }
          if (spec.confirm) {
            return (
              <ConfirmDialog
                key={state.id}
                triggerLabel={spec.label}
                triggerVariant="danger"
                disabledReason={reason}
                title={`${spec.label} ${vm.name}?`}
                confirmLabel={spec.label}
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
              disabledReason={reason}
              pending={running === state.id}
              onClick={() => run(state.id)}
            >
              {spec.label}
            </Button>
          );
        })}
      </div>
      {running && <ProgressBar label={`${VM_OPERATIONS[running].progressive} ${vm.name}…`} showLabel className="max-w-md" />}
      <StatusMessage tone={operation.result?.ok ? "success" : "error"} message={running ? null : resultMessage(operation.result)} />
    </div>
  );
}
