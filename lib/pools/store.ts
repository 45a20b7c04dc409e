/**
 * Registered pools, in the database. The password is stored only encrypted and never leaves this module except
 * through `loadPoolConnectionConfigs` / `storedConnectionConfig`, for the XAPI client (`PoolConnectionConfig`
 * is the registry's type: it holds the password, so never log it or send it to a browser). DTOs carry no
 * password. Reads for pages check `pools.register` here; changes are authorized by the pool actions
 * (lib/pools/actions.ts), which pass `audit` so that each change and its audit entry commit together.
 */
import "server-only";
import { z } from "zod";
import { can } from "@/lib/access/can";
import type { RecordChange } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { PoolConnectionConfig } from "@/lib/xapi/connection";
import { getDb, type DbTransaction } from "@/lib/db/client";
import { failure, formBoolean, invalidInput, optionalFormBoolean, type ActionResult } from "@/lib/result";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "@/lib/db/secrets";
import { lockedMutation } from "@/lib/db/transaction";

export interface PoolDto {
  id: string;
  label: string;
  url: string;
  username: string;
  /** Pinned SHA-256 certificate fingerprint (AA:BB:…), null when not pinned. */
  fingerprint: string | null;
  readOnly: boolean;
  enabled: boolean;
  xapiPoolUuid: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Accepts a SHA-256 fingerprint with or without colons, any case; stores AA:BB:… upper-case. */
export const fingerprintSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/[:\s]/g, "").toUpperCase())
  .pipe(z.string().regex(/^[0-9A-F]{64}$/, "A SHA-256 fingerprint is 64 hexadecimal digits (colons allowed)"))
  .transform((hex) => hex.match(/../g)!.join(":"));

/** Absent: unchanged; empty or null: not pinned; otherwise a fingerprint. */
const optionalFingerprint = z
  .string()
  .nullish()
  .transform((value) => (value === undefined ? undefined : value?.trim() || null))
  .pipe(fingerprintSchema.nullish());

const label = z.string().trim().min(1, "Label is required").max(100, "Label must be at most 100 characters long");
const url = z
  .string()
  .trim()
  .min(1, "URL is required")
  .pipe(z.url({ protocol: /^https?$/, error: "Give the http:// or https:// URL of a pool member, e.g. https://xcp-host-1" }));
const username = z.string().trim().min(1, "Username is required").max(200);
const xapiPoolUuid = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F-]{8,64}$/, "Not a XAPI pool uuid")
  .transform((value) => value.toLowerCase());

export const createPoolSchema = z.object({
  label,
  url,
  username,
  password: z.string().min(1, "Password is required").max(1000),
  fingerprint: optionalFingerprint,
  readOnly: formBoolean,
  /** The pool's uuid as read from XAPI when testing the connection. */
  xapiPoolUuid,
});

/** Every field optional; an absent or empty password keeps the stored one. */
export const updatePoolSchema = z.object({
  label: label.optional(),
  url: url.optional(),
  username: username.optional(),
  password: z
    .string()
    .max(1000)
    .optional()
    .transform((value) => value || undefined),
  fingerprint: optionalFingerprint,
  readOnly: optionalFormBoolean,
  xapiPoolUuid: xapiPoolUuid.optional(),
});

type PoolRow = PoolDto & { passwordEncrypted: string };

function toPoolDto(row: PoolRow): PoolDto {
  const { passwordEncrypted: _secret, ...dto } = row;
  return dto;
}

const poolObject = (row: { xapiPoolUuid: string; label: string }) => ({ kind: "pool", uuid: row.xapiPoolUuid, label: row.label });

/** Refuses a label or XAPI pool already used by another registration. */
async function findClash(tx: DbTransaction, fields: { label?: string; xapiPoolUuid?: string }, exceptId?: string) {
  if (fields.xapiPoolUuid) {
    const other = await tx.pool.findUnique({ where: { xapiPoolUuid: fields.xapiPoolUuid } });
    if (other && other.id !== exceptId) {
      return failure(`This pool is already registered as “${other.label}”.`, { url: [`This pool is already registered as “${other.label}”`] });
    }
  }
  if (fields.label) {
    const other = await tx.pool.findUnique({ where: { label: fields.label } });
    if (other && other.id !== exceptId) return failure("Another pool has this label.", { label: ["Another pool has this label"] });
  }
  return null;
}

/** The registered pools, by label. Empty for non-admins. */
export async function listPools(actor: CurrentUser): Promise<PoolDto[]> {
  if (!can(actor, "pools.register")) return [];
  return (await getDb().pool.findMany({ orderBy: { label: "asc" } })).map(toPoolDto);
}

/** One registration; null when it does not exist or the actor is not a global admin. */
export async function getPool(actor: CurrentUser, poolId: string): Promise<PoolDto | null> {
  if (!can(actor, "pools.register")) return null;
  const row = await getDb().pool.findUnique({ where: { id: poolId } });
  return row ? toPoolDto(row) : null;
}

