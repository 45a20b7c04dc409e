/**
 * The administration actions (global admins): accounts, groups and memberships (`users.manage`), ACLs
 * (`acl.manage`), verifying the audit chain (`audit.read.all`). The repositories check the rules they own (the
 * last enabled admin, unique names) and record each change's audit entry in the change's transaction.
 */
import "server-only";
import { z } from "zod";
import { addAcl, removeAcl } from "@/lib/access/acls";
import { changeMembership, createGroup, deleteGroup, updateGroup, type GroupDto } from "@/lib/access/groups";
import { defineAction } from "@/lib/actions/define";
import { verifyAuditChain, type AuditChainVerification } from "@/lib/audit/verify";
import { endAllUserSessions } from "@/lib/auth/session-management";
import { resetTwoFactor } from "@/lib/auth/two-factor";
import { setTwoFactorPolicy, TWO_FACTOR_POLICY_KEY, twoFactorPolicySchema } from "@/lib/auth/two-factor-policy";
import { createUser, deleteUser, resetUserPassword, updateUser, type UserDto } from "@/lib/auth/users";
import { findAclObject, searchAclObjects, type AclObjectDto } from "@/lib/inventory/acl-objects";
import { failure, type ActionResult } from "@/lib/result";
import {
  addAclInput,
  createUserInput,
  groupInput,
  idSchema,
  membershipInput,
  objectSearchInput,
  resetPasswordInput,
  setUserDisabledInput,
  updateUserInput,
} from "./action-input";
import { GROUPS_PATH, groupHref, USERS_PATH, userHref } from "@/lib/routes";
import { KIND_LABELS, ROLE_LABELS } from "./roles";

const USERS = { global: "users.manage" } as const;
const ACLS = { global: "acl.manage" } as const;
/** Account, group and ACL changes show on every admin page and change what users see everywhere. */
const EVERYWHERE = [{ path: "/", type: "layout" }] as const;

/** The audit entry's object: the account or the group the input names. */
const theUser = (input: { userId: string }) => ({ kind: "user", uuid: input.userId });
const theGroup = (input: { groupId: string }) => ({ kind: "group", uuid: input.groupId });
const operation = (name: string) => () => ({ operation: name });

export const createUserAction = defineAction({
  name: "user.create",
  input: createUserInput,
  authorize: USERS,
  auditAction: "user.create",
  auditObject: () => ({ kind: "user", uuid: null }),
  auditParams: ({ username, isAdmin }) => ({ operation: "create", username, isAdmin }),
  revalidate: [USERS_PATH],
  redirectTo: (result: { user: UserDto }) => userHref(result.user.id),
  run: ({ input, recordInTransaction }): Promise<ActionResult<{ user: UserDto }>> => createUser(input, recordInTransaction),
});

export const updateUserAction = defineAction({
  name: "user.update",
  input: updateUserInput,
  authorize: USERS,
  auditAction: "user.update",
  auditObject: theUser,
  auditParams: operation("update"),
  revalidate: EVERYWHERE,
  run: async ({ input, recordInTransaction }) => {
    const result = await updateUser(input.userId, input.changes, recordInTransaction);
    return result.ok ? { ...result, message: "Saved." } : result;
  },
});

export const setUserDisabledAction = defineAction({
  name: "user.set-disabled",
  input: setUserDisabledInput,
  authorize: USERS,
  auditAction: "user.update",
  auditObject: theUser,
  auditParams: operation("update"),
  revalidate: EVERYWHERE,
  run: async ({ input, recordInTransaction }) => {
    const result = await updateUser(input.userId, { disabled: input.disabled }, recordInTransaction);
    if (!result.ok) return result;
    return { ...result, message: input.disabled ? "Account disabled: its sessions have ended." : "Account enabled." };
  },
});

export const resetPasswordAction = defineAction({
  name: "user.reset-password",
  input: resetPasswordInput,
  authorize: USERS,
  auditAction: "user.reset_password",
  auditObject: theUser,
  auditParams: operation("reset-password"),
  revalidate: EVERYWHERE,
  run: async ({ input, recordInTransaction }): Promise<ActionResult<{ message: string; shownOnce?: string }>> => {
    const result = await resetUserPassword(input.userId, { newPassword: input.newPassword }, recordInTransaction);
    if (!result.ok) return result;
    const message = "Password reset: the user's sessions have ended, and they must choose a new password when they next log in.";
    return input.generated ? { ok: true, message, shownOnce: input.newPassword } : { ok: true, message };
  },
});

