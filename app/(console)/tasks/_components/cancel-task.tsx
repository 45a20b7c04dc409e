"use client";

/** Cancel a running task (asks first: the operation stops where it is and changes nothing). */
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { useToast } from "@/lib/ui/toast";
import { cancelTaskAction } from "@/app/(console)/tasks/actions";

export function CancelTaskButton({ task, title, unavailableReason }: { task: string; title: string; unavailableReason: string | null }) {
  const toast = useToast();
  return (
    <ConfirmDialog
      triggerLabel="Cancel"
      triggerSize="sm"
      disabledReason={unavailableReason}
      title={`Cancel “${title}”?`}
      confirmLabel="Cancel the task"
      cancelLabel="Keep it running"
      onConfirm={() => cancelTaskAction({ task })}
      onDone={(result) => toast(result.ok ? { tone: "success", title: result.message } : { tone: "error", title: "Not cancelled", description: result.error })}
    >
      The operation stops at its next step and leaves things as they were before it started.
    </ConfirmDialog>
  );
}
