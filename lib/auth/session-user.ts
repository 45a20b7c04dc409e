/**
 * Loading a user with the ACL grants that apply to them (directly and through their groups): the
 * `CurrentUser` every authorization decision starts from. Read from the database on every request, so that
 * disabling, deleting, a password reset, or a change of role, ACL or group applies at the user's next request.
 */
import "server-only";
import { can, type AccessSubject, type AclObjectKind, type Grant, type Role } from "@/lib/auth/can";
import { getDb, type Db } from "@/lib/db/client";

/** The signed-in user as the app sees them. No password hash, no secrets. */
export interface CurrentUser extends AccessSubject {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  /** An admin reset the password: send the user to the change-password page before anything else. */
  mustChangePassword: boolean;
  /** Every ACL that applies to the user: their own and their groups'. */
  grants: Grant[];
}

type AclRow = { id: string; objectKind: string; objectUuid: string; objectLabel: string; role: string };

function toGrant(acl: AclRow, via: Grant["via"]): Grant {
  return { aclId: acl.id, objectKind: acl.objectKind as AclObjectKind, objectUuid: acl.objectUuid, objectLabel: acl.objectLabel, role: acl.role as Role, via };
}

/** One row of `loadUserWithGrants`'s query: the user's columns, and one grant (or none: all null). */
interface SessionUserRow {
  id: string;
  username: string;
  displayName: string;
  isAdmin: unknown;
  disabled: unknown;
  mustChangePassword: unknown;
  sessionEpoch: unknown;
  aclId: string | null;
  objectKind: string | null;
  objectUuid: string | null;
  objectLabel: string | null;
  role: string | null;
  groupId: string | null;
  groupName: string | null;
}

/** SQLite hands raw booleans and integers back as numbers (or bigints), PostgreSQL as booleans and numbers. */
const flag = (value: unknown) => value === true || value === 1 || value === 1n;

/**
 * A user with the grants of their own ACLs and of their groups' ACLs, and what decides whether their sessions
 * still count. Runs on every request (see `loadSessionUser`), hence one statement instead of five ORM queries:
 * the user's row joined with their ACLs, one row per grant. Plain SQL that SQLite and PostgreSQL both
 * understand; parameters bound by `$queryRaw`.
 */
async function loadUserWithGrants(userId: string, db: Db): Promise<{ access: CurrentUser; disabled: boolean; sessionEpoch: number } | null> {
  const rows = await db.$queryRaw<SessionUserRow[]>`
    SELECT u."id", u."username", u."displayName", u."isAdmin", u."disabled", u."mustChangePassword", u."sessionEpoch",
           g."aclId", g."objectKind", g."objectUuid", g."objectLabel", g."role", g."groupId", g."groupName"
    FROM "User" u
    LEFT JOIN (
      SELECT a."id" AS "aclId", a."objectKind", a."objectUuid", a."objectLabel", a."role", a."createdAt",
             NULL AS "groupId", NULL AS "groupName", 0 AS "part"
      FROM "Acl" a WHERE a."userId" = ${userId}
      UNION ALL
      SELECT a."id", a."objectKind", a."objectUuid", a."objectLabel", a."role", a."createdAt", gr."id", gr."name", 1
      FROM "GroupMember" m JOIN "Group" gr ON gr."id" = m."groupId" JOIN "Acl" a ON a."groupId" = gr."id"
      WHERE m."userId" = ${userId}
    ) g ON 1 = 1
    WHERE u."id" = ${userId}
    ORDER BY g."part", g."groupName", g."createdAt", g."aclId"`;
  const user = rows[0];
  if (!user) return null;
  const grants: Grant[] = [];
  for (const row of rows) {
    if (row.aclId === null) continue;
    const acl = { id: row.aclId, objectKind: row.objectKind!, objectUuid: row.objectUuid!, objectLabel: row.objectLabel!, role: row.role! };
    grants.push(toGrant(acl, row.groupId === null ? { type: "user" } : { type: "group", groupId: row.groupId, groupName: row.groupName! }));
  }
  const access: CurrentUser = {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    isAdmin: flag(user.isAdmin),
    mustChangePassword: flag(user.mustChangePassword),
    grants,
  };
  return { access, disabled: flag(user.disabled), sessionEpoch: Number(user.sessionEpoch) };
}

/**
 * The user behind a session, or null when the session no longer counts: the user was deleted or disabled,
 * or their session epoch changed (password reset or change) since the session began.
 */
export async function loadSessionUser(userId: string, sessionEpoch: number, db: Db = getDb()): Promise<CurrentUser | null> {
  const loaded = await loadUserWithGrants(userId, db);
  if (!loaded || loaded.disabled || loaded.sessionEpoch !== sessionEpoch) return null;
  return loaded.access;
}

/**
 * A user's access (even when disabled), to show "everything they can reach and why" with `explainAccess`.
 * Global admins may load anyone's, other users only their own; null otherwise or when the user does not exist.
 */
export async function loadUserAccess(actor: CurrentUser, userId: string, db: Db = getDb()): Promise<CurrentUser | null> {
  if (!can(actor, "acl.manage") && actor.id !== userId) return null;
  return (await loadUserWithGrants(userId, db))?.access ?? null;
}

/**
 * For scripts (the demo, e2e fixtures) that act as a named, enabled user so that what they change is
 * authorized and audited like a request of that user. Null when the user does not exist or is disabled.
 */
export async function loadActorByUsername(username: string, db: Db = getDb()): Promise<CurrentUser | null> {
  const row = await db.user.findUnique({ where: { username: username.trim().toLowerCase() }, select: { id: true, sessionEpoch: true } });
  return row ? loadSessionUser(row.id, row.sessionEpoch, db) : null;
}
