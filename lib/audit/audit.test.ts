import { describe, expect, it } from "vitest";
import type { CurrentUser } from "@/lib/auth/session-user";
import { spawn } from "node:child_process";
import { REPO_ROOT } from "@/lib/db/schema-files";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { GENESIS_HASH } from "./chain";
import { sanitizeParams } from "./params";
import { exportAudit, queryAudit } from "./query";
import { recordAudit, type AuditInput } from "./record";
import { verifyAuditChain } from "./verify";

const alice: CurrentUser = { id: "u-alice", username: "alice", displayName: "Alice", isAdmin: true, mustChangePassword: false, grants: [] };
const bob: CurrentUser = { id: "u-bob", username: "bob", displayName: "Bob", isAdmin: false, mustChangePassword: false, grants: [] };

const entry = (overrides: Partial<AuditInput> = {}): AuditInput => ({
  actor: bob,
  address: "192.0.2.7",
  action: "vm.start",
  object: { kind: "vm", uuid: "vm-1", label: "web-1" },
  outcome: "ok",
  ...overrides,
});

/** Runs lib/dev/test/audit-append.ts in its own process (another app instance) against `url`. */
function runAppendFixture(url: string, name: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/dev/test/audit-append.ts", name, String(count)], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`append fixture ${name} failed (${code}): ${stderr}`))));
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("params sanitising", () => {
  it("drops secret-looking keys at any depth and keeps the rest", () => {
    const json = sanitizeParams({
      label: "lab",
      password: "hunter2",
      nested: { apiKey: "k", token: "t", list: [{ secret: "s", keep: 1 }], when: new Date("2024-01-02T03:04:05Z") },
      Authorization: "Bearer x",
      fn: () => 1,
      big: 10n,
    });
    expect(JSON.parse(json)).toEqual({ label: "lab", nested: { list: [{ keep: 1 }], when: "2024-01-02T03:04:05.000Z" }, big: "10" });
    expect(json).not.toMatch(/hunter2|Bearer|"k"|"t"|"s"/);
  });

  it("bounds the size of what is stored", () => {
    expect(sanitizeParams({ text: "x".repeat(5000) }).length).toBeLessThan(1100);
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, "y".repeat(900)]));
    expect(JSON.parse(sanitizeParams(many))).toEqual({ truncated: true, size: expect.any(Number) });
    expect(sanitizeParams(null)).toBe("{}");
  });
});

