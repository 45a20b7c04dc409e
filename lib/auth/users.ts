/**
 * User accounts, for the admin pages (global admins only, `users.manage`) and for changing one's own password.
 * Every function takes the acting user, checks `can` itself, audits what it changes, and returns DTOs without
 * password hashes. The last enabled global admin can be neither disabled, demoted nor deleted: the check runs
 * inside the "accounts" lock, so concurrent requests cannot both remove "the other" admin.
 */
import "server-only";
import { z } from "zod";
import type { RecordChange } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb, type DbTransaction } from "@/lib/db/client";
import { failure, formBoolean, invalidInput, optionalFormBoolean, refusal, type ActionResult } from "@/lib/result";
import { lockedMutation, Rollback } from "@/lib/db/transaction";
import { bumpAccessVersion } from "@/lib/access/access-version";
import { can } from "@/lib/access/can";
import { clearPairFailures, loginThrottleRefusal, recordLoginFailure } from "./login-throttle";
import { hashPassword, verifyPassword } from "./password";
import { passwordPolicy } from "@/lib/password-policy";
import { currentClientAddress } from "./request-context";
import type { CurrentUser } from "./session-user";
import { isKnownAddress, revokeUserSessions } from "./sessions";
import { TOO_MANY_ATTEMPTS } from "./two-factor";
import { usernameSchema } from "./usernames";

export interface UserDto {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  disabled: boolean;
  mustChangePassword: boolean;
  twoFactorEnabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  groups: { id: string; name: string }[];
}

const displayName = z.string().trim().max(100, "Display name must be at most 100 characters long");

export const createUserSchema = z.object({
  username: usernameSchema,
  displayName: displayName.optional().default(""),
  password: passwordPolicy,
  isAdmin: formBoolean,
  /** The password is an admin's choice: the user must replace it at first login (like after a reset). */
  mustChangePassword: formBoolean,
});

export const updateUserSchema = z.object({
  displayName: displayName.optional(),
  isAdmin: optionalFormBoolean,
  disabled: optionalFormBoolean,
});

export const resetPasswordSchema = z.object({ newPassword: passwordPolicy });

export const changeOwnPasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(256),
    newPassword: passwordPolicy,
    /** Optional: when the form has a confirmation field, it must match. */
    confirmPassword: z.string().optional(),
  })
  .refine((input) => input.confirmPassword === undefined || input.confirmPassword === input.newPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
  })
  .refine((input) => input.newPassword !== input.currentPassword, {
    path: ["newPassword"],
    message: "The new password must differ from the current one",
  });

const LAST_ADMIN = "This is the last enabled administrator: make another user an administrator first.";

const userInclude = { memberships: { include: { group: { select: { id: true, name: true } } } } } as const;

type UserRow = Omit<UserDto, "groups" | "twoFactorEnabled"> & { totpEnabledAt: Date | null; memberships: { group: { id: string; name: string } }[] };

function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    isAdmin: row.isAdmin,
    disabled: row.disabled,
    mustChangePassword: row.mustChangePassword,
    twoFactorEnabled: row.totpEnabledAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastLoginAt: row.lastLoginAt,
    groups: row.memberships.map((membership) => membership.group).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

async function assertAnEnabledAdminRemains(tx: DbTransaction): Promise<void> {
  if ((await tx.user.count({ where: { isAdmin: true, disabled: false } })) === 0) throw new Rollback(failure(LAST_ADMIN));
}

const userObject = (user: { id: string; username: string }) => ({ kind: "user", uuid: user.id, label: user.username });

/** Every account, by username. Empty for non-admins. */
export async function listUsers(actor: CurrentUser): Promise<UserDto[]> {
  if (!can(actor, "users.manage")) return [];
  const rows = await getDb().user.findMany({ include: userInclude, orderBy: { username: "asc" } });
  return rows.map(toUserDto);
}

/** One account; null when it does not exist or the actor may not see it (admins see all, users themselves). */
export async function getUser(actor: CurrentUser, userId: string): Promise<UserDto | null> {
  if (!can(actor, "users.manage") && actor.id !== userId) return null;
  const row = await getDb().user.findUnique({ where: { id: userId }, include: userInclude });
  return row ? toUserDto(row) : null;
}

/**
 * Creates an account. With `mustChangePassword`, the new user can do nothing but choose their own password
 * until they have (see `requireUser`). The audit entry records the fields and the flag, never the password.
 */
