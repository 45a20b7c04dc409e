/**
 * What the administration server actions accept, parsed with zod before anything else happens. Server actions
 * are public endpoints: the input may be a form submission, or anything a forged request sends (a plain object,
 * numbers, arrays, nothing at all). Every parser here takes `unknown` and returns either the typed input or the
 * failure to show; nothing throws.
 *
 * The repositories (lib/auth/users.ts, groups.ts, acls.ts) validate the fields they own (username, password
 * policy, display name, group name...). The schemas here cover what only the forms have: ids, the subject
 * picker, the account-type radio, password confirmations.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ACL_OBJECT_KINDS, ROLES } from "@/lib/access/can";
import { formBoolean, invalidInput, type MutationFailure } from "@/lib/actions/result";

/** Longest value kept from any one field: far above any legitimate input, well below a memory problem. */
const MAX_FIELD_LENGTH = 10_000;

/**
 * The text fields of a submission as a plain object: FormData (first value of each key, files and React's
 * `$ACTION_…` bookkeeping left out) or a plain object (strings, numbers and booleans kept as text).
 */
export function formFields(input: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  const keep = (key: string, value: unknown) => {
    if (key.startsWith("$ACTION") || key in fields) return;
    if (typeof value === "string") fields[key] = value.slice(0, MAX_FIELD_LENGTH);
    else if (typeof value === "number" || typeof value === "boolean") fields[key] = String(value);
  };
  if (input instanceof FormData) {
    for (const [key, value] of input.entries()) keep(key, value);
  } else if (input && typeof input === "object" && !Array.isArray(input)) {
    for (const [key, value] of Object.entries(input)) keep(key, value);
  }
  return fields;
}

/** A database id (users, groups, ACLs are uuids): checked for shape here, for existence by the repository. */
export const idSchema = z
  .string({ error: "Missing id" })
  .trim()
  .min(1, "Missing id")
  .max(100, "Not a valid id")
  .regex(/^[A-Za-z0-9-]+$/, "Not a valid id");

/** A parsed input, or the failure the form shows. */
export type Parsed<T> = { ok: true; data: T } | MutationFailure;

function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const parsed = schema.safeParse(formFields(input));
  return parsed.success ? { ok: true, data: parsed.data } : invalidInput(parsed.error);
}

/** "Global administrator" or "ACL-based user", as the account forms offer it. */
const accountType = z.enum(["admin", "user"], { error: "Choose the type of account" }).transform((value) => value === "admin");

const confirmed = <S extends z.ZodObject<{ password: z.ZodType; confirmPassword: z.ZodType }>>(schema: S) =>
  schema.refine((input) => input.confirmPassword === input.password, { path: ["confirmPassword"], message: "The passwords do not match" });

export const createUserForm = confirmed(
  z.object({
    username: z.string().default(""),
    displayName: z.string().default(""),
    password: z.string().default(""),
    confirmPassword: z.string().default(""),
    accountType,
    /** A checkbox: present ("on") when checked, absent when not. */
    mustChangePassword: formBoolean,
  }),
);

/** New account: the repository's input (`createUser`), once the confirmation matches. */
export function parseCreateUser(input: unknown) {
  const parsed = parseWith(createUserForm, input);
  if (!parsed.ok) return parsed;
  const { username, displayName, password, accountType: isAdmin, mustChangePassword } = parsed.data;
  return { ok: true as const, data: { username, displayName, password, isAdmin, mustChangePassword } };
}

/** Edit an account: display name and account type. */
export function parseUpdateUser(input: unknown) {
  const parsed = parseWith(z.object({ userId: idSchema, displayName: z.string().default(""), accountType }), input);
  if (!parsed.ok) return parsed;
  const { userId, displayName, accountType: isAdmin } = parsed.data;
  return { ok: true as const, data: { userId, changes: { displayName, isAdmin } } };
}

/** Disable or enable an account. */
export function parseSetUserDisabled(input: unknown) {
  return parseWith(
    z.object({ userId: idSchema, disabled: z.enum(["true", "false"], { error: "Say whether to disable or enable" }).transform((v) => v === "true") }),
    input,
  );
}

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
export function parseResetPassword(input: unknown) {
  const parsed = parseWith(confirmed(z.object({ userId: idSchema, password: z.string().default(""), confirmPassword: z.string().default("") })), input);
  if (!parsed.ok) return parsed;
  const { userId, password } = parsed.data;
  const generated = password === "";
  return { ok: true as const, data: { userId, newPassword: generated ? generateTemporaryPassword() : password, generated } };
}

/** A user and a group, for adding or removing a member. */
export function parseMembership(input: unknown) {
  return parseWith(z.object({ groupId: idSchema, userId: idSchema }), input);
}

/** One id field (a user to delete, an ACL to remove...). */
export function parseId<K extends string>(input: unknown, key: K) {
  return parseWith(z.object({ [key]: idSchema } as Record<K, typeof idSchema>), input);
}

/** A group's name and description (validated by the repository), and its id when editing. */
export function parseGroup(input: unknown) {
  return parseWith(z.object({ groupId: idSchema.optional(), name: z.string().default(""), description: z.string().default("") }), input);
}

/**
 * A new ACL: subject as `user:<id>` or `group:<id>` (one picker lists both), an object by kind and uuid, a role.
 * The object's name is not taken from the browser: the action looks the object up in the live caches.
 */
export function parseAddAcl(input: unknown) {
  const schema = z.object({
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
  });
  const parsed = parseWith(schema, input);
  if (!parsed.ok) return parsed;
  const { subject, ...rest } = parsed.data;
  const [subjectType, subjectId] = subject.split(":") as ["user" | "group", string];
  return { ok: true as const, data: { subjectType, subjectId, ...rest } };
}

/** The object picker's search: text and an optional kind. */
export function parseObjectSearch(input: unknown) {
  return parseWith(
    z.object({
      query: z.string().max(200, "Search text is too long").default(""),
      kind: z.enum(ACL_OBJECT_KINDS).or(z.literal("")).default(""),
    }),
    input,
  );
}