/** One registration, for the pool actions (they authorized the caller); null when it does not exist. */
export async function storedPool(poolId: string): Promise<PoolDto | null> {
  const row = await getDb().pool.findUnique({ where: { id: poolId } });
  return row ? toPoolDto(row) : null;
}

/** The label under which the XAPI pool `xapiPoolUuid` is registered, if it is. */
export async function registrationOfXapiPool(xapiPoolUuid: string): Promise<{ id: string; label: string } | null> {
  return getDb().pool.findUnique({ where: { xapiPoolUuid: xapiPoolUuid.toLowerCase() }, select: { id: true, label: true } });
}

/** Registers a pool (enabled). The same XAPI pool cannot be registered twice. */
export async function createPool(input: unknown, audit: RecordChange): Promise<ActionResult<{ pool: PoolDto }>> {
  const parsed = createPoolSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { password, ...fields } = parsed.data;
  return lockedMutation("pools", async (tx) => {
    const clash = await findClash(tx, fields);
    if (clash) return clash;
    const row = await tx.pool.create({ data: { ...fields, passwordEncrypted: encryptSecret(password) } });
    await audit(tx, { object: poolObject(row), poolId: row.id, params: fields });
    return { ok: true, pool: toPoolDto(row) };
  });
}

/** Changes a registration; fields left out (and an empty password) stay as they are. */
export async function updatePool(poolId: string, input: unknown, audit: RecordChange): Promise<ActionResult<{ pool: PoolDto }>> {
  const parsed = updatePoolSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { password, ...fields } = parsed.data;
  return lockedMutation("pools", async (tx) => {
    const before = await tx.pool.findUnique({ where: { id: poolId } });
    if (!before) return failure("This pool registration no longer exists.");
    const clash = await findClash(tx, fields, poolId);
    if (clash) return clash;
    const row = await tx.pool.update({
      where: { id: poolId },
      data: { ...fields, ...(password ? { passwordEncrypted: encryptSecret(password) } : {}) },
    });
    const changed = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && before[key as keyof typeof before] !== value));
    await audit(tx, { object: poolObject(row), poolId, params: { ...changed, ...(password ? { replaced: ["password"] } : {}) } });
    return { ok: true, pool: toPoolDto(row) };
  });
}

/** Enables or disables a registration (a disabled pool is not connected). */
export async function setPoolEnabled(poolId: string, enabled: boolean, audit: RecordChange): Promise<ActionResult<{ pool: PoolDto }>> {
  return lockedMutation("pools", async (tx) => {
    if (!(await tx.pool.findUnique({ where: { id: poolId } }))) return failure("This pool registration no longer exists.");
    const row = await tx.pool.update({ where: { id: poolId }, data: { enabled } });
    await audit(tx, { object: poolObject(row), poolId });
    return { ok: true, pool: toPoolDto(row) };
  });
}

/** Removes a registration (the pool itself is untouched; ACLs on its objects stay, by uuid). */
export async function removePool(poolId: string, audit: RecordChange): Promise<ActionResult> {
  return lockedMutation("pools", async (tx) => {
    const row = await tx.pool.findUnique({ where: { id: poolId } });
    if (!row) return failure("This pool registration no longer exists.");
    await tx.pool.delete({ where: { id: poolId } });
    await audit(tx, { object: poolObject(row), poolId });
    return { ok: true };
  });
}

function toConnectionConfig(row: PoolRow): PoolConnectionConfig {
  return {
    id: row.id,
    label: row.label,
    url: row.url,
    username: row.username,
    password: decryptSecret(row.passwordEncrypted),
    fingerprint: row.fingerprint,
    readOnly: row.readOnly,
  };
}

/**
 * The connection settings of every enabled pool, passwords decrypted, for the XAPI registry (system use, no
 * actor). A pool whose password cannot be decrypted (the secret key changed) is left out and reported on the
 * console by label only.
 */
export async function loadPoolConnectionConfigs(): Promise<PoolConnectionConfig[]> {
  const rows = await getDb().pool.findMany({ where: { enabled: true }, orderBy: { label: "asc" } });
  const configs: PoolConnectionConfig[] = [];
  for (const row of rows) {
    try {
      configs.push(toConnectionConfig(row));
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      console.error(`Pool “${row.label}”: ${error.message}. Re-enter its password on the pool page.`);
    }
  }
  return configs;
}

/**
 * One pool's connection settings (enabled or not), e.g. to test an edited registration with the stored password.
 * For the pool actions only (they authorized the caller); null when it does not exist.
 * @throws SecretDecryptionError when the stored password cannot be decrypted.
 */
export async function storedConnectionConfig(poolId: string): Promise<PoolConnectionConfig | null> {
  const row = await getDb().pool.findUnique({ where: { id: poolId } });
  return row ? toConnectionConfig(row) : null;
}
