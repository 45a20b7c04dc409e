/**
 * What the administration actions accept (lib/admin/actions.ts), as zod schemas: a form submission or anything a
 * forged request sends. The repositories (lib/auth/users.ts, lib/access/groups.ts, acls.ts) validate the fields
 * they own (username, password policy, display name, group name...); the schemas here cover what only the forms
 * have: ids, the subject picker, the account-type radio, password confirmations.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ACL_OBJECT_KINDS, ROLES } from "@/lib/access/can";
import { formBoolean } from "@/lib/result";

/** A database id (users, groups, ACLs are uuids): checked for shape here, for existence by the repository. */
export const idSchema = z
  .string({ error: "Missing id" })
  .trim()
  .min(1, "Missing id")
  .max(100, "Not a valid id")
  .regex(/^[A-Za-z0-9-]+$/, "Not a valid id");

/** "Global administrator" or "ACL-based user", as the account forms offer it. */
const accountType = z.enum(["admin", "user"], { error: "Choose the type of account" }).transform((value) => value === "admin");

const confirmed = <S extends z.ZodObject<{ password: z.ZodType; confirmPassword: z.ZodType }>>(schema: S) =>
  schema.refine((input) => input.confirmPassword === input.password, { path: ["confirmPassword"], message: "The passwords do not match" });

/** New account: the repository's input (`createUser`), once the confirmation matches. */
export const createUserInput = confirmed(
  z.object({
    username: z.string().default(""),
    displayName: z.string().default(""),
    password: z.string().default(""),
    confirmPassword: z.string().default(""),
    accountType,
    /** A checkbox: present ("on") when checked, absent when not. */
    mustChangePassword: formBoolean,
  }),
).transform(({ username, displayName, password, accountType: isAdmin, mustChangePassword }) => ({
  username,
  displayName,
  password,
  isAdmin,
  mustChangePassword,
}));

/** Edit an account: display name and account type. */
export const updateUserInput = z
  .object({ userId: idSchema, displayName: z.string().default(""), accountType })
  .transform(({ userId, displayName, accountType: isAdmin }) => ({ userId, changes: { displayName, isAdmin } }));

/** Disable or enable an account. */
export const setUserDisabledInput = z.object({
  userId: idSchema,
  disabled: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: "Say whether to disable or enable" }),
});

/** Characters of generated temporary passwords: no look-alikes (0/O, 1/l/I), easy to read out over the phone. */
const READABLE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A random temporary password (16 characters, ~94 bits). */
export function generateTemporaryPassword(): string {
  const bytes = randomBytes(16);
  return Array.from(bytes, (byte) => READABLE[byte % READABLE.length]).join("");
}

/**
 * Reset a password: the admin types a temporary password (twice), or leaves both empty to have one generated.
 * `generated` says which, so the page shows a generated password once.
 */
export const resetPasswordInput = confirmed(
  z.object({ userId: idSchema, password: z.string().default(""), confirmPassword: z.string().default("") }),
).transform(({ userId, password }) => ({ userId, newPassword: password === "" ? generateTemporaryPassword() : password, generated: password === "" }));

/** A user and a group, for adding a member or removing one (`intent=remove`). */
export const membershipInput = z.object({ groupId: idSchema, userId: idSchema, intent: z.enum(["add", "remove"]).default("add") });

/** A group's name and description (validated by the repository), and its id when editing. */
export const groupInput = z.object({ groupId: idSchema.optional(), name: z.string().default(""), description: z.string().default("") });

/**
 * A new ACL: subject as `user:<id>` or `group:<id>` (one picker lists both), an object by kind and uuid, a role.
 * The object's name is not taken from the browser: the action looks the object up in the live caches.
 */
export const addAclInput = z
  .object({
    subject: z
      .string({ error: "Choose a user or a group" })
      .trim()
      .regex(/^(user|group):[A-Za-z0-9-]{1,100}$/, "Choose a user or a group"),
    objectKind: z.enum(ACL_OBJECT_KINDS, { error: "Choose a pool, host, VM, SR or network" }),
    objectUuid: z
      .string({ error: "Choose an object" })
      .trim()
      .min(1, "Choose an object")
      .max(100, "Not a XAPI uuid")
      .regex(/^[A-Za-z0-9-]+$/, "Not a XAPI uuid"),
    role: z.enum(ROLES, { error: "Choose viewer, operator or admin" }),
  })
  .transform(({ subject, ...rest }) => {
    const [subjectType, subjectId] = subject.split(":") as ["user" | "group", string];
    return { subjectType, subjectId, ...rest };
  });

/** The object picker's search: text and an optional kind. */
export const objectSearchInput = z.object({
  query: z.string().max(200, "Search text is too long").default(""),
  kind: z.enum(ACL_OBJECT_KINDS).or(z.literal("")).default(""),
});
