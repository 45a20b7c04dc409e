/**
 * Registering and administering pools (global admins, `pools.register`): test a connection (showing the TLS
 * certificate to pin on first use), register, edit, enable/disable, remove. The repository (lib/pools/store.ts)
 * stores, audits and refuses duplicates; this module talks to the pool first (`probePool`: the pool's uuid
 * comes from XAPI, never from the browser) and refreshes the live registry after every change so that the
 * next page shows it. Passwords never leave the server: results carry no secrets.
 *
 * The stored password of a registered pool stays bound to that pool: when a form leaves the password empty to
 * reuse it (testing or editing a registration), it is only sent to the registered URL's host or to an address
 * of one of the pool's members as XAPI reported them (`poolMemberAddresses`); any other URL needs the password
 * typed again. Every connection test is audited (who, which URL, the outcome; never the password).
 */
import "server-only";
import { z } from "zod";
import { refuseUnlessAllowed } from "@/lib/access/refusal";
import { recordAudit } from "@/lib/audit/record";
import { currentClientAddress } from "@/lib/auth/request-context";
import type { CurrentUser } from "@/lib/auth/session-user";
import { failure, formBoolean, invalidInput, optionalFormBoolean, type MutationFailure, type MutationResult } from "@/lib/actions/result";
import { createPool, fingerprintSchema, getPool, getPoolConnectionConfig, removePool, setPoolEnabled, updatePool, type PoolDto } from "@/lib/pools/store";
import { SecretDecryptionError } from "@/lib/db/secrets";
import { refreshPoolRegistry } from "@/lib/pools/registry";
import { getPoolRegistry } from "@/lib/xapi/registry";
import {
  CLIENT_CODES,
  describeXapiError,
  fetchCertificate,
  isXapiError,
  probePool,
  XapiCertificateError,
  type CertificateInfo,
  type PoolProbe,
} from "@/lib/xapi";

/** A certificate as the form shows it. */
export interface CertificateDto {
  fingerprint: string;
  subject: string;
  issuer: string;
  validTo: string;
  selfSigned: boolean;
  trustedByCa: boolean;
}

export interface ConnectionTestResult {
  pool: Pick<PoolProbe, "poolName" | "poolUuid" | "hostCount" | "apiVersion" | "masterUrl">;
  /** For https:// URLs: what the server presented (to pin). */
  certificate: CertificateDto | null;
}

const connectionFields = {
  url: z
    .string()
    .trim()
    .min(1, "URL is required")
    .pipe(z.url({ protocol: /^https?$/, error: "Give the http:// or https:// URL of a pool member, e.g. https://xcp-host-1" })),
  username: z.string().trim().min(1, "Username is required").max(200),
  /** Empty: not pinned (or, when editing, see `keepFingerprint`). */
  fingerprint: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined)
    .pipe(fingerprintSchema.optional()),
};

const testSchema = z.object({
  ...connectionFields,
  /** Empty when editing a registration: the stored password is used. */
  password: z
    .string()
    .max(1000)
    .optional()
    .transform((value) => value || undefined),
  poolId: z
    .string()
    .max(100)
    .optional()
    .transform((value) => value || undefined),
});

const registerSchema = z.object({
  ...connectionFields,
  label: z.string().trim().min(1, "Label is required").max(100, "Label must be at most 100 characters long"),
  password: z.string().min(1, "Password is required").max(1000),
  readOnly: formBoolean,
});

const editSchema = z.object({
  ...connectionFields,
  label: z.string().trim().min(1, "Label is required").max(100, "Label must be at most 100 characters long"),
  password: z
    .string()
    .max(1000)
    .optional()
    .transform((value) => value || undefined),
  readOnly: optionalFormBoolean,
});

const refuse = (actor: CurrentUser | null, operation: string, poolId?: string) =>
  refuseUnlessAllowed(actor, { action: "pools.register" }, { object: { kind: "pool" }, poolId, params: { operation } });

