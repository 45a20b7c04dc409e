import { describe, expect, it } from "vitest";
import type { JWT } from "next-auth/jwt";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { authenticate } from "./login";
import { getAuthOptions, sessionClaims } from "./options";
import { hashPassword } from "./password";
import { loadSessionUser } from "./session-user";

const testDb = testDatabaseForEachTest("sqlite", {
  XENDECK_LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
  XENDECK_LOGIN_MAX_FAILURES_PER_ADDRESS: "5",
});

const FAST = { logN: 10, r: 8, p: 1 };
const PASSWORD = "correct horse battery";

async function createUser(username: string, options: { disabled?: boolean; params?: typeof FAST } = {}) {
  return testDb().db.user.create({
    data: { username, passwordHash: await hashPassword(PASSWORD, options.params ?? FAST), disabled: options.disabled ?? false },
  });
}

const login = (username: unknown, password: unknown, address: string | null = "192.0.2.1") => authenticate({ username, password, address });

const auditTrail = async () =>
  (await testDb().db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((e) => [e.action, e.actorUsername, e.outcome, e.errorCode, e.address]);

describe("authenticate", () => {
  it("accepts the right password, records the login, and upgrades a weak hash", async () => {
    const user = await createUser("alice");
    const result = await login(" Alice ", PASSWORD);
    expect(result).toEqual({ ok: true, user: { id: user.id, username: "alice", sessionEpoch: 0 } });
    const after = await testDb().db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.lastLoginAt).toBeInstanceOf(Date);
    expect(after.passwordHash.startsWith("scrypt$15$")).toBe(true);
    expect((await login("alice", PASSWORD)).ok).toBe(true);
    expect(await auditTrail()).toEqual([
      ["auth.login", "alice", "ok", null, "192.0.2.1"],
      ["auth.login", "alice", "ok", null, "192.0.2.1"],
    ]);
  });

  it("refuses unknown users, wrong passwords, disabled accounts and junk input alike, recording why", async () => {
    await createUser("bob");
    await createUser("carol", { disabled: true });
    const results = [
      await login("nobody", PASSWORD),
      await login("bob", "wrong password"),
      await login("carol", PASSWORD),
      await login({ $ne: null }, PASSWORD),
      await login("bob", 42),
    ];
    expect(results.map((result) => result.ok)).toEqual([false, false, false, false, false]);
    expect(await auditTrail()).toEqual([
      ["auth.login", "nobody", "refused", "UNKNOWN_USER", "192.0.2.1"],
      ["auth.login", "bob", "refused", "WRONG_PASSWORD", "192.0.2.1"],
      ["auth.login", "carol", "refused", "ACCOUNT_DISABLED", "192.0.2.1"],
      ["auth.login", null, "refused", "INVALID_INPUT", "192.0.2.1"],
      ["auth.login", "bob", "refused", "INVALID_INPUT", "192.0.2.1"],
    ]);
  });

  it("locks an account after repeated failures, from any address, even for the right password", async () => {
    await createUser("dave");
    for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) expect((await login("dave", "nope nope", address)).ok).toBe(false);
    expect(await login("dave", PASSWORD, "198.51.100.9")).toEqual({ ok: false, code: "LOCKED" });

    // Attempts during the lock do not extend it.
    const { lockedUntil } = await testDb().db.loginThrottle.findUniqueOrThrow({ where: { key: "account:dave" } });
    await login("dave", "nope nope");
    expect((await testDb().db.loginThrottle.findUniqueOrThrow({ where: { key: "account:dave" } })).lockedUntil).toEqual(lockedUntil);

    // When the lockout has passed, the right password works again.
    await testDb().db.loginThrottle.update({ where: { key: "account:dave" }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await login("dave", PASSWORD, "198.51.100.9")).ok).toBe(true);
  });

  it("locks unknown usernames the same way, so a lock does not reveal whether an account exists", async () => {
    for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) await login("ghost", "nope nope", address);
    expect(await login("ghost", "nope nope", "192.0.2.4")).toEqual({ ok: false, code: "LOCKED" });
  });

  it("locks an address that fails on many accounts, without locking those accounts elsewhere", async () => {
    await createUser("erin");
    for (const name of ["u1", "u2", "u3", "u4", "u5"]) await login(name, "nope nope", "203.0.113.66");
    expect(await login("erin", PASSWORD, "203.0.113.66")).toEqual({ ok: false, code: "LOCKED" });
    expect((await login("erin", PASSWORD, "203.0.113.67")).ok).toBe(true);
  });

  it("starts the account count again after a successful login", async () => {
    await createUser("frank");
    await login("frank", "nope nope");
    await login("frank", "nope nope");
    expect((await login("frank", PASSWORD)).ok).toBe(true);
    await login("frank", "nope nope");
    await login("frank", "nope nope");
    expect((await login("frank", PASSWORD)).ok).toBe(true);
  });
});