describe.each(["sqlite", "postgresql"] as const)("audit log on %s", (provider) => {
  const testDb = testDatabaseForEachTest(provider);

  it("chains entries from the genesis hash and verifies", async () => {
    const first = await recordAudit(entry({ params: { force: false, password: "nope" } }));
    const second = await recordAudit(
      entry({ action: "vm.shutdown.hard", outcome: "error", error: { code: "VM_BAD_POWER_STATE", message: "The VM is halted" }, taskRef: "OpaqueRef:t1" }),
    );
    const third = await recordAudit({ actor: null, attemptedUsername: "mallory", address: "198.51.100.1", action: "auth.login", outcome: "refused" });

    expect([first.id, second.id, third.id]).toEqual([1, 2, 3]);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(third.prevHash).toBe(second.hash);
    expect(first.params).toEqual({ force: false });
    expect(third).toMatchObject({ actorId: null, actorUsername: "mallory", outcome: "refused" });
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 3 });
  });

  it("verifies an empty log", async () => {
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 0 });
  });

  it("refuses invalid action names and outcomes, writing nothing", async () => {
    await expect(recordAudit(entry({ action: "" }))).rejects.toThrow(/action/);
    await expect(recordAudit(entry({ outcome: "maybe" as never }))).rejects.toThrow(/outcome/);
    expect(await testDb().db.auditEntry.count()).toBe(0);
  });

  it("names the row edited behind its back", async () => {
    for (let i = 0; i < 5; i++) await recordAudit(entry({ params: { i } }));
    await testDb().db.$executeRawUnsafe(`UPDATE "AuditEntry" SET "outcome" = 'error' WHERE "id" = 3`);
    expect(await verifyAuditChain()).toEqual({ ok: false, firstBrokenId: 3, reason: expect.stringMatching(/#3 was modified/) });
  });

  it("names the first row whose link breaks when an edited row was re-hashed", async () => {
    for (let i = 0; i < 4; i++) await recordAudit(entry({ params: { i } }));
    await testDb().db.$executeRawUnsafe(`UPDATE "AuditEntry" SET "hash" = 'f00d' WHERE "id" = 2`);
    const result = await verifyAuditChain();
    // Row 2's own hash no longer matches its content either way: it is the first broken one.
    expect(result).toMatchObject({ ok: false, firstBrokenId: 2 });
  });

  it("names deleted and inserted rows", async () => {
    for (let i = 0; i < 4; i++) await recordAudit(entry({ params: { i } }));
    await testDb().db.$executeRawUnsafe(`DELETE FROM "AuditEntry" WHERE "id" = 2`);
    expect(await verifyAuditChain()).toEqual({ ok: false, firstBrokenId: 2, reason: "Entry #2 is missing (deleted from the log)" });
    await testDb().db.$executeRawUnsafe(
      `INSERT INTO "AuditEntry" ("id", "at", "action", "params", "outcome", "prevHash", "hash") SELECT 0, "at", 'x', '{}', 'ok', 'a', 'b' FROM "AuditEntry" WHERE "id" = 1`,
    );
    expect(await verifyAuditChain()).toMatchObject({ ok: false, firstBrokenId: 0 });
  });

  it("stays one valid chain under concurrent appends in one instance", async () => {
    const entries = await Promise.all(Array.from({ length: 30 }, (_, i) => recordAudit(entry({ params: { i } }))));
    expect(entries.map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 30 });
  });

  it("stays one valid chain under concurrent appends from several app instances (processes)", async () => {
    const instances = ["a", "b"].map((name) => runAppendFixture(testDb().url, name, 20));
    await recordAudit(entry());
    await Promise.all(instances);
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 41 });
    const perInstance = await testDb().db.auditEntry.groupBy({ by: ["action"], _count: true });
    expect(Object.fromEntries(perInstance.map((row) => [row.action, row._count]))).toEqual({ "test.append": 40, "vm.start": 1 });
  });

  it("filters and paginates; users see only their own entries", async () => {
    await recordAudit(entry({ actor: alice, action: "user.create", object: { kind: "user", uuid: "u-bob", label: "bob" } }));
    await recordAudit(entry({ action: "vm.start" }));
    await recordAudit(entry({ action: "vm.shutdown.hard", outcome: "refused", object: { kind: "vm", uuid: "vm-2" } }));
    await recordAudit(entry({ actor: alice, action: "vm.delete", outcome: "error", object: { kind: "vm", uuid: "vm-2" } }));

    const page = async (filter: Parameters<typeof queryAudit>[1], actor = alice, paging = {}) => {
      const result = await queryAudit(actor, filter, paging);
      if (!result.ok) throw new Error(result.error);
      return result.result;
    };
    expect((await page({})).entries.map((e) => e.id)).toEqual([4, 3, 2, 1]);
    expect((await page({ user: "BOB" })).entries.map((e) => e.id)).toEqual([3, 2]);
    expect((await page({ action: "vm.*" })).entries.map((e) => e.id)).toEqual([4, 3, 2]);
    expect((await page({ action: "vm.start" })).entries.map((e) => e.id)).toEqual([2]);
    expect((await page({ outcome: "refused" })).entries.map((e) => e.id)).toEqual([3]);
    expect((await page({ objectUuid: "vm-2", objectKind: "vm" })).entries.map((e) => e.id)).toEqual([4, 3]);
    // The audit page's object filter: a uuid, or the name the entry recorded.
    expect((await page({ object: "vm-2" })).entries.map((e) => e.id)).toEqual([4, 3]);
    expect((await page({ object: "bob" })).entries.map((e) => e.id)).toEqual([1]);
    expect((await page({ object: "nobody" })).total).toBe(0);
    expect((await page({ from: new Date(Date.now() + 60_000).toISOString() })).total).toBe(0);
    expect((await page({ to: new Date(Date.now() + 60_000).toISOString(), from: "2000-01-01" })).total).toBe(4);

    const paged = await page({}, alice, { page: 2, pageSize: 3 });
    expect(paged).toMatchObject({ total: 4, page: 2, pageSize: 3, pageCount: 2 });
    expect(paged.entries.map((e) => e.id)).toEqual([1]);
    expect((await page({}, alice, { page: 99, pageSize: 3 })).page).toBe(2);

    expect((await page({}, bob)).entries.map((e) => e.id)).toEqual([3, 2]);
    expect((await page({ user: "alice" }, bob)).total).toBe(0);
    expect((await page({ actorId: "u-alice" }, bob)).total).toBe(0);

    const invalid = await queryAudit(alice, { from: "not a date", outcome: "bad" as never });
    expect(invalid).toMatchObject({ ok: false, fieldErrors: { from: ["Not a valid date"], outcome: expect.any(Array) } });
  });

  it("exports CSV and JSON streams of the filtered entries, and audits the export", async () => {
    await recordAudit(entry({ object: { kind: "vm", uuid: "vm-1", label: '=HYPERLINK("x"), "quoted"' } }));
    await recordAudit(entry({ actor: alice, action: "pool.register", object: { kind: "pool-registration", uuid: "p1", label: "lab" } }));

    const csv = await readAll(await exportAudit(alice, { user: "bob" }, "csv", { address: "203.0.113.9" }));
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "id,at,actorUsername,actorId,address,action,objectKind,objectUuid,objectLabel,poolId,outcome,errorCode,errorText,taskRef,params,prevHash,hash",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x""), ""quoted"""`);

    const json = JSON.parse(await readAll(await exportAudit(alice, {}, "json")));
    expect(json.map((e: { action: string }) => e.action)).toEqual(["vm.start", "pool.register", "audit.export", "audit.export"]);
    expect(json[2]).toMatchObject({ actorUsername: "alice", params: { format: "csv", user: "bob" }, address: "203.0.113.9" });

    // Bob reads only his own entries: his VM start and his own export.
    expect(JSON.parse(await readAll(await exportAudit(bob, {}, "json"))).map((e: { id: number }) => e.id)).toEqual([1, 5]);
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 5 });
  });

  it("exports large logs across batches", async () => {
    const db = testDb().db;
    for (let i = 0; i < 510; i++) await recordAudit(entry({ params: { i } }), db);
    const json = JSON.parse(await readAll(await exportAudit(alice, { action: "vm.start" }, "json")));
    expect(json).toHaveLength(510);
    expect(json.at(-1).params).toEqual({ i: 509 });
    const csv = await readAll(await exportAudit(alice, { action: "vm.start" }, "csv"));
    expect(csv.trimEnd().split("\r\n")).toHaveLength(511);
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 512 });
    expect(JSON.parse(await readAll(await exportAudit(alice, { action: "nothing.matches" }, "json")))).toEqual([]);
  });
});
