"use server";
/** The audit page's chain verification: global admins only; refusals and verifications are both audited. */
import { allowedUser, isRefusal } from "@/lib/access/acting-user";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain, type AuditChainVerification } from "@/lib/audit/verify";
import { currentClientAddress } from "@/lib/auth/request-context";
import type { MutationResult } from "@/lib/actions/result";

export async function verifyAuditChainAction(): Promise<MutationResult<{ verification: AuditChainVerification }>> {
  const actor = await allowedUser({ action: "audit.read.all" }, { object: { kind: "audit" }, params: { operation: "verify" } });
  if (isRefusal(actor)) return actor;
  const result = await verifyAuditChain();
  await recordAudit({
    actor,
    address: await currentClientAddress(),
    action: "audit.verify",
    object: { kind: "audit" },
    params: result.ok ? { intact: true, entries: result.count } : { intact: false, firstBrokenId: result.firstBrokenId },
    outcome: "ok",
  });
  return { ok: true, verification: result };
}