export async function createUser(input: unknown, record: RecordChange): Promise<ActionResult<{ user: UserDto }>> {
  const parsed = createUserSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { password, ...fields } = parsed.data;
  const passwordHash = await hashPassword(password);
  return lockedMutation("accounts", async (tx) => {
    if (await tx.user.findUnique({ where: { username: fields.username } })) {
      return failure("This username is taken.", { username: ["This username is taken"] });
    }
    const row = await tx.user.create({ data: { ...fields, passwordHash }, include: userInclude });
    // Named so that the audit sanitizer, which drops every key that looks like "password", keeps the flag.
    const { mustChangePassword: mustChangeAtFirstLogin, ...recorded } = fields;
    await record(tx, { object: userObject(row), params: { ...recorded, mustChangeAtFirstLogin } });
    return { ok: true, user: toUserDto(row) };
  });
}

/** Changes display name, admin flag or disabled flag. Disabling ends the user's sessions for good (enabling does not revive them). */
export async function updateUser(userId: string, input: unknown, record: RecordChange): Promise<ActionResult<{ user: UserDto }>> {
  const parsed = updateUserSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const changes = parsed.data;
  return lockedMutation("accounts", async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) return failure("This user no longer exists.");
    const row = await tx.user.update({ where: { id: userId }, data: changes, include: userInclude });
    if (before.isAdmin && !before.disabled && (!row.isAdmin || row.disabled)) await assertAnEnabledAdminRemains(tx);
    if (row.disabled && !before.disabled) await revokeUserSessions(tx, userId, "disabled");
    const changed = Object.fromEntries(Object.entries(changes).filter(([key, value]) => value !== undefined && before[key as keyof typeof before] !== value));
    await record(tx, { object: userObject(row), params: changed });
    return { ok: true, user: toUserDto(row) };
  });
}

/** Deletes an account (its ACLs and memberships go with it; its audit entries stay). */
export async function deleteUser(userId: string, record: RecordChange): Promise<ActionResult> {
  return lockedMutation("accounts", async (tx) => {
    const row = await tx.user.findUnique({ where: { id: userId } });
    if (!row) return failure("This user no longer exists.");
    await tx.user.delete({ where: { id: userId } });
    await bumpAccessVersion(tx); // their ACLs and memberships went with them
    if (row.isAdmin && !row.disabled) await assertAnEnabledAdminRemains(tx);
    await record(tx, { object: userObject(row) });
    return { ok: true };
  });
}

/**
 * Sets a new password chosen by an admin: the user's sessions end, and they must choose their own password at
 * their next login.
 */
export async function resetUserPassword(userId: string, input: unknown, record: RecordChange): Promise<ActionResult> {
  const parsed = resetPasswordSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const passwordHash = await hashPassword(parsed.data.newPassword);
  return lockedMutation("accounts", async (tx) => {
    const row = await tx.user.findUnique({ where: { id: userId } });
    if (!row) return failure("This user no longer exists.");
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: true } });
    await revokeUserSessions(tx, userId, "password-reset");
    await record(tx, { object: userObject(row) });
    return { ok: true };
  });
}

/**
 * Changes the actor's own password (the current one is required, and its check is throttled like a login).
 * Every other session of the user ends; the one that asked (`actor.sessionId`) stays signed in.
 */
export async function changeOwnPassword(actor: CurrentUser, input: unknown, record: RecordChange): Promise<ActionResult<{ otherSessionsEnded: number }>> {
  const parsed = changeOwnPasswordSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const db = getDb();
  const subject = { username: actor.username, address: await currentClientAddress() };
  const throttled = await loginThrottleRefusal(db, subject, () => isKnownAddress(db, actor.id, subject.address));
  if (throttled) return refusal(throttled, TOO_MANY_ATTEMPTS, { currentPassword: [TOO_MANY_ATTEMPTS] });
  const current = await db.user.findUnique({ where: { id: actor.id } });
  if (!current || !(await verifyPassword(parsed.data.currentPassword, current.passwordHash))) {
    await recordLoginFailure(db, getConfig().login, subject);
    return refusal("WRONG_PASSWORD", "The current password is wrong.", { currentPassword: ["The current password is wrong"] });
  }
  await clearPairFailures(db, subject);
  const passwordHash = await hashPassword(parsed.data.newPassword);
  return lockedMutation("accounts", async (tx) => {
    // Guard against a reset or another change that happened while hashing.
    const { count } = await tx.user.updateMany({
      where: { id: actor.id, passwordHash: current.passwordHash },
      data: { passwordHash, mustChangePassword: false },
    });
    if (count === 0) return failure("Your password was changed meanwhile. Please sign in again.");
    const otherSessionsEnded = await revokeUserSessions(tx, actor.id, "password-change", actor.sessionId);
    await record(tx, { object: userObject(current), params: { otherSessionsEnded } });
    return { ok: true, otherSessionsEnded };
  });
}
