"use server";
/**
 * Server actions of the pool pages (global admins): public endpoints, so each one authenticates here and
 * authorizes in lib/pools/registration.ts, which also audits and refreshes the live registry.
 */
import { revalidatePath } from "next/cache";
import { getCurrentUser } from "@/lib/auth/current-user";
import { changePoolEnabled, currentCertificate, editPool, pinCertificate, registerPool, testPoolConnection, unregisterPool } from "@/lib/pools/registration";
import { failure } from "@/lib/actions/result";

const NO_POOL = failure("This pool registration no longer exists.");
const poolIdOf = (value: unknown) => (typeof value === "string" && value.length > 0 && value.length <= 100 ? value : null);

export async function testConnectionAction(input: unknown) {
  return testPoolConnection(await getCurrentUser(), input);
}

export async function registerPoolAction(input: unknown) {
  const result = await registerPool(await getCurrentUser(), input);
  if (result.ok) revalidatePath("/", "layout");
  return result.ok ? { ok: true as const, poolId: result.pool.id } : result;
}

export async function editPoolAction(poolId: unknown, input: unknown) {
  const id = poolIdOf(poolId);
  if (!id) return NO_POOL;
  const result = await editPool(await getCurrentUser(), id, input);
  if (result.ok) revalidatePath("/", "layout");
  return result.ok ? { ok: true as const } : result;
}

export async function setPoolEnabledAction(poolId: unknown, enabled: unknown) {
  const id = poolIdOf(poolId);
  if (!id || typeof enabled !== "boolean") return NO_POOL;
  const result = await changePoolEnabled(await getCurrentUser(), id, enabled);
  if (result.ok) revalidatePath("/", "layout");
  return result.ok ? { ok: true as const } : result;
}

export async function removePoolAction(poolId: unknown) {
  const id = poolIdOf(poolId);
  if (!id) return NO_POOL;
  const result = await unregisterPool(await getCurrentUser(), id);
  if (result.ok) revalidatePath("/", "layout");
  return result;
}

export async function checkCertificateAction(poolId: unknown) {
  const id = poolIdOf(poolId);
  if (!id) return NO_POOL;
  return currentCertificate(await getCurrentUser(), id);
}

export async function pinCertificateAction(poolId: unknown, fingerprint: unknown) {
  const id = poolIdOf(poolId);
  if (!id) return NO_POOL;
  const result = await pinCertificate(await getCurrentUser(), id, fingerprint);
  if (result.ok) revalidatePath("/", "layout");
  return result.ok ? { ok: true as const } : result;
}
