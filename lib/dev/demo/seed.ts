/**
 * Idempotent set-up steps shared by the demo (`npm run demo`), the end-to-end tests' global setup and the page
 * benchmark: a migrated database with its first admin, pools registered by probing them, users with ACLs.
 * Everything goes through XenDeck's repositories as the `admin` user, so it is authorized and audited like
 * the same steps done in the UI. Run with `--conditions=react-server` (server-only modules).
 */
import "server-only";
import { addAcl } from "@/lib/access/acls";
import type { AclObjectKind, Role } from "@/lib/access/can";
import { ensureInitialAdmin, INITIAL_ADMIN_USERNAME, type InitialAdminResult } from "@/lib/auth/initial-admin";
import { loadActorByUsername, type CurrentUser } from "@/lib/auth/session-user";
import { createUser, listUsers, updateUser } from "@/lib/auth/users";
import { getConfig } from "@/lib/config";
import { migrateDatabase } from "@/lib/db/migrate";
import { createPool, listPools, updatePool, type PoolDto } from "@/lib/pools/store";
import { probePool } from "@/lib/xapi/probe";

export interface PoolToRegister {
  label: string;
  url: string;
  username: string;
  password: string;
  readOnly?: boolean;
}

export interface UserToCreate {
  username: string;
  password: string;
  displayName?: string;
  isAdmin?: boolean;
  acls?: { kind: AclObjectKind; uuid: string; label?: string; role: Role }[];
}

/** Migrates DATABASE_URL and creates the first admin when the database has no user. */
export async function prepareDatabase(): Promise<{ applied: string[]; admin: InitialAdminResult }> {
  const applied = await migrateDatabase(getConfig().databaseUrl);
  const admin = await ensureInitialAdmin();
  return { applied, admin };
}

/** The `admin` account as an actor. */
export async function adminActor(): Promise<CurrentUser> {
  const actor = await loadActorByUsername(INITIAL_ADMIN_USERNAME);
  if (!actor?.isAdmin) throw new Error(`the "${INITIAL_ADMIN_USERNAME}" account is missing, disabled or not an administrator`);
  return actor;
}

function unwrap<T extends object>(result: ({ ok: true } & T) | { ok: false; error: string; fieldErrors?: Record<string, string[]> }, what: string): T {
  if (!result.ok) {
    const details = result.fieldErrors
      ? ` (${Object.entries(result.fieldErrors)
          .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
          .join("; ")})`
      : "";
    throw new Error(`${what}: ${result.error}${details}`);
  }
  return result;
}

/**
 * Registers a pool (probing it for its uuid), or brings an existing registration of the same XAPI pool up to
 * date with `pool`'s URL and credentials (the simulator picks a new port on every run).
 */
export async function ensureRegisteredPool(
  actor: CurrentUser,
  pool: PoolToRegister,
): Promise<{ pool: PoolDto; outcome: "registered" | "updated" | "unchanged"; poolUuid: string }> {
  const probe = await probePool({ url: pool.url, username: pool.username, password: pool.password });
  const existing = (await listPools(actor)).find((registered) => registered.xapiPoolUuid === probe.poolUuid);
  if (!existing) {
    const created = unwrap(
      await createPool(actor, {
        label: pool.label,
        url: pool.url,
        username: pool.username,
        password: pool.password,
        readOnly: pool.readOnly ?? false,
        xapiPoolUuid: probe.poolUuid,
      }),
      `registering pool ${pool.label}`,
    );
    return { pool: created.pool, outcome: "registered", poolUuid: probe.poolUuid };
  }
  if (existing.url === pool.url && existing.username === pool.username) return { pool: existing, outcome: "unchanged", poolUuid: probe.poolUuid };
  const updated = unwrap(
    await updatePool(actor, existing.id, { url: pool.url, username: pool.username, password: pool.password }),
    `updating pool ${existing.label}`,
  );
  return { pool: updated.pool, outcome: "updated", poolUuid: probe.poolUuid };
}

/** Creates a user with ACLs, or leaves an existing one as it is (re-enabling it). Returns its id. */
export async function ensureUser(actor: CurrentUser, user: UserToCreate): Promise<string> {
  let existing = (await listUsers(actor)).find((candidate) => candidate.username === user.username.toLowerCase());
  if (existing?.disabled) existing = unwrap(await updateUser(actor, existing.id, { disabled: false }), `enabling ${user.username}`).user;
  const id =
    existing?.id ??
    unwrap(
      await createUser(actor, { username: user.username, password: user.password, displayName: user.displayName ?? "", isAdmin: user.isAdmin ?? false }),
      `creating user ${user.username}`,
    ).user.id;
  for (const acl of user.acls ?? []) {
    unwrap(
      await addAcl(actor, { subjectType: "user", subjectId: id, objectKind: acl.kind, objectUuid: acl.uuid, objectLabel: acl.label ?? "", role: acl.role }),
      `granting ${acl.role} on ${acl.kind} ${acl.uuid} to ${user.username}`,
    );
  }
  return id;
}