function certificateDto(info: CertificateInfo): CertificateDto {
  return {
    fingerprint: info.fingerprint256,
    subject: info.subject,
    issuer: info.issuer,
    validTo: info.validTo.toISOString(),
    selfSigned: info.selfSigned,
    trustedByCa: info.trustedByCa,
  };
}

/** A failed connection as the form shows it: the message, and the field to fix. */
function connectionFailure(error: unknown): MutationFailure {
  const message = describeXapiError(error);
  if (!isXapiError(error)) return failure(`The connection test failed: ${message}`);
  if (error.code === "SESSION_AUTHENTICATION_FAILED") {
    return failure("The pool refused the username or password.", { password: ["The pool refused the username or password"] });
  }
  if (error instanceof XapiCertificateError || error.kind === "certificate") {
    const text =
      error.code === CLIENT_CODES.certificateMismatch
        ? "The server's certificate is not the pinned one"
        : "The server's certificate is not trusted: test the connection and pin it";
    return failure(`${text}.`, { fingerprint: [text] });
  }
  if (error.kind === "transport" || error.kind === "timeout" || error.kind === "protocol") {
    return failure(`Cannot reach the pool: ${message}`, { url: [message] });
  }
  return failure(`The pool answered with an error: ${message}`);
}

const PASSWORD_NOT_FOR_THIS_HOST = "Enter the password: the stored one is only sent to the hosts of this pool.";

/** The host part of a URL as compared with member addresses (lower case, IPv6 without brackets). */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  } catch {
    return null;
  }
}

/**
 * Where a registered pool's stored password may be sent: the host of its registered URL and the address of
 * every member host its live connection knows (XAPI's `host.address`; the cache keeps them while reconnecting).
 */
export function poolMemberAddresses(pool: { id: string; url: string }): Set<string> {
  const addresses = new Set<string>();
  const registered = hostOf(pool.url);
  if (registered) addresses.add(registered);
  for (const host of getPoolRegistry().get(pool.id)?.cache.list("host") ?? []) {
    if (host.address) addresses.add(host.address.toLowerCase());
  }
  return addresses;
}

/** The stored password of `poolId` for a test or an edit that reaches `url`; a failure to show when it may not go there. */
async function storedPasswordFor(actor: CurrentUser, poolId: string, url: string): Promise<{ password?: string } | MutationFailure> {
  const pool = await getPool(actor, poolId);
  if (!pool) return failure("This pool registration no longer exists.");
  const host = hostOf(url);
  if (!host || !poolMemberAddresses(pool).has(host)) return failure(PASSWORD_NOT_FOR_THIS_HOST, { password: [PASSWORD_NOT_FOR_THIS_HOST] });
  try {
    return { password: (await getPoolConnectionConfig(actor, poolId))?.password };
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    const message = "The stored password cannot be decrypted (the secret key changed): enter the password again.";
    return failure(message, { password: ["Enter the password again"] });
  }
}

/** Audits a connection test: who, which URL and pool, whether the stored password was used, and the outcome. */
async function auditConnectionTest(
  actor: CurrentUser,
  test: { url: string; username: string; poolId?: string; usesRegisteredLogin: boolean },
  outcome: { ok: true; poolUuid: string; poolName: string } | { ok: false; refused?: boolean; error: unknown },
): Promise<void> {
  const code = outcome.ok ? null : isXapiError(outcome.error) ? outcome.error.code : outcome.refused ? "PASSWORD_NOT_FOR_THIS_HOST" : "FAILED";
  const message = outcome.ok
    ? null
    : outcome.refused
      ? PASSWORD_NOT_FOR_THIS_HOST
      : typeof outcome.error === "string"
        ? outcome.error
        : describeXapiError(outcome.error);
  await recordAudit({
    actor,
    address: await currentClientAddress(),
    action: "pool.test_connection",
    object: outcome.ok ? { kind: "pool", uuid: outcome.poolUuid, label: outcome.poolName } : { kind: "pool" },
    poolId: test.poolId ?? null,
    params: { url: test.url, username: test.username, usesRegisteredLogin: test.usesRegisteredLogin },
    outcome: outcome.ok ? "ok" : outcome.refused ? "refused" : "error",
    error: outcome.ok ? null : { code, message },
  });
}

