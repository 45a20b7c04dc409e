/**
 * Idempotent set-up steps shared by the demo (`npm run demo`), the end-to-end tests' global setup and the page
 * benchmark: a migrated database with its first admin, pools registered by probing them, users with ACLs.
 * Everything goes through XenDeck's actions as the `admin` user, so it is authorized and audited like the same
 * steps done in the UI. Run with `--conditions=react-server` (server-only modules).
 */
import "server-only";
import { addAcl } from "@/lib/access/acls";
import type { AclObjectKind, Role } from "@/lib/access/can";
import { ensureInitialAdmin, INITIAL_ADMIN_USERNAME, type InitialAdminResult } from "@/lib/auth/initial-admin";
import { loadActorByUsername, type CurrentUser } from "@/lib/auth/session-user";
import { recordChangesAs } from "@/lib/audit/record";
import { createUser, listUsers, updateUser } from "@/lib/auth/users";
import { getConfig } from "@/lib/config";
import { migrateDatabase } from "@/lib/db/migrate";
import { runAction } from "@/lib/actions/define";
import { editPool, registerPool } from "@/lib/pools/actions";
import { listPools, type PoolDto } from "@/lib/pools/store";
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
    const input = { label: pool.label, url: pool.url, username: pool.username, password: pool.password, readOnly: pool.readOnly ?? false };
    const created = unwrap(await runAction(registerPool, { actor, input }), `registering pool ${pool.label}`);
    const registered = (await listPools(actor)).find((candidate) => candidate.id === created.poolId)!;
    return { pool: registered, outcome: "registered", poolUuid: probe.poolUuid };
  }
  if (existing.url === pool.url && existing.username === pool.username) return { pool: existing, outcome: "unchanged", poolUuid: probe.poolUuid };
  const input = { poolId: existing.id, label: existing.label, url: pool.url, username: pool.username, password: pool.password };
  const updated = unwrap(await runAction(editPool, { actor, input }), `updating pool ${existing.label}`);
  return { pool: updated.pool, outcome: "updated", poolUuid: probe.poolUuid };
}

/** Creates a user with ACLs, or leaves an existing one as it is (re-enabling it). Returns its id. */
export async function ensureUser(actor: CurrentUser, user: UserToCreate): Promise<string> {
  let existing = (await listUsers(actor)).find((candidate) => candidate.username === user.username.toLowerCase());
  if (existing?.disabled) {
    existing = unwrap(await updateUser(existing.id, { disabled: false }, recordChangesAs(actor, "user.update")), `enabling ${user.username}`).user;
  }
  const created = existing
    ? null
    : await createUser(
        { username: user.username, password: user.password, displayName: user.displayName ?? "", isAdmin: user.isAdmin ?? false },
        recordChangesAs(actor, "user.create"),
      );
  const id = existing?.id ?? unwrap(created!, `creating user ${user.username}`).user.id;
  // The objects are named by uuid before any app instance has connected to their pools: the repository is used
  // directly (the ACL action checks that the object is in a connected pool's cache).
  for (const acl of user.acls ?? []) {
    unwrap(
      await addAcl(
        actor,
        { subjectType: "user", subjectId: id, objectKind: acl.kind, objectUuid: acl.uuid, objectLabel: acl.label ?? "", role: acl.role },
        recordChangesAs(actor, "acl.add"),
      ),
      `granting ${acl.role} on ${acl.kind} ${acl.uuid} to ${user.username}`,
    );
  }
  return id;
}
