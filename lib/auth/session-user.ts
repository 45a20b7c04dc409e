/**
 * Loading a user with the ACL grants that apply to them (directly and through their groups): the
 * `CurrentUser` every authorization decision starts from. Read from the database on every request, with the
 * session the request came with, in one query: ending a session, disabling or deleting an account, or changing
 * a role, ACL or group applies at the user's next request.
 */
import "server-only";
import { can, type AccessSubject, type AclObjectKind, type Grant, type Role } from "@/lib/access/can";
import { ACCESS_VERSION_ROW } from "@/lib/access/access-version";
import { getDb, type Db } from "@/lib/db/client";
import { memoPerObject, VersionedMemo } from "@/lib/memo";
import { parseTwoFactorPolicy, TWO_FACTOR_POLICY_KEY, twoFactorRequiredFor } from "./two-factor-policy";
import { touchSession } from "./sessions";

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
  /** The session the request came with (absent for scripts acting as a user). */
  sessionId?: string;
  /** Two-factor login is on for the account. */
  twoFactorEnabled?: boolean;
  /** The admins' policy requires two-factor login and the user has none yet: enrolment comes before anything else. */
  mustEnrolTwoFactor?: boolean;
}

/** What a user must do before using the console, if anything: change their password, then enrol in two-factor. */
export function pendingAccountStep(user: Pick<CurrentUser, "mustChangePassword" | "mustEnrolTwoFactor">): "change-password" | "enrol-two-factor" | null {
  if (user.mustChangePassword) return "change-password";
  if (user.mustEnrolTwoFactor) return "enrol-two-factor";
  return null;
}
type AclRow = { id: string; objectKind: string; objectUuid: string; objectLabel: string; role: string };

function toGrant(acl: AclRow, via: Grant["via"]): Grant {
  return { aclId: acl.id, objectKind: acl.objectKind as AclObjectKind, objectUuid: acl.objectUuid, objectLabel: acl.objectLabel, role: acl.role as Role, via };
}

/** A row of the user query: the user's columns, the session's when loaded by session, the access version, the policy. */
interface UserRow {
  id: string;
  username: string;
  displayName: string;
  isAdmin: unknown;
  disabled: unknown;
  mustChangePassword: unknown;
  totpEnabledAt: unknown;
  accessVersion: unknown;
  twoFactorPolicy: string | null;
  sessionRevokedAt?: unknown;
  sessionExpiresAt?: unknown;
  sessionLastSeenAt?: unknown;
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

/** SQLite hands raw dates back as numbers (ms) or text, PostgreSQL as Date objects. */
function asDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(typeof value === "bigint" ? Number(value) : (value as string | number));
  return Number.isNaN(date.getTime()) ? null : date;
}

async function toCurrentUser(user: UserRow, db: Db, sessionId?: string): Promise<CurrentUser> {
  const isAdmin = flag(user.isAdmin);
  const twoFactorEnabled = user.totpEnabledAt !== null && user.totpEnabledAt !== undefined;
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    isAdmin,
    mustChangePassword: flag(user.mustChangePassword),
    grants: await grantsAt(user.id, Number(user.accessVersion ?? 0), db),
    ...(sessionId ? { sessionId } : {}),
    twoFactorEnabled,
    // A sign-in step: scripts acting as a user (no session) have no sign-in to complete.
    mustEnrolTwoFactor: Boolean(sessionId) && !twoFactorEnabled && twoFactorRequiredFor(parseTwoFactorPolicy(user.twoFactorPolicy), isAdmin),
  };
}

/**
 * The user behind a session, or null when the session no longer counts: unknown, ended, expired, or its user
 * disabled or deleted. Runs on every request: one query reads the session, its user, the access version and
 * the two-factor policy (plain SQL that SQLite and PostgreSQL both understand, parameters bound by
 * `$queryRaw`); the grants come from `grantsAt` unless the access version moved on.
 */
export async function loadSessionUser(sessionId: string, db: Db = getDb(), now = new Date()): Promise<CurrentUser | null> {
  const [row] = await db.$queryRaw<UserRow[]>`
    SELECT u."id", u."username", u."displayName", u."isAdmin", u."disabled", u."mustChangePassword", u."totpEnabledAt",
           s."revokedAt" AS "sessionRevokedAt", s."expiresAt" AS "sessionExpiresAt", s."lastSeenAt" AS "sessionLastSeenAt",
           (SELECT v."version" FROM "AccessVersion" v WHERE v."id" = ${ACCESS_VERSION_ROW}) AS "accessVersion",
           (SELECT st."value" FROM "Setting" st WHERE st."key" = ${TWO_FACTOR_POLICY_KEY}) AS "twoFactorPolicy"
    FROM "Session" s JOIN "User" u ON u."id" = s."userId"
    WHERE s."id" = ${sessionId}`;
  if (!row || flag(row.disabled) || row.sessionRevokedAt !== null) return null;
  const expiresAt = asDate(row.sessionExpiresAt);
  if (!expiresAt || expiresAt <= now) return null;
  const lastSeenAt = asDate(row.sessionLastSeenAt);
  if (lastSeenAt)
    await touchSession(db, sessionId, lastSeenAt, now).catch((error) => console.error(`[xendeck] session last-seen update failed: ${String(error)}`));
  return toCurrentUser(row, db, sessionId);
}

/** A user by id with their grants, whatever their sessions (even when disabled), and whether they are disabled. */
async function loadUserWithGrants(userId: string, db: Db): Promise<{ access: CurrentUser; disabled: boolean } | null> {
  const [row] = await db.$queryRaw<UserRow[]>`
    SELECT u."id", u."username", u."displayName", u."isAdmin", u."disabled", u."mustChangePassword", u."totpEnabledAt",
           (SELECT v."version" FROM "AccessVersion" v WHERE v."id" = ${ACCESS_VERSION_ROW}) AS "accessVersion",
           (SELECT st."value" FROM "Setting" st WHERE st."key" = ${TWO_FACTOR_POLICY_KEY}) AS "twoFactorPolicy"
    FROM "User" u
    WHERE u."id" = ${userId}`;
  return row ? { access: await toCurrentUser(row, db), disabled: flag(row.disabled) } : null;
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
 * For scripts (the demo, e2e fixtures) and tests that act as an enabled user without a session, so that what
 * they change is authorized and audited like a request of that user. Null when the user does not exist or is
 * disabled.
 */
export async function loadActor(userId: string, db: Db = getDb()): Promise<CurrentUser | null> {
  const loaded = await loadUserWithGrants(userId, db);
  return loaded && !loaded.disabled ? loaded.access : null;
}

/** `loadActor` by username. */
export async function loadActorByUsername(username: string, db: Db = getDb()): Promise<CurrentUser | null> {
  const row = await db.user.findUnique({ where: { username: username.trim().toLowerCase() }, select: { id: true } });
  return row ? loadActor(row.id, db) : null;
}