function parseUrlError(error: unknown): MutationFailure | null {
  return error instanceof TypeError ? failure(error.message, { url: [error.message] }) : null;
}

async function certificateOf(url: string): Promise<CertificateDto | null> {
  return url.startsWith("https://") ? certificateDto(await fetchCertificate(url, { timeoutMs: 10_000 })) : null;
}

/**
 * Tests a connection without saving anything: reads the certificate (https), then logs in trusting that very
 * certificate unless another one is pinned in the form. The form then offers to pin it.
 */
export async function testPoolConnection(actor: CurrentUser | null, input: unknown): Promise<MutationResult<ConnectionTestResult>> {
  const refused = await refuse(actor, "test");
  if (refused) return refused;
  const parsed = testSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { url, username, fingerprint, poolId } = parsed.data;
  let password = parsed.data.password;
  const usesRegisteredLogin = !password && Boolean(poolId);
  const tested = { url, username, poolId, usesRegisteredLogin };
  if (usesRegisteredLogin) {
    const stored = await storedPasswordFor(actor!, poolId!, url);
    if ("ok" in stored) {
      await auditConnectionTest(actor!, tested, { ok: false, refused: stored.error === PASSWORD_NOT_FOR_THIS_HOST, error: stored.error });
      return stored;
    }
    password = stored.password;
  }
  if (!password) return failure("Password is required", { password: ["Password is required"] });
  try {
    const certificate = await certificateOf(url);
    const pool = await probePool({ url, username, password, fingerprint: fingerprint ?? certificate?.fingerprint ?? null });
    await auditConnectionTest(actor!, tested, { ok: true, poolUuid: pool.poolUuid, poolName: pool.poolName });
    return {
      ok: true,
      pool: { poolName: pool.poolName, poolUuid: pool.poolUuid, hostCount: pool.hostCount, apiVersion: pool.apiVersion, masterUrl: pool.masterUrl },
      certificate,
    };
  } catch (error) {
    await auditConnectionTest(actor!, tested, { ok: false, error });
    return parseUrlError(error) ?? connectionFailure(error);
  }
}

/** Probes with the form's settings; an https:// server must present the pinned certificate or one the system trusts. */
async function probeForSave(settings: { url: string; username: string; password: string; fingerprint?: string | null }): Promise<PoolProbe | MutationFailure> {
  try {
    return await probePool({ url: settings.url, username: settings.username, password: settings.password, fingerprint: settings.fingerprint ?? null });
  } catch (error) {
    return parseUrlError(error) ?? connectionFailure(error);
  }
}

const isFailure = (value: PoolProbe | MutationFailure): value is MutationFailure => "ok" in value && value.ok === false;

/** Registers a pool after logging in to it; the same pool twice is refused by the repository. */
export async function registerPool(actor: CurrentUser | null, input: unknown): Promise<MutationResult<{ pool: PoolDto }>> {
  const refused = await refuse(actor, "register");
  if (refused) return refused;
  const parsed = registerSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { label, url, username, password, fingerprint, readOnly } = parsed.data;
  const probe = await probeForSave({ url, username, password, fingerprint });
  if (isFailure(probe)) return probe;
  const result = await createPool(actor!, { label, url, username, password, fingerprint: fingerprint ?? null, readOnly, xapiPoolUuid: probe.poolUuid });
  if (result.ok) await refreshPoolRegistry();
  return result;
}

/**
 * Edits a registration. When the connection settings change (URL, username, password, pinned certificate),
 * the pool is probed with the new settings first and must be the same XAPI pool.
 */