export const deleteUserAction = defineAction({
  name: "user.delete",
  input: z.object({ userId: idSchema }),
  authorize: USERS,
  auditAction: "user.delete",
  auditObject: theUser,
  auditParams: operation("delete"),
  revalidate: EVERYWHERE,
  redirectTo: () => USERS_PATH,
  run: ({ input, recordInTransaction }) => deleteUser(input.userId, recordInTransaction),
});

export const createGroupAction = defineAction({
  name: "group.create",
  input: groupInput,
  authorize: USERS,
  auditAction: "group.create",
  auditObject: () => ({ kind: "group" }),
  auditParams: operation("create"),
  revalidate: [GROUPS_PATH],
  redirectTo: (result: { group: GroupDto }) => groupHref(result.group.id),
  run: ({ input, recordInTransaction }): Promise<ActionResult<{ group: GroupDto }>> =>
    createGroup({ name: input.name, description: input.description }, recordInTransaction),
});

export const updateGroupAction = defineAction({
  name: "group.update",
  input: groupInput.extend({ groupId: idSchema }),
  authorize: USERS,
  auditAction: "group.update",
  auditObject: theGroup,
  auditParams: operation("update"),
  revalidate: EVERYWHERE,
  run: async ({ input, recordInTransaction }) => {
    const result = await updateGroup(input.groupId, { name: input.name, description: input.description }, recordInTransaction);
    return result.ok ? { ...result, message: "Saved." } : result;
  },
});

export const deleteGroupAction = defineAction({
  name: "group.delete",
  input: z.object({ groupId: idSchema }),
  authorize: USERS,
  auditAction: "group.delete",
  auditObject: theGroup,
  auditParams: operation("delete"),
  revalidate: EVERYWHERE,
  redirectTo: () => GROUPS_PATH,
  run: ({ input, recordInTransaction }) => deleteGroup(input.groupId, recordInTransaction),
});

/** Adds a user to a group, or removes them (`intent=remove`); used on both the group's and the user's page. */
export const changeMembershipAction = defineAction({
  name: "group.change-membership",
  input: membershipInput,
  authorize: USERS,
  auditAction: (input) => (input.intent === "remove" ? "group.remove_member" : "group.add_member"),
  auditObject: theGroup,
  auditParams: (input) => ({ operation: input.intent === "remove" ? "remove-member" : "add-member", userId: input.userId }),
  revalidate: EVERYWHERE,
  run: async ({ input, recordInTransaction }) => {
    const remove = input.intent === "remove";
    const result = await changeMembership(input.groupId, input.userId, !remove, recordInTransaction);
    return result.ok ? { ok: true, message: remove ? "Removed from the group." : "Added to the group." } : result;
  },
});

/**
 * Gives a subject a role on an object, named by kind and uuid only: the object must exist in a connected pool's
 * cache, and its name is taken from there, never from the browser.
 */
export const addAclAction = defineAction({
  name: "acl.add",
  input: addAclInput,
  authorize: ACLS,
  auditAction: "acl.add",
  auditObject: (input) => ({ kind: input.objectKind, uuid: input.objectUuid }),
  auditParams: ({ subjectType, subjectId, role }) => ({ operation: "add", subjectType, subjectId, role }),
  revalidate: EVERYWHERE,
  run: async ({ actor, input, recordInTransaction }): Promise<ActionResult<{ message: string }>> => {
    const { objectKind, objectUuid } = input;
    const object = findAclObject(actor, objectKind, objectUuid);
    if (!object) {
      return failure("No connected pool has this object.", { objectUuid: [`No connected pool has a ${KIND_LABELS[objectKind]} with this uuid`] }, "NOT_FOUND");
    }
    const result = await addAcl(actor, { ...input, objectLabel: object.name }, recordInTransaction);
    if (!result.ok) return result;
    const subject = result.acl.subject.type === "user" ? result.acl.subject.username : `group ${result.acl.subject.name}`;
    const role = ROLE_LABELS[result.acl.role];
    const message = `${subject} is now ${role} of ${KIND_LABELS[objectKind]} ${object.name}`;
    return { ok: true, message: result.replaced ? `${message} (the previous role was replaced).` : `${message}.` };
  },
});

