/**
 * Groups of users, for granting ACLs to a team at once (global admins only, `users.manage`). Membership changes
 * apply at the members' next request, since the user and their grants are re-read on every request.
 */
import "server-only";
import { z } from "zod";
import type { RecordChange } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import { failure, invalidInput, type ActionResult } from "@/lib/result";
import { lockedMutation } from "@/lib/db/transaction";
import { bumpAccessVersion } from "./access-version";
import { can } from "./can";
import type { CurrentUser } from "@/lib/auth/session-user";

export interface GroupMemberDto {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
}

export interface GroupDto {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  members: GroupMemberDto[];
}

export const groupSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(64, "Name must be at most 64 characters long"),
  description: z.string().trim().max(500, "Description must be at most 500 characters long").optional().default(""),
});

const groupInclude = {
  members: { include: { user: { select: { id: true, username: true, displayName: true, disabled: true } } } },
} as const;

type GroupRow = Omit<GroupDto, "members"> & { members: { user: GroupMemberDto }[] };

function toGroupDto(row: GroupRow): GroupDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    members: row.members.map((member) => member.user).sort((a, b) => a.username.localeCompare(b.username)),
  };
}

const groupObject = (group: { id: string; name?: string }) => ({ kind: "group", uuid: group.id, label: group.name ?? null });

/** Every group with its members, by name. Empty for non-admins. */
export async function listGroups(actor: CurrentUser): Promise<GroupDto[]> {
  if (!can(actor, "users.manage")) return [];
  const rows = await getDb().group.findMany({ include: groupInclude, orderBy: { name: "asc" } });
  return rows.map(toGroupDto);
}

/** One group; null when it does not exist or the actor is not a global admin. */
export async function getGroup(actor: CurrentUser, groupId: string): Promise<GroupDto | null> {
  if (!can(actor, "users.manage")) return null;
  const row = await getDb().group.findUnique({ where: { id: groupId }, include: groupInclude });
  return row ? toGroupDto(row) : null;
}

export async function createGroup(input: unknown, record: RecordChange): Promise<ActionResult<{ group: GroupDto }>> {
  const parsed = groupSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  return lockedMutation("accounts", async (tx) => {
    if (await tx.group.findUnique({ where: { name: parsed.data.name } })) {
      return failure("A group with this name exists.", { name: ["A group with this name exists"] });
    }
    const row = await tx.group.create({ data: parsed.data, include: groupInclude });
    await record(tx, { object: groupObject(row), params: parsed.data });
    return { ok: true, group: toGroupDto(row) };
  });
}

export async function updateGroup(groupId: string, input: unknown, record: RecordChange): Promise<ActionResult<{ group: GroupDto }>> {
  const parsed = groupSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  return lockedMutation("accounts", async (tx) => {
    if (!(await tx.group.findUnique({ where: { id: groupId } }))) return failure("This group no longer exists.");
    const clash = await tx.group.findUnique({ where: { name: parsed.data.name } });
    if (clash && clash.id !== groupId) return failure("A group with this name exists.", { name: ["A group with this name exists"] });
    const row = await tx.group.update({ where: { id: groupId }, data: parsed.data, include: groupInclude });
    await bumpAccessVersion(tx); // grants name the group they come through
    await record(tx, { object: groupObject(row), params: parsed.data });
    return { ok: true, group: toGroupDto(row) };
  });
}

/** Deletes a group; its ACLs go with it, so its members lose what they had through it. */
export async function deleteGroup(groupId: string, record: RecordChange): Promise<ActionResult> {
  return lockedMutation("accounts", async (tx) => {
    const row = await tx.group.findUnique({ where: { id: groupId } });
    if (!row) return failure("This group no longer exists.");
    await tx.group.delete({ where: { id: groupId } });
    await bumpAccessVersion(tx);
    await record(tx, { object: groupObject(row) });
    return { ok: true };
  });
}

/** Adds a user to a group, or removes them; a change that is no change is recorded as asked, with nothing done. */
export async function changeMembership(groupId: string, userId: string, add: boolean, record: RecordChange): Promise<ActionResult> {
  return lockedMutation("accounts", async (tx) => {
    const group = await tx.group.findUnique({ where: { id: groupId } });
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true } });
    if (!group) return failure("This group no longer exists.");
    if (!user) return failure("This user no longer exists.");
    const key = { groupId_userId: { groupId, userId } };
    const existing = await tx.groupMember.findUnique({ where: key });
    if (add && !existing) await tx.groupMember.create({ data: { groupId, userId } });
    if (!add && existing) await tx.groupMember.delete({ where: key });
    if (add === !existing) await bumpAccessVersion(tx);
    await record(tx, {
      action: add ? "group.add_member" : "group.remove_member",
      object: groupObject(group),
      params: { userId: user.id, username: user.username, changed: add === !existing },
    });
    return { ok: true };
  });
}
