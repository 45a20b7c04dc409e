/**
 * Audit entries written for requests without a session (forged or expired cookies, refused logins). Anyone can
 * send those, so they are the one way an outsider writes to the audit log: per client address (IPv6 per /64),
 * at most `XENDECK_AUDIT_ANONYMOUS_MAX_PER_ADDRESS` entries per 15-minute window are recorded; when the limit is
 * reached one `audit.suppressed` entry says so, and the rest of the window is not recorded. Each entry is also
 * made small (parameters and texts truncated). The count lives in the database and is kept under the audit
 * lock, so it holds across instances and the chain stays one valid chain.
 */
import "server-only";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { lockedTransaction } from "@/lib/db/transaction";
import { addressBucket } from "@/lib/auth/login-throttle";
import { recordAuditInTransaction, type AuditEntryDto, type AuditInput } from "./record";

export const ANONYMOUS_WINDOW_SECONDS = 15 * 60;
const MAX_PARAM_JSON = 1000;
const MAX_TEXT = 200;

const cut = (text: string | null | undefined) => (text == null ? text : text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

/** The input made small: short texts, parameters summarised when their JSON is long. */
function shrink(input: AuditInput): AuditInput {
  const params = input.params ?? {};
  const json = JSON.stringify(params, (_key, value) => (typeof value === "string" ? cut(value) : typeof value === "bigint" ? String(value) : value)) ?? "{}";
  return {
    ...input,
    attemptedUsername: cut(input.attemptedUsername),
    object: input.object ? { kind: input.object.kind, uuid: cut(input.object.uuid), label: cut(input.object.label) } : input.object,
    params: json.length > MAX_PARAM_JSON ? { truncated: true, size: json.length } : (JSON.parse(json) as Record<string, unknown>),
    error: input.error ? { code: cut(input.error.code), message: cut(input.error.message) } : input.error,
  };
}

/**
 * Records an entry for a request without a session, unless its address has used up its entries for the
 * window; returns the entry, or null when it was not recorded.
 */
export async function recordAnonymousAudit(input: AuditInput, db: Db = getDb(), now = new Date()): Promise<AuditEntryDto | null> {
  const limit = getConfig().auditAnonymousMaxPerAddress;
  const key = `audit:${input.address ? addressBucket(input.address) : "unknown"}`;
  const windowStart = new Date(now.getTime() - ANONYMOUS_WINDOW_SECONDS * 1000);
  return lockedTransaction(db, "audit", async (tx) => {
    const row = await tx.loginThrottle.findUnique({ where: { key } });
    const fresh = !row || row.windowStartedAt < windowStart;
    const recorded = fresh ? 0 : row.failures;
    const data = { failures: recorded + 1, windowStartedAt: fresh ? now : row.windowStartedAt, lockedUntil: null };
    await tx.loginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
    if (recorded < limit) return recordAuditInTransaction(tx, shrink(input));
    if (recorded > limit) return null;
    const until = new Date(data.windowStartedAt.getTime() + ANONYMOUS_WINDOW_SECONDS * 1000);
    await recordAuditInTransaction(tx, {
      actor: null,
      address: input.address,
      action: "audit.suppressed",
      outcome: "refused",
      params: { limit, windowSeconds: ANONYMOUS_WINDOW_SECONDS, until },
      error: {
        code: "ANONYMOUS_LIMIT",
        message: `Further refusals of requests without a session from this address are not recorded until ${until.toISOString()}`,
      },
    });
    return null;
  });
}