export async function editPool(actor: CurrentUser | null, poolId: string, input: unknown): Promise<MutationResult<{ pool: PoolDto }>> {
  const refused = await refuse(actor, "update", poolId);
  if (refused) return refused;
  const parsed = editSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const before = await getPool(actor!, poolId);
  if (!before) return failure("This pool registration no longer exists.");
  const { label, url, username, password, fingerprint, readOnly } = parsed.data;
  const connectionChanged = url !== before.url || username !== before.username || Boolean(password) || (fingerprint ?? null) !== before.fingerprint;
  if (connectionChanged) {
    let effectivePassword = password;
    if (!effectivePassword) {
      const stored = await storedPasswordFor(actor!, poolId, url);
      if ("ok" in stored) {
        if (stored.error === PASSWORD_NOT_FOR_THIS_HOST) {
          await recordAudit({
            actor,
            address: await currentClientAddress(),
            action: "pool.update",
            object: { kind: "pool", uuid: before.xapiPoolUuid, label: before.label },
            poolId,
            params: { url, username },
            outcome: "refused",
            error: { code: "PASSWORD_NOT_FOR_THIS_HOST", message: PASSWORD_NOT_FOR_THIS_HOST },
          });
        }
        return stored;
      }
      effectivePassword = stored.password;
    }
    const probe = await probeForSave({ url, username, password: effectivePassword ?? "", fingerprint: fingerprint ?? null });
    if (isFailure(probe)) return probe;
    if (probe.poolUuid !== before.xapiPoolUuid) {
      return failure(`This URL leads to another pool (“${probe.poolName}”): register it as a new pool instead.`, { url: ["This URL leads to another pool"] });
    }
  }
  const result = await updatePool(actor!, poolId, {
    label,
    url,
    username,
    password,
    fingerprint: fingerprint ?? null,
    ...(readOnly === undefined ? {} : { readOnly }),
  });
  if (result.ok) await refreshPoolRegistry();
  return result;
}

/** Reads the certificate a registered pool's URL presents now (to compare with the pinned one). */
export async function currentCertificate(
  actor: CurrentUser | null,
  poolId: string,
): Promise<MutationResult<{ certificate: CertificateDto | null; pinned: string | null }>> {
  const refused = await refuse(actor, "read-certificate", poolId);
  if (refused) return refused;
  const pool = await getPool(actor!, poolId);
  if (!pool) return failure("This pool registration no longer exists.");
  try {
    return { ok: true, certificate: await certificateOf(pool.url), pinned: pool.fingerprint };
  } catch (error) {
    return connectionFailure(error);
  }
}

/** Pins `fingerprint` (the certificate the admin just checked): the pool must accept a login with it. */
export async function pinCertificate(actor: CurrentUser | null, poolId: string, fingerprint: unknown): Promise<MutationResult<{ pool: PoolDto }>> {
  const refused = await refuse(actor, "pin-certificate", poolId);
  if (refused) return refused;
  const pool = await getPool(actor!, poolId);
  if (!pool) return failure("This pool registration no longer exists.");
  return editPool(actor, poolId, {
    label: pool.label,
    url: pool.url,
    username: pool.username,
    fingerprint: typeof fingerprint === "string" ? fingerprint : "",
  });
}

export async function changePoolEnabled(actor: CurrentUser | null, poolId: string, enabled: boolean): Promise<MutationResult<{ pool: PoolDto }>> {
  const refused = await refuse(actor, enabled ? "enable" : "disable", poolId);
  if (refused) return refused;
  const result = await setPoolEnabled(actor!, poolId, enabled);
  if (result.ok) await refreshPoolRegistry();
  return result;
}

export async function unregisterPool(actor: CurrentUser | null, poolId: string): Promise<MutationResult> {
  const refused = await refuse(actor, "remove", poolId);
  if (refused) return refused;
  const result = await removePool(actor!, poolId);
  if (result.ok) await refreshPoolRegistry();
  return result;
}
