/**
 * The pool registration actions (global admins, `pools.register`): test a connection, register, edit,
 * enable/disable, remove, check and pin the certificate. Each talks to the pool first where it needs to, stores
 * through lib/pools/store.ts (the change and its audit entry in one transaction), then refreshes the live
 * registry so that the next page shows the change. Results carry no secrets.
 *
 * A stored password is only ever sent where it belongs: to the registered pool's own hosts, with the registered
 * URL's scheme and port. Testing or saving another address needs the password typed again, so a rogue admin or
 * a stolen session cannot make XenDeck hand a pool's root password to a server of their choosing.
 */
import "server-only";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define";
import { failure, type ActionResult } from "@/lib/result";
import { SecretDecryptionError } from "@/lib/db/secrets";
import { refreshPoolRegistry } from "@/lib/pools/registry";
import {
  createPool,
  fingerprintSchema,
  registrationOfXapiPool,
  removePool,
  setPoolEnabled,
  storedConnectionConfig,
  storedPool,
  updatePool,
  type PoolDto,
} from "@/lib/pools/store";
import { getPoolRegistry, probePool } from "@/lib/xapi";
import {
  certificateOf,
  connectionFailure,
  editSchema,
  isFailure,
  parseUrlError,
  probeForSave,
  registerSchema,
  testSchema,
  type CertificateDto,
  type ConnectionTestResult,
} from "./registration";

export const NO_POOL = "This pool registration no longer exists.";
export const PASSWORD_FOR_NEW_ADDRESS = "This address is not one of the pool's hosts: type the password to use it.";
const UNDECRYPTABLE = "The stored password cannot be decrypted (the secret key changed): enter the password again.";

const poolId = z.string({ error: NO_POOL }).trim().min(1, NO_POOL).max(100, NO_POOL);
const REVALIDATE = [{ path: "/", type: "layout" }] as const;

/** The pool registration actions' common declaration: global admins, audited with the operation asked for. */
const registration = <S extends z.ZodType>(operation: string | ((input: z.output<S>) => string), input: S) =>
  ({
    input,
    authorize: { global: "pools.register" },
    auditObject: () => ({ kind: "pool" }),
    auditPoolId: (parsed: z.output<S>) => (parsed as { poolId?: string }).poolId ?? null,
    auditParams: (parsed: z.output<S>) => ({
      operation: typeof operation === "string" ? operation : operation(parsed),
      ...("url" in (parsed as object) ? { url: (parsed as { url: string }).url } : {}),
    }),
  }) as const;

/** Host names a stored password may be sent to: the registered URL's and every member host's address. */
function memberAddresses(registeredUrl: URL, id: string): Set<string> {
  const addresses = new Set([registeredUrl.hostname]);
  const connection = getPoolRegistry().get(id);
  for (const address of connection?.client.memberAddresses ?? []) addresses.add(address);
  for (const host of connection?.cache.list("host") ?? []) if (host.address) addresses.add(host.address);
  return addresses;
}

/** Whether the stored password of registration `id` (registered at `registeredUrl`) may be sent to `url`. */
function mayReceiveStoredPassword(url: string, registeredUrl: string, id: string): boolean {
  const target = new URL(url);
  const registered = new URL(registeredUrl);
  return target.protocol === registered.protocol && target.port === registered.port && memberAddresses(registered, id).has(target.hostname);
}

/** The stored password of registration `id`, for `url` (one of its hosts), or why it cannot be used. */
async function storedPasswordFor(id: string, url: string): Promise<{ password: string } | ReturnType<typeof failure>> {
  let config;
  try {
    config = await storedConnectionConfig(id);
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    return failure(UNDECRYPTABLE, { password: ["Enter the password again"] });
  }
  if (!config) return failure(NO_POOL, undefined, "NOT_FOUND");
  if (!mayReceiveStoredPassword(url, config.url, id)) return failure(PASSWORD_FOR_NEW_ADDRESS, { password: [PASSWORD_FOR_NEW_ADDRESS] }, "PASSWORD_REQUIRED");
  return { password: config.password };
}

/**
 * Tests a connection without saving anything: reads the certificate (https), then logs in trusting that very
 * certificate unless another one is pinned in the form. The form then offers to pin it. Editing a registration,
 * the password may be left empty to use the stored one, for the pool's own hosts only.
 */
export const testPoolConnection = defineAction({
  name: "pool.test-connection",
  ...registration("test", testSchema),
  auditAction: "pool.test-connection",
  async run({ input }): Promise<ActionResult<ConnectionTestResult & { alreadyRegistered: string | null }>> {
    const { url, username, fingerprint, poolId: id } = input;
    let password = input.password;
    if (!password && id) {
      const stored = await storedPasswordFor(id, url);
      if ("ok" in stored) return stored;
      password = stored.password;
    }
    if (!password) return failure("Password is required", { password: ["Password is required"] });
    try {
      const certificate = await certificateOf(url);
      const pool = await probePool({ url, username, password, fingerprint: fingerprint ?? certificate?.fingerprint ?? null });
      const existing = await registrationOfXapiPool(pool.poolUuid);
      return {
        ok: true,
        pool: { poolName: pool.poolName, poolUuid: pool.poolUuid, hostCount: pool.hostCount, apiVersion: pool.apiVersion, masterUrl: pool.masterUrl },
        certificate,
        alreadyRegistered: existing && existing.id !== id ? existing.label : null,
      };
    } catch (error) {
      return parseUrlError(error) ?? connectionFailure(error);
    }
  },
});