describe("session tokens", () => {
  it("hold only the user id and the session epoch", async () => {
    const { jwt, session } = getAuthOptions().callbacks!;
    const signedIn = (await jwt!({
      token: { name: "alice", email: "a@example.net", picture: "p", sub: "x" },
      user: { id: "user-1", name: "alice", epoch: 4 } as never,
      account: null,
    })) as JWT;
    expect(signedIn).toEqual({ sub: "user-1", epoch: 4 });
    const refreshed = await jwt!({ token: { ...signedIn, name: "injected", iat: 1 }, user: undefined as never, account: null });
    expect(refreshed).toEqual({ sub: "user-1", epoch: 4 });
    const sessionObject = await session!({ session: { expires: "2030-01-01T00:00:00.000Z" }, token: signedIn } as never);
    expect(sessionObject).toEqual({ expires: "2030-01-01T00:00:00.000Z", userId: "user-1", epoch: 4 });
    expect(sessionClaims(sessionObject as never)).toEqual({ userId: "user-1", epoch: 4 });
    expect(sessionClaims({ sub: "user-1" })).toBeNull();
    expect(sessionClaims({ sub: "user-1", epoch: "4" })).toBeNull();
  });
});

describe("loadSessionUser", () => {
  it("resolves direct and group grants, and ends sessions on disable, epoch change or deletion", async () => {
    const db = testDb().db;
    const user = await createUser("grace");
    const group = await db.group.create({ data: { name: "ops", members: { create: { userId: user.id } } } });
    await db.acl.create({ data: { userId: user.id, objectKind: "vm", objectUuid: "vm-1", objectLabel: "web", role: "operator", createdBy: "admin" } });
    await db.acl.create({ data: { groupId: group.id, objectKind: "pool", objectUuid: "pool-1", role: "viewer", createdBy: "admin" } });

    const current = await loadSessionUser(user.id, 0);
    expect(current).toMatchObject({ id: user.id, username: "grace", isAdmin: false, mustChangePassword: false });
    expect(current).not.toHaveProperty("passwordHash");
    expect(current!.grants.map(({ objectKind, objectUuid, role, via }) => ({ objectKind, objectUuid, role, via }))).toEqual([
      { objectKind: "vm", objectUuid: "vm-1", role: "operator", via: { type: "user" } },
      { objectKind: "pool", objectUuid: "pool-1", role: "viewer", via: { type: "group", groupId: group.id, groupName: "ops" } },
    ]);

    expect(await loadSessionUser(user.id, 1)).toBeNull();
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await loadSessionUser(user.id, 0)).toBeNull();
    await db.user.update({ where: { id: user.id }, data: { disabled: false, sessionEpoch: 1 } });
    expect(await loadSessionUser(user.id, 0)).toBeNull();
    expect(await loadSessionUser(user.id, 1)).not.toBeNull();
    await db.user.delete({ where: { id: user.id } });
    expect(await loadSessionUser(user.id, 1)).toBeNull();
  });
});
