/**
 * Loading a user with the ACL grants that apply to them (directly and through their groups): the
 * `CurrentUser` every authorization decision starts from. Read from the database on every request, so that
 * disabling, deleting, a password reset, or a change of role, ACL or group applies at the user's next request.
 */
import "server-only";
import { can, type AccessSubject, type AclObjectKind, type Grant, type Role } from "@/lib/access/can";
import { ACCESS_VERSION_ROW } from "@/lib/access/access-version";
import { getDb, type Db } from "@/lib/db/client";
import { memoPerObject, VersionedMemo } from "@/lib/memo";

/** The signed-in user as the app sees them. No password hash, no secrets. */
export interface CurrentUser extends AccessSubject {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  /** An admin reset the password: send the user to the change-password page before anything else. */
  mustChangePassword: boolean;
  /** Every ACL that applies to the user: their own and their groups'. Frozen: shared by the requests that read it. */
  grants: readonly Grant[];
}

type AclRow = { id: string; objectKind: string; objectUuid: string; objectLabel: string; role: string };

function toGrant(acl: AclRow, via: Grant["via"]): Grant {
  return { aclId: acl.id, objectKind: acl.objectKind as AclObjectKind, objectUuid: acl.objectUuid, objectLabel: acl.objectLabel, role: acl.role as Role, via };
}

/** The row of `loadUserWithGrants`'s first query: the user's columns and the access version. */
interface UserRow {
  id: string;
  username: string;
  displayName: string;
  isAdmin: unknown;
  disabled: unknown;
  mustChangePassword: unknown;
  sessionEpoch: unknown;
  accessVersion: unknown;
}

/** One row of `loadGrants`'s query: one grant, with its group when it comes through one. */
interface GrantRow {
  aclId: string;
  objectKind: string;
  objectUuid: string;
  objectLabel: string;
  role: string;
  groupId: string | null;
  groupName: string | null;
}

/** SQLite hands raw booleans and integers back as numbers (or bigints), PostgreSQL as booleans and numbers. */
const flag = (value: unknown) => value === true || value === 1 || value === 1n;

/** The ACLs that apply to a user, their own first, then their groups' by group name. */
async function loadGrants(userId: string, db: Db): Promise<readonly Grant[]> {
  const rows = await db.$queryRaw<GrantRow[]>`
    SELECT g."aclId", g."objectKind", g."objectUuid", g."objectLabel", g."role", g."groupId", g."groupName"
    FROM (
      SELECT a."id" AS "aclId", a."objectKind", a."objectUuid", a."objectLabel", a."role", a."createdAt",
             NULL AS "groupId", NULL AS "groupName", 0 AS "part"
      FROM "Acl" a WHERE a."userId" = ${userId}
      UNION ALL
      SELECT a."id", a."objectKind", a."objectUuid", a."objectLabel", a."role", a."createdAt", gr."id", gr."name", 1
      FROM "GroupMember" m JOIN "Group" gr ON gr."id" = m."groupId" JOIN "Acl" a ON a."groupId" = gr."id"
      WHERE m."userId" = ${userId}
    ) g
    ORDER BY g."part", g."groupName", g."createdAt", g."aclId"`;
  return Object.freeze(
    rows.map((row) =>
      Object.freeze(
        toGrant(
          { id: row.aclId, objectKind: row.objectKind, objectUuid: row.objectUuid, objectLabel: row.objectLabel, role: row.role },
          row.groupId === null ? { type: "user" } : { type: "group", groupId: row.groupId, groupName: row.groupName! },
        ),
      ),
    ),
  );
}

/**
 * Users' grants as last read, per database, by user at the access version they were read at. Every change that
 * can alter someone's grants (an ACL granted, changed or removed; a group renamed or deleted; a member added or
 * removed; a user deleted) bumps the access version in its own transaction (`bumpAccessVersion`, called by
 * lib/access/acls.ts, groups.ts and lib/auth/users.ts), so while the version is the same, so are everybody's
 * grants. Reading the grants is one row per ACL (about 1 ms for 200 ACLs, on every request of such a user);
 * reading the version is one primary-key lookup in the user's query. A write to the ACL tables that does not
 * go through those functions is not seen until the version moves.
 */
const grantsOf = memoPerObject((_db: Db) => VersionedMemo.bounded<string, readonly Grant[]>(1000));

async function grantsAt(userId: string, accessVersion: number, db: Db): Promise<readonly Grant[]> {
  const cached = grantsOf(db).find(userId, [accessVersion]);
  if (cached) return cached;
  // Read after the version: grants newer than it are stored under the older version, and the next request,
  // seeing the version moved, reads them again. Grants older than the version cannot be read.
  return grantsOf(db).remember(userId, [accessVersion], await loadGrants(userId, db));
}

/**
 * A user with the grants of their own ACLs and of their groups' ACLs, and what decides whether their sessions
 * still count. Runs on every request (see `loadSessionUser`): the user's row is read every time; their grants
 * come from `grantsAt` unless the access version moved on. Plain SQL that SQLite and PostgreSQL both understand;
 * parameters bound by `$queryRaw`.
 */
async function loadUserWithGrants(userId: string, db: Db): Promise<{ access: CurrentUser; disabled: boolean; sessionEpoch: number } | null> {
  const [user] = await db.$queryRaw<UserRow[]>`
    SELECT u."id", u."username", u."displayName", u."isAdmin", u."disabled", u."mustChangePassword", u."sessionEpoch",
           (SELECT v."version" FROM "AccessVersion" v WHERE v."id" = ${ACCESS_VERSION_ROW}) AS "accessVersion"
    FROM "User" u
    WHERE u."id" = ${userId}`;
  if (!user) return null;
  const access: CurrentUser = {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    isAdmin: flag(user.isAdmin),
    mustChangePassword: flag(user.mustChangePassword),
    grants: await grantsAt(user.id, Number(user.accessVersion ?? 0), db),
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
