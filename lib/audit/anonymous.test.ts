import { describe, expect, it } from "vitest";
import { createDbClient } from "@/lib/db/client";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { ANONYMOUS_WINDOW_SECONDS, recordAnonymousAudit } from "./anonymous";
import type { AuditInput } from "./record";
import { verifyAuditChain } from "./verify";

const LIMIT = 5;

const forged = (address: string | null, overrides: Partial<AuditInput> = {}): AuditInput => ({
  actor: null,
  address,
  action: "acl.manage",
  outcome: "refused",
  error: { code: "NOT_SIGNED_IN", message: "Your session has ended. Please sign in again." },
  ...overrides,
});

describe.each(["sqlite", "postgresql"] as const)("audit entries of requests without a session, on %s", (provider) => {
  const testDb = testDatabaseForEachTest(provider, { XENDECK_AUDIT_ANONYMOUS_MAX_PER_ADDRESS: String(LIMIT) });
  const entries = async () =>
    (await testDb().db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((entry) => [entry.action, entry.address, entry.errorCode]);

  it("records a limited number per address and window, says once that the rest is not recorded, and keeps the chain valid", async () => {
    const now = new Date();
    const results = [];
    for (let i = 0; i < LIMIT + 10; i++) results.push(await recordAnonymousAudit(forged("203.0.113.5"), undefined, now));
    expect(results.filter(Boolean)).toHaveLength(LIMIT);
    // Another address has its own allowance.
    expect(await recordAnonymousAudit(forged("198.51.100.1"), undefined, now)).not.toBeNull();

    expect(await entries()).toEqual([
      ...Array(LIMIT).fill(["acl.manage", "203.0.113.5", "NOT_SIGNED_IN"]),
      ["audit.suppressed", "203.0.113.5", "ANONYMOUS_LIMIT"],
      ["acl.manage", "198.51.100.1", "NOT_SIGNED_IN"],
    ]);
    expect(await verifyAuditChain()).toEqual({ ok: true, count: LIMIT + 2 });

    // The next window records again.
    const later = new Date(now.getTime() + ANONYMOUS_WINDOW_SECONDS * 1000 + 1000);
    expect(await recordAnonymousAudit(forged("203.0.113.5"), undefined, later)).not.toBeNull();
  });

  it("counts an IPv6 block and unknown addresses as one each", async () => {
    for (let i = 1; i <= LIMIT + 1; i++) await recordAnonymousAudit(forged(`2001:db8:5:6::${i}`));
    expect(await recordAnonymousAudit(forged("2001:db8:5:6:ffff::1"))).toBeNull();
    for (let i = 0; i <= LIMIT; i++) await recordAnonymousAudit(forged(null));
    expect(await recordAnonymousAudit(forged(null))).toBeNull();
    expect(await testDb().db.auditEntry.count({ where: { action: "audit.suppressed" } })).toBe(2);
  });

  it("keeps each entry small", async () => {
    const entry = await recordAnonymousAudit(
      forged("203.0.113.9", {
        action: "auth.login",
        attemptedUsername: "u".repeat(5000),
        params: { input: { blob: "x".repeat(900), more: "y".repeat(900) } },
        error: { code: "WRONG_PASSWORD", message: "m".repeat(5000) },
      }),
    );
    expect(entry!.actorUsername!.length).toBeLessThanOrEqual(201);
    expect(entry!.errorText!.length).toBeLessThanOrEqual(201);
    expect(entry!.params).toEqual({ input: { blob: `${"x".repeat(200)}…`, more: `${"y".repeat(200)}…` } });
    const huge = await recordAnonymousAudit(
      forged("203.0.113.9", { params: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "z".repeat(100)])) }),
    );
    expect(huge!.params).toEqual({ truncated: true, size: expect.any(Number) });
  });

  // Several instances share a database on PostgreSQL only (SQLite is the one-instance setup).
  if (provider === "postgresql")
    it("holds the limit across app instances sharing the database", async () => {
      const other = createDbClient(testDb().url);
      try {
        await Promise.all(Array.from({ length: 2 * LIMIT }, (_, i) => recordAnonymousAudit(forged("192.0.2.77"), i % 2 === 0 ? testDb().db : other)));
        expect(await testDb().db.auditEntry.count({ where: { address: "192.0.2.77", action: "acl.manage" } })).toBe(LIMIT);
        expect(await testDb().db.auditEntry.count({ where: { action: "audit.suppressed" } })).toBe(1);
        expect(await verifyAuditChain()).toMatchObject({ ok: true });
      } finally {
        await other.$disconnect();
      }
    });
});