/** Registers a pool after logging in to it; the same pool twice is refused by the store. */
export const registerPool = defineAction({
  name: "pool.register",
  ...registration("register", registerSchema),
  auditAction: "pool.register",
  revalidate: REVALIDATE,
  async run({ input, recordInTransaction }): Promise<ActionResult<{ poolId: string }>> {
    const { label, url, username, password, fingerprint, readOnly } = input;
    const probe = await probeForSave({ url, username, password, fingerprint });
    if (isFailure(probe)) return probe;
    const result = await createPool(
      { label, url, username, password, fingerprint: fingerprint ?? null, readOnly, xapiPoolUuid: probe.poolUuid },
      recordInTransaction,
    );
    if (!result.ok) return result;
    await refreshPoolRegistry();
    return { ok: true, poolId: result.pool.id };
  },
});

/**
 * Edits a registration. When the connection settings change (URL, username, password, pinned certificate), the
 * pool is probed with the new settings first and must be the same XAPI pool.
 */
export const editPool = defineAction({
  name: "pool.update",
  ...registration("update", editSchema.extend({ poolId })),
  auditAction: "pool.update",
  revalidate: REVALIDATE,
  async run({ input, recordInTransaction }): Promise<ActionResult<{ pool: PoolDto }>> {
    const { poolId: id, label, url, username, password, fingerprint, readOnly } = input;
    const before = await storedPool(id);
    if (!before) return failure(NO_POOL, undefined, "NOT_FOUND");
    const connectionChanged = url !== before.url || username !== before.username || Boolean(password) || (fingerprint ?? null) !== before.fingerprint;
    if (connectionChanged) {
      let effectivePassword = password;
      if (!effectivePassword) {
        const stored = await storedPasswordFor(id, url);
        if ("ok" in stored) return stored;
        effectivePassword = stored.password;
      }
      const probe = await probeForSave({ url, username, password: effectivePassword, fingerprint: fingerprint ?? null });
      if (isFailure(probe)) return probe;
      if (probe.poolUuid !== before.xapiPoolUuid) {
        return failure(`This URL leads to another pool (“${probe.poolName}”): register it as a new pool instead.`, { url: ["This URL leads to another pool"] });
      }
    }
    const result = await updatePool(
      id,
      { label, url, username, password, fingerprint: fingerprint ?? null, ...(readOnly === undefined ? {} : { readOnly }) },
      recordInTransaction,
    );
    if (result.ok) await refreshPoolRegistry();
    return result;
  },
});

/** Pins `fingerprint` (the certificate the admin just checked): the pool must accept a login with it. */
export const pinCertificate = defineAction({
  name: "pool.pin-certificate",
  ...registration("pin-certificate", z.object({ poolId, fingerprint: fingerprintSchema })),
  auditAction: "pool.update",
  revalidate: REVALIDATE,
  async run({ input, recordInTransaction }): Promise<ActionResult<{ pool: PoolDto }>> {
    const config = await storedConnectionConfig(input.poolId).catch((error: unknown) => {
      if (error instanceof SecretDecryptionError) return null;
      throw error;
    });
    if (!config) return failure(NO_POOL, undefined, "NOT_FOUND");
    const probe = await probeForSave({ url: config.url, username: config.username, password: config.password, fingerprint: input.fingerprint });
    if (isFailure(probe)) return probe;
    const result = await updatePool(input.poolId, { fingerprint: input.fingerprint }, recordInTransaction);
    if (result.ok) await refreshPoolRegistry();
    return result;
  },
});

/** Reads the certificate a registered pool's URL presents now (to compare with the pinned one). */
export const checkCertificate = defineAction({
  name: "pool.check-certificate",
  ...registration("check-certificate", z.object({ poolId })),
  auditAction: "pool.check-certificate",
  async run({ input }): Promise<ActionResult<{ certificate: CertificateDto | null; pinned: string | null }>> {
    const pool = await storedPool(input.poolId);
    if (!pool) return failure(NO_POOL, undefined, "NOT_FOUND");
    try {
      return { ok: true, certificate: await certificateOf(pool.url), pinned: pool.fingerprint };
    } catch (error) {
      return connectionFailure(error);
    }
  },
});

export const changePoolEnabled = defineAction({
  name: "pool.set-enabled",
  ...registration(
    (input: { enabled: boolean }) => (input.enabled ? "enable" : "disable"),
    z.object({ poolId, enabled: z.boolean({ error: "Say whether the pool is enabled" }) }),
  ),
  auditAction: (input) => (input.enabled ? "pool.enable" : "pool.disable"),
  revalidate: REVALIDATE,
  async run({ input, recordInTransaction }): Promise<ActionResult<{ pool: PoolDto }>> {
    const result = await setPoolEnabled(input.poolId, input.enabled, recordInTransaction);
    if (result.ok) await refreshPoolRegistry();
    return result;
  },
});

export const unregisterPool = defineAction({
  name: "pool.remove",
  ...registration("remove", z.object({ poolId })),
  auditAction: "pool.remove",
  revalidate: REVALIDATE,
  redirectTo: () => "/pools",
  async run({ input, recordInTransaction }) {
    const result = await removePool(input.poolId, recordInTransaction);
    if (result.ok) await refreshPoolRegistry();
    return result;
  },
});
