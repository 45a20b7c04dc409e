"use server";
/**
 * Server actions of the group pages: parse, authenticate, and let the repository (lib/access/groups.ts) authorize
 * (`users.manage`), act and audit. Membership changes apply at the members' next request.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { actingUser, isRefusal } from "@/lib/access/acting-user";
import { parseGroup, parseId, parseMembership } from "@/lib/admin/action-input";
import { formState, type FormState } from "@/lib/actions/form-state";
import { GROUPS_PATH, groupHref } from "@/lib/admin/paths";
import { addGroupMember, createGroup, deleteGroup, removeGroupMember, updateGroup } from "@/lib/access/groups";
import type { MutationResult } from "@/lib/actions/result";

const MANAGE = { action: "users.manage" } as const;
const audit = (operation: string) => ({ object: { kind: "group" }, params: { operation } });
const typed = (formData: FormData) => ({ name: String(formData.get("name") ?? ""), description: String(formData.get("description") ?? "") });

export async function createGroupAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("create"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseGroup(formData);
  if (!parsed.ok) return formState(parsed, "", typed(formData));
  const result = await createGroup(actor, { name: parsed.data.name, description: parsed.data.description });
  if (!result.ok) return formState(result, "", typed(formData));
  revalidatePath(GROUPS_PATH);
  redirect(groupHref(result.group.id));
}

export async function updateGroupAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const actor = await actingUser(MANAGE, audit("update"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseGroup(formData);
  if (!parsed.ok) return formState(parsed, "", typed(formData));
  if (!parsed.data.groupId) return formState({ ok: false, error: "Missing group." }, "");
  const result = await updateGroup(actor, parsed.data.groupId, { name: parsed.data.name, description: parsed.data.description });
  if (result.ok) revalidatePath("/admin", "layout");
  return formState(result, "Saved.", typed(formData));
}

/** For the delete dialog: the group's ACLs go with it. Leaves for the group list on success. */
export async function deleteGroupAction(input: unknown): Promise<MutationResult> {
  const actor = await actingUser(MANAGE, audit("delete"));
  if (isRefusal(actor)) return actor;
  const parsed = parseId(input, "groupId");
  if (!parsed.ok) return parsed;
  const result = await deleteGroup(actor, parsed.data.groupId);
  if (!result.ok) return result;
  revalidatePath("/admin", "layout");
  redirect(GROUPS_PATH);
}

/** Adds a user to a group, or removes them (`intent=remove`); used on both the group's and the user's page. */
export async function changeMembershipAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const remove = formData.get("intent") === "remove";
  const actor = await actingUser(MANAGE, audit(remove ? "remove-member" : "add-member"));
  if (isRefusal(actor)) return formState(actor, "");
  const parsed = parseMembership(formData);
  if (!parsed.ok) return formState(parsed, "");
  const { groupId, userId } = parsed.data;
  const result = remove ? await removeGroupMember(actor, groupId, userId) : await addGroupMember(actor, groupId, userId);
  if (result.ok) revalidatePath("/admin", "layout");
  return formState(result, remove ? "Removed from the group." : "Added to the group.");
}