export const removeAclAction = defineAction({
  name: "acl.remove",
  input: z.object({ aclId: idSchema }),
  authorize: ACLS,
  auditAction: "acl.remove",
  auditObject: (input) => ({ kind: "acl", uuid: input.aclId }),
  auditParams: operation("remove"),
  revalidate: EVERYWHERE,
  run: async ({ input, recordInTransaction }) => {
    const result = await removeAcl(input.aclId, recordInTransaction);
    return result.ok ? { ok: true, message: "ACL removed." } : result;
  },
});

/** The object picker's search (global admins only: it lists objects regardless of ACLs). */
export const searchAclObjectsAction = defineAction({
  name: "acl.search-objects",
  input: objectSearchInput,
  authorize: ACLS,
  auditAction: "acl.search-objects",
  auditObject: () => ({ kind: "acl" }),
  auditParams: operation("search-objects"),
  query: true,
  run: async ({ actor, input }): Promise<ActionResult<{ objects: AclObjectDto[]; total: number }>> => ({
    ok: true,
    ...searchAclObjects(actor, { query: input.query, kinds: input.kind ? [input.kind] : [] }),
  }),
});

/** Verifies the audit log's hash chain; the verification is itself audited, with its finding. */
export const verifyAuditChainAction = defineAction({
  name: "audit.verify",
  input: z.object({}).default({}),
  authorize: { global: "audit.read.all" },
  auditAction: "audit.verify",
  auditObject: () => ({ kind: "audit" }),
  auditParams: operation("verify"),
  run: async ({ params }): Promise<ActionResult<{ verification: AuditChainVerification }>> => {
    const verification = await verifyAuditChain();
    Object.assign(params, verification.ok ? { intact: true, entries: verification.count } : { intact: false, firstBrokenId: verification.firstBrokenId });
    return { ok: true, verification };
  },
});

export const endUserSessionsAction = defineAction({
  name: "user.end-sessions",
  input: z.object({ userId: idSchema }),
  authorize: USERS,
  auditAction: "user.end_sessions",
  auditObject: (input) => ({ kind: "user", uuid: input.userId }),
  auditParams: operation("end-sessions"),
  revalidate: [{ path: USERS_PATH, type: "layout" }],
  async run({ input, recordInTransaction }): Promise<ActionResult<{ message: string; ended: number }>> {
    const result = await endAllUserSessions(input.userId, recordInTransaction);
    return result.ok ? { ...result, message: `Sessions ended: ${result.ended}.` } : result;
  },
});

/** A user's second factor removed (a lost phone): they sign in with their password, and enrol again if required. */
export const resetTwoFactorAction = defineAction({
  name: "user.reset-two-factor",
  input: z.object({ userId: idSchema }),
  authorize: USERS,
  auditAction: "user.reset_two_factor",
  auditObject: (input) => ({ kind: "user", uuid: input.userId }),
  auditParams: operation("reset-two-factor"),
  revalidate: [{ path: USERS_PATH, type: "layout" }],
  run: ({ input, recordInTransaction }) => resetTwoFactor(input.userId, recordInTransaction),
});

/** Who must use two-factor login: applies at everyone's next request. */
export const setTwoFactorPolicyAction = defineAction({
  name: "settings.two-factor-policy",
  input: twoFactorPolicySchema,
  authorize: USERS,
  auditAction: "settings.two_factor_policy",
  auditObject: () => ({ kind: "setting", uuid: TWO_FACTOR_POLICY_KEY }),
  revalidate: EVERYWHERE,
  async run({ input, recordInTransaction }): Promise<ActionResult<{ message: string }>> {
    const result = await setTwoFactorPolicy(input, recordInTransaction);
    return result.ok ? { ok: true, message: "Saved. It applies at everyone's next request." } : result;
  },
});
