"use client";

/**
 * A snapshot's buttons in the VM page's snapshot list: revert the VM to it, delete it (with its disks). Only
 * those the user may perform (the server decided), disabled with XAPI's reason; both ask first. The outcome
 * comes as a notice; the list follows through the live stream.
 */
import type { VmManagementResult } from "@/lib/vm/management-actions";
import { VM_MANAGEMENT, type SnapshotManagementId } from "@/lib/vm/management";
import type { ManagementOperationState } from "@/lib/inventory/vm-management";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { useToast } from "@/lib/ui/toast";
import { vmManagementAction } from "@/app/(console)/vms/[uuid]/actions";

export function SnapshotActions({
  vmName,
  snapshot,
  operations,
}: {
  vmName: string;
  snapshot: { uuid: string; name: string };
  operations: ManagementOperationState[];
}) {
  const toast = useToast();

  const done = (id: SnapshotManagementId) => (result: VmManagementResult) =>
    toast(
      result.ok
        ? { tone: "success", title: result.message }
        : { tone: "error", title: `Could not ${VM_MANAGEMENT[id].verb} “${snapshot.name}”`, description: result.error },
    );

  return (
    <div className="flex flex-wrap justify-end gap-1.5">
      {operations.map(({ id, unavailableReason }) =>
        id === "revert" ? (
          <ConfirmDialog
            key={id}
            triggerLabel="Revert"
            triggerSize="sm"
            disabledReason={unavailableReason}
            title={`Revert ${vmName} to “${snapshot.name}”?`}
            confirmLabel="Revert"
            onConfirm={() => vmManagementAction({ operation: "revert", snapshot: snapshot.uuid })}
            onDone={done("revert")}
          >
            The VM goes back to this snapshot&apos;s disks and settings, and is halted if it runs. Whatever changed since the snapshot was taken is lost, unless
            you snapshot it first.
          </ConfirmDialog>
        ) : (
          <ConfirmDialog
            key={id}
            triggerLabel="Delete"
            triggerSize="sm"
            triggerVariant="ghost"
            disabledReason={unavailableReason}
            title={`Delete snapshot “${snapshot.name}”?`}
            confirmLabel="Delete snapshot"
            onConfirm={() => vmManagementAction({ operation: "delete_snapshot", snapshot: snapshot.uuid })}
            onDone={done("delete_snapshot")}
          >
            The snapshot and its disks are destroyed; {vmName} itself is not touched. This cannot be undone.
          </ConfirmDialog>
        ),
      )}
    </div>
  );
}
