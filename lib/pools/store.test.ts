import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyAuditChain } from "@/lib/audit/verify";
import { runAction } from "@/lib/actions/define";
import { recordChangesAs } from "@/lib/audit/record";
import { loadActor, type CurrentUser } from "@/lib/auth/session-user";
import { changePoolEnabled, editPool, registerPool, unregisterPool } from "./actions";
import { createPool, getPool, listPools, loadPoolConnectionConfigs, removePool, setPoolEnabled, storedConnectionConfig, updatePool } from "./store";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";

const FINGERPRINT = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";
const lab = {
  label: "lab",
  url: "https://xcp-lab-1.example.net",
  username: "root",
  password: "S3cret-pool-password",
  fingerprint: FINGERPRINT.replaceAll(":", ""),
  readOnly: "on",
  xapiPoolUuid: "0F0E8A7B-1111-2222-3333-444455556666",
};

describe.each(["sqlite", "postgresql"] as const)("registered pools on %s", (provider) => {
  const testDb = testDatabaseForEachTest(provider);
  afterEach(() => vi.restoreAllMocks());

  const as = recordChangesAs;

  async function seedUser(username: string, isAdmin: boolean): Promise<CurrentUser> {
    const row = await testDb().db.user.create({ data: { username, isAdmin, passwordHash: "x" } });
    return (await loadActor(row.id))!;
  }

  it("stores the password only encrypted and never returns it in DTOs or the audit log", async () => {
    const admin = await seedUser("root", true);
    const created = await createPool(lab, as(admin, "pool.register"));
    expect(created).toMatchObject({
      ok: true,
      pool: {
        label: "lab",
        url: "https://xcp-lab-1.example.net",
        fingerprint: FINGERPRINT.toUpperCase(),
        readOnly: true,
        enabled: true,
        xapiPoolUuid: "0f0e8a7b-1111-2222-3333-444455556666",
      },
    });
    if (!created.ok) throw new Error(created.error);
    expect(created.pool).not.toHaveProperty("passwordEncrypted");
    expect(created.pool).not.toHaveProperty("password");

    const raw = await testDb().db.pool.findUniqueOrThrow({ where: { id: created.pool.id } });
    expect(raw.passwordEncrypted).toMatch(/^v1\./);
    expect(raw.passwordEncrypted).not.toContain(lab.password);
    const everything = JSON.stringify([await listPools(admin), await getPool(admin, created.pool.id), await testDb().db.auditEntry.findMany()]);
    expect(everything).not.toContain(lab.password);
    expect(everything).not.toContain(raw.passwordEncrypted);

    expect(await loadPoolConnectionConfigs()).toEqual([
      { id: created.pool.id, label: "lab", url: lab.url, username: "root", password: lab.password, fingerprint: FINGERPRINT.toUpperCase(), readOnly: true },
    ]);
    const audit = await testDb().db.auditEntry.findFirstOrThrow({ where: { action: "pool.register" } });
    expect(audit).toMatchObject({
      actorUsername: "root",
      objectKind: "pool",
      objectUuid: "0f0e8a7b-1111-2222-3333-444455556666",
      objectLabel: "lab",
      poolId: created.pool.id,
    });
  });

  it("refuses the same pool twice, a used label, and invalid fields, saying why", async () => {
    const admin = await seedUser("root", true);
    await createPool(lab, as(admin, "pool.register"));
    expect(await createPool({ ...lab, label: "lab again", xapiPoolUuid: lab.xapiPoolUuid.toLowerCase() }, as(admin, "pool.register"))).toMatchObject({
      ok: false,
      error: "This pool is already registered as “lab”.",
    });
    expect(await createPool({ ...lab, xapiPoolUuid: "11111111-2222-3333-4444-555555555555" }, as(admin, "pool.register"))).toMatchObject({
      ok: false,
      fieldErrors: { label: ["Another pool has this label"] },
    });
    const invalid = await createPool(
      { label: " ", url: "ftp://host", username: "", password: "", fingerprint: "12:34", xapiPoolUuid: "not a uuid" },
      as(admin, "pool.register"),
    );
    expect(invalid).toMatchObject({
      ok: false,
      fieldErrors: {
        label: ["Label is required"],
        url: [expect.stringMatching(/http:\/\/ or https:\/\//)],
        username: ["Username is required"],
        password: ["Password is required"],
        fingerprint: [expect.stringMatching(/64 hexadecimal digits/)],
        xapiPoolUuid: ["Not a XAPI pool uuid"],
      },
    });
    expect(JSON.stringify(invalid)).not.toContain(lab.password);
    expect(await testDb().db.pool.count()).toBe(1);
  });

  it("updates a registration, keeping the stored password unless a new one is given", async () => {
    const admin = await seedUser("root", true);
    const created = await createPool(lab, as(admin, "pool.register"));
    if (!created.ok) throw new Error(created.error);
    const id = created.pool.id;

    expect(await updatePool(id, { label: "lab-1", password: "", fingerprint: "" }, as(admin, "pool.update"))).toMatchObject({
      ok: true,
      pool: { label: "lab-1", fingerprint: null },
    });
    expect((await storedConnectionConfig(id))?.password).toBe(lab.password);
    expect(await updatePool(id, { password: "new pool password", readOnly: "false" }, as(admin, "pool.update"))).toMatchObject({
      ok: true,
      pool: { readOnly: false },
    });
    expect((await storedConnectionConfig(id))?.password).toBe("new pool password");

    const updates = await testDb().db.auditEntry.findMany({ where: { action: "pool.update" }, orderBy: { id: "asc" } });
    expect(updates.map((e) => JSON.parse(e.params))).toEqual([
      { label: "lab-1", fingerprint: null },
      { readOnly: false, replaced: ["password"] },
    ]);
    expect(JSON.stringify(updates)).not.toContain("new pool password");
    expect(await updatePool("missing", { label: "x" }, as(admin, "pool.update"))).toMatchObject({
      ok: false,
      error: "This pool registration no longer exists.",
    });
  });

  it("connects only enabled pools, and skips a password that cannot be decrypted without revealing it", async () => {
    const admin = await seedUser("root", true);
    const a = await createPool(lab, as(admin, "pool.register"));
    const b = await createPool({ ...lab, label: "prod", xapiPoolUuid: "99999999-2222-3333-4444-555555555555" }, as(admin, "pool.register"));
    if (!a.ok || !b.ok) throw new Error("setup failed");
    expect((await loadPoolConnectionConfigs()).map((config) => config.label)).toEqual(["lab", "prod"]);

    expect(await setPoolEnabled(a.pool.id, false, as(admin, "pool.disable"))).toMatchObject({ ok: true, pool: { enabled: false } });
    expect((await loadPoolConnectionConfigs()).map((config) => config.label)).toEqual(["prod"]);
    expect(await setPoolEnabled(a.pool.id, true, as(admin, "pool.enable"))).toMatchObject({ ok: true, pool: { enabled: true } });

    const stored = (await testDb().db.pool.findUniqueOrThrow({ where: { id: b.pool.id } })).passwordEncrypted;
    const tampered = stored.slice(0, -2) + (stored.endsWith("AA") ? "BB" : "AA");
    await testDb().db.pool.update({ where: { id: b.pool.id }, data: { passwordEncrypted: tampered } });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await loadPoolConnectionConfigs()).map((config) => config.label)).toEqual(["lab"]);
    expect(errors).toHaveBeenCalledTimes(1);
    const logged = String(errors.mock.calls[0]![0]);
    expect(logged).toContain("“prod”");
    expect(logged).not.toContain(tampered);
    expect(logged).not.toContain(lab.password);
  });

  it("removes a registration", async () => {
    const admin = await seedUser("root", true);
    const created = await createPool(lab, as(admin, "pool.register"));
    if (!created.ok) throw new Error(created.error);
    expect(await removePool(created.pool.id, as(admin, "pool.remove"))).toEqual({ ok: true });
    expect(await listPools(admin)).toEqual([]);
    expect(await removePool(created.pool.id, as(admin, "pool.remove"))).toMatchObject({ ok: false });
    expect((await testDb().db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((e) => e.action)).toEqual(["pool.register", "pool.remove"]);
    expect(await verifyAuditChain()).toEqual({ ok: true, count: 2 });
  });

  it("keeps registrations to global admins, auditing refusals", async () => {
    const admin = await seedUser("root", true);
    const created = await createPool(lab, as(admin, "pool.register"));
    if (!created.ok) throw new Error(created.error);
    const operator = await seedUser("operator", false);
    const id = created.pool.id;
    const refused = { ok: false, error: "You are not allowed to do this.", code: "NOT_ALLOWED" };
    const { password, url, username } = lab;
    expect(await runAction(registerPool, { actor: operator, input: { label: "mine", url, username, password } })).toEqual(refused);
    expect(await runAction(editPool, { actor: operator, input: { poolId: id, label: "lab", url: "https://evil.example.net", username } })).toEqual(refused);
    expect(await runAction(changePoolEnabled, { actor: operator, input: { poolId: id, enabled: false } })).toEqual(refused);
    expect(await runAction(unregisterPool, { actor: operator, input: { poolId: id } })).toEqual(refused);
    expect(await listPools(operator)).toEqual([]);
    expect(await getPool(operator, id)).toBeNull();
    expect(await testDb().db.pool.findUniqueOrThrow({ where: { id } })).toMatchObject({ url: lab.url, enabled: true });
    const refusals = await testDb().db.auditEntry.findMany({ where: { outcome: "refused" } });
    expect(refusals.map((e) => [e.action, e.actorUsername, JSON.parse(e.params).operation])).toEqual([
      ["pools.register", "operator", "register"],
      ["pools.register", "operator", "update"],
      ["pools.register", "operator", "disable"],
      ["pools.register", "operator", "remove"],
    ]);
  });
});
