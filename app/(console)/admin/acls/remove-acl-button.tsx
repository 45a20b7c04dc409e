"use client";

/**
 * "Remove" for one ACL, in the ACL tables of the access, user and group pages: a button that asks first (saying
 * who loses what), then removes it; the page re-renders without it, and a failure is shown in a notice.
 */
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { useToast } from "@/lib/ui/toast";
import { removeAclAction } from "./actions";

export function RemoveAclButton({ aclId, subject, object }: { aclId: string; subject?: string; object?: string }) {
  const toast = useToast();
  return (
    <ConfirmDialog
      triggerLabel="Remove"
      triggerSize="sm"
      title={subject && object ? `Remove ${subject}'s access to ${object}?` : "Remove this ACL?"}
      confirmLabel="Remove"
      onConfirm={() => removeAclAction({ aclId })}
      onDone={(result) =>
        toast(result.ok ? { tone: "success", title: "ACL removed." } : { tone: "error", title: "The ACL was not removed", description: result.error })
      }
    >
      {subject ? `${subject} loses the role this ACL gives, from their next request.` : "Its subject loses the role it gives, from their next request."} What
      other ACLs give stays.
    </ConfirmDialog>
  );
}
