/**
 * ACLs: a role for a user or a group on one XAPI object (global admins only, `acl.manage`). Changes apply at
 * the subject's next request. Who can reach what, and why, is computed by `explainAccess` (lib/access/can.ts)
 * from the grants loaded here or by `loadUserAccess` (lib/auth/session-user.ts).
 */
import "server-only";
import { z } from "zod";
import type { RecordChange } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { failure, invalidInput, type ActionResult } from "@/lib/result";
import { lockedMutation } from "@/lib/db/transaction";
import { bumpAccessVersion } from "./access-version";
import { ACL_OBJECT_KINDS, can, ROLES, scopeAnchors, type AclObjectKind, type Role, type ScopeReason, type Securable } from "./can";
import type { CurrentUser } from "@/lib/auth/session-user";

export type AclSubjectDto = { type: "user"; id: string; username: string; displayName: string } | { type: "group"; id: string; name: string };

export interface AclDto {
  id: string;
  subject: AclSubjectDto;
  objectKind: AclObjectKind;
  objectUuid: string;
  objectLabel: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
}

export const addAclSchema = z.object({
  subjectType: z.enum(["user", "group"], { error: "Choose a user or a group" }),
  subjectId: z.string().trim().min(1, "Choose a user or a group"),
  objectKind: z.enum(ACL_OBJECT_KINDS, { error: "Choose a pool, host, VM, SR or network" }),
  objectUuid: z
    .string()
    .trim()
    .min(1, "Choose an object")
    .max(100)
    .regex(/^[A-Za-z0-9-]+$/, "Not a XAPI uuid"),
  /** The object's current name, kept for display. */
  objectLabel: z.string().trim().max(200).optional().default(""),
  role: z.enum(ROLES, { error: "Choose viewer, operator or admin" }),
});

const aclInclude = {
  user: { select: { id: true, username: true, displayName: true } },
  group: { select: { id: true, name: true } },
} as const;

type AclRow = Prisma.AclGetPayload<{ include: typeof aclInclude }>;

function toAclDto(row: AclRow): AclDto {
  const subject: AclSubjectDto = row.user
    ? { type: "user", id: row.user.id, username: row.user.username, displayName: row.user.displayName }
    : { type: "group", id: row.group!.id, name: row.group!.name };
  return {
    id: row.id,
    subject,
    objectKind: row.objectKind as AclObjectKind,
    objectUuid: row.objectUuid,
    objectLabel: row.objectLabel,
    role: row.role as Role,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

export interface AclFilter {
  userId?: string;
  groupId?: string;
  objectKind?: AclObjectKind;
  objectUuid?: string;
}

/** ACLs matching `filter` (all when empty). Empty for non-admins. */
export async function listAcls(actor: CurrentUser, filter: AclFilter = {}): Promise<AclDto[]> {
  if (!can(actor, "acl.manage")) return [];
  const rows = await getDb().acl.findMany({
    where: { userId: filter.userId, groupId: filter.groupId, objectKind: filter.objectKind, objectUuid: filter.objectUuid },
    include: aclInclude,
    orderBy: [{ objectKind: "asc" }, { objectLabel: "asc" }, { createdAt: "asc" }],
  });
  return rows.map(toAclDto);
}

/**
 * Every ACL that applies to `target` (on the object itself, its pool, its VM...) with the reason it applies:
 * "who has which role and through which ACL" on an object's page. Strongest role first. Empty for non-admins.
 */
export async function listAclsCovering(actor: CurrentUser, target: Securable): Promise<(AclDto & { scope: ScopeReason })[]> {
  if (!can(actor, "acl.manage")) return [];
  const anchors = scopeAnchors(target);
  const rows = await getDb().acl.findMany({
    where: { OR: anchors.map((anchor) => ({ objectKind: anchor.kind, objectUuid: anchor.uuid })) },
    include: aclInclude,
  });
  const rank = Object.fromEntries(ROLES.map((role, index) => [role, index]));
  return rows
    .map((row) => ({ ...toAclDto(row), scope: anchors.find((anchor) => anchor.kind === row.objectKind && anchor.uuid === row.objectUuid)!.reason }))
    .sort((a, b) => rank[b.role]! - rank[a.role]!);
}

/**
 * Gives a subject a role on an object. A subject has at most one ACL per object: an existing one gets the new
 * role (`replaced: true`).
 */
export async function addAcl(actor: CurrentUser, input: unknown, record: RecordChange): Promise<ActionResult<{ acl: AclDto; replaced: boolean }>> {
  const parsed = addAclSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { subjectType, subjectId, objectKind, objectUuid, objectLabel, role } = parsed.data;
  return lockedMutation("accounts", async (tx) => {
    const subjectExists =
      subjectType === "user"
        ? await tx.user.findUnique({ where: { id: subjectId }, select: { id: true } })
        : await tx.group.findUnique({ where: { id: subjectId }, select: { id: true } });
    if (!subjectExists) return failure(`This ${subjectType} no longer exists.`, { subjectId: [`This ${subjectType} no longer exists`] });
    const subject = subjectType === "user" ? { userId: subjectId } : { groupId: subjectId };
    const existing = await tx.acl.findFirst({ where: { ...subject, objectKind, objectUuid } });
    const row = existing
      ? await tx.acl.update({ where: { id: existing.id }, data: { role, ...(objectLabel ? { objectLabel } : {}) }, include: aclInclude })
      : await tx.acl.create({ data: { ...subject, objectKind, objectUuid, objectLabel, role, createdBy: actor.username }, include: aclInclude });
    await bumpAccessVersion(tx);
    await record(tx, {
      action: existing ? "acl.update" : "acl.add",
      object: { kind: objectKind, uuid: objectUuid, label: objectLabel || row.objectLabel },
      params: { aclId: row.id, subjectType, subjectId, role, ...(existing ? { previousRole: existing.role } : {}) },
    });
    return { ok: true, acl: toAclDto(row), replaced: Boolean(existing) };
  });
}

/** Removes an ACL. */
export async function removeAcl(aclId: string, record: RecordChange): Promise<ActionResult> {
  return lockedMutation("accounts", async (tx) => {
    const row = await tx.acl.findUnique({ where: { id: aclId } });
    if (!row) return failure("This ACL no longer exists.");
    await tx.acl.delete({ where: { id: aclId } });
    await bumpAccessVersion(tx);
    await record(tx, {
      action: "acl.remove",
      object: { kind: row.objectKind, uuid: row.objectUuid, label: row.objectLabel },
      params: { aclId, subjectType: row.userId ? "user" : "group", subjectId: row.userId ?? row.groupId, role: row.role },
    });
    return { ok: true };
  });
}
