import { ActionForm } from "@/lib/ui/action-form";
import { removeAclAction } from "./actions";

/** "Remove" for one ACL, in the ACL tables of the access, user and group pages. */
export function RemoveAclButton({ aclId }: { aclId: string }) {
  return (
    <ActionForm action={removeAclAction} submitLabel="Remove" submitVariant="ghost" inline>
      <input type="hidden" name="aclId" value={aclId} />
    </ActionForm>
  );
}
