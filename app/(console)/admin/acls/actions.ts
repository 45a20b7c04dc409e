"use server";
/**
 * Server actions of the ACL page. Adding an ACL names the object by kind and uuid only: the object must exist in
 * a connected pool's cache, and its name is taken from there, never from the browser.
 */
import { revalidatePath } from "next/cache";
import { actingUser, allowedUser, isRefusal } from "@/lib/access/acting-user";
import { formFields, parseAddAcl, parseId, parseObjectSearch } from "@/lib/admin/action-input";
import { formState, type FormState } from "@/lib/actions/form-state";
import { KIND_LABELS, ROLE_LABELS } from "@/lib/admin/roles";
import { addAcl, removeAcl } from "@/lib/access/acls";
import { failure, type MutationResult } from "@/lib/actions/result";
import { findAclObject, searchAclObjects, type AclObjectDto } from "@/lib/inventory/acl-objects";

const MANAGE = { action: "acl.manage" } as const;

export async function addAclAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await allowedUser(MANAGE, { object: { kind: "acl" }, params: { operation: "add", input: formFields(formData) } });
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseAddAcl(formData);
  if (!parsed.ok) return formState(parsed, "");
  const { objectKind, objectUuid } = parsed.data;
  const object = findAclObject(actor, objectKind, objectUuid);
  if (!object) {
    return formState(failure("No connected pool has this object.", { objectUuid: [`No connected pool has a ${KIND_LABELS[objectKind]} with this uuid`] }), "");
  }
  const result = await addAcl(actor, { ...parsed.data, objectLabel: object.name });
  if (!result.ok) return formState(result, "");
  revalidatePath("/", "layout");
  const subject = result.acl.subject.type === "user" ? result.acl.subject.username : `group ${result.acl.subject.name}`;
  const role = ROLE_LABELS[result.acl.role];
  return {
    ok: true,
    message: result.replaced
      ? `${subject} is now ${role} of ${KIND_LABELS[objectKind]} ${object.name} (the previous role was replaced).`
      : `${subject} is now ${role} of ${KIND_LABELS[objectKind]} ${object.name}.`,
  };
}

export async function removeAclAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, { object: { kind: "acl" }, params: { operation: "remove" } });
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseId(formData, "aclId");
  if (!parsed.ok) return formState(parsed, "");
  const result = await removeAcl(actor, parsed.data.aclId);
  if (result.ok) revalidatePath("/", "layout");
  return formState(result, "ACL removed.");
}

/** The object picker's search (global admins only: it lists objects regardless of ACLs). */
export async function searchAclObjectsAction(input: unknown): Promise<MutationResult<{ objects: AclObjectDto[]; total: number }>> {
  const actor = await allowedUser(MANAGE, { object: { kind: "acl" }, params: { operation: "search-objects" } });
  if (isRefusal(actor)) return actor;
  const parsed = parseObjectSearch(input);
  if (!parsed.ok) return parsed;
  const { query, kind } = parsed.data;
  return { ok: true, ...searchAclObjects(actor, { query, kinds: kind ? [kind] : [] }) };
}
