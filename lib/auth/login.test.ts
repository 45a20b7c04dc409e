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
  XENDECK_LOGIN_ACCOUNT_SLOWDOWN_FAILURES: "4",
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
  it("accepts the right password, opens a session, records the login, and upgrades a weak hash", async () => {
    const user = await createUser("alice");
    const result = await authenticate({
      username: " Alice ",
      password: PASSWORD,
      address: "192.0.2.1",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    });
    expect(result).toEqual({ ok: true, user: { id: user.id, username: "alice" }, sessionId: expect.stringMatching(/^[\w-]{43}$/) });
    const session = await testDb().db.session.findUniqueOrThrow({ where: { id: result.ok ? result.sessionId : "" } });
    expect(session).toMatchObject({ userId: user.id, address: "192.0.2.1", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", revokedAt: null });
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
    expect(await testDb().db.session.count()).toBe(0);
  });
});

describe("login throttling", () => {
  it("locks an account for the address that failed on it, and only for that address", async () => {
    await createUser("dave");
    for (let i = 0; i < 3; i++) expect((await login("dave", "nope nope", "203.0.113.66")).ok).toBe(false);
    expect(await login("dave", PASSWORD, "203.0.113.66")).toEqual({ ok: false, code: "LOCKED" });
    // The attacker's failures did not lock the owner out.
    expect((await login("dave", PASSWORD, "198.51.100.9")).ok).toBe(true);

    // Attempts during the lock do not extend it.
    const key = "pair:dave|203.0.113.66";
    const { lockedUntil } = await testDb().db.loginThrottle.findUniqueOrThrow({ where: { key } });
    await login("dave", "nope nope", "203.0.113.66");
    expect((await testDb().db.loginThrottle.findUniqueOrThrow({ where: { key } })).lockedUntil).toEqual(lockedUntil);

    // When the lockout has passed, the right password works again from there too.
    await testDb().db.loginThrottle.update({ where: { key }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await login("dave", PASSWORD, "203.0.113.66")).ok).toBe(true);
  });

  it("counts an IPv6 client per /64, so rotating addresses in its block does not buy more guesses", async () => {
    await createUser("ivan");
    for (const address of ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:0db8:0001:0002:ffff::3"]) await login("ivan", "nope nope", address);
    expect(await login("ivan", PASSWORD, "2001:db8:1:2:aaaa::4")).toEqual({ ok: false, code: "LOCKED" });
    expect((await login("ivan", PASSWORD, "2001:db8:1:3::1")).ok).toBe(true);
  });

  it("holds off unknown addresses after many failures from everywhere, while known addresses still sign in", async () => {
    await createUser("erin");
    expect((await login("erin", PASSWORD, "198.51.100.20")).ok).toBe(true); // erin's office: a known address
    for (const address of ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]) await login("erin", "nope nope", address);

    expect(await login("erin", PASSWORD, "203.0.113.99")).toEqual({ ok: false, code: "ACCOUNT_THROTTLED" });
    expect((await login("erin", PASSWORD, "198.51.100.20")).ok).toBe(true);
    // The owner signing in does not end the hold-off for the attacker.
    expect(await login("erin", PASSWORD, "203.0.113.98")).toEqual({ ok: false, code: "ACCOUNT_THROTTLED" });
    expect((await auditTrail()).filter(([, , , code]) => code === "ACCOUNT_THROTTLED")).toHaveLength(2);
  });

  it("locks unknown usernames the same way, so a lock does not reveal whether an account exists", async () => {
    for (let i = 0; i < 3; i++) await login("ghost", "nope nope", "192.0.2.7");
    expect(await login("ghost", "nope nope", "192.0.2.7")).toEqual({ ok: false, code: "LOCKED" });
    for (const address of ["192.0.2.8", "192.0.2.9"]) await login("ghost", "nope nope", address);
    expect(await login("ghost", "nope nope", "192.0.2.10")).toEqual({ ok: false, code: "ACCOUNT_THROTTLED" });
  });

  it("locks an address that fails on many accounts, without locking those accounts elsewhere", async () => {
    await createUser("frank");
    for (const name of ["u1", "u2", "u3", "u4", "u5"]) await login(name, "nope nope", "203.0.113.66");
    expect(await login("frank", PASSWORD, "203.0.113.66")).toEqual({ ok: false, code: "LOCKED" });
    expect((await login("frank", PASSWORD, "203.0.113.67")).ok).toBe(true);
  });

  it("starts the pair's count again after a successful login", async () => {
    await createUser("gina");
    await login("gina", "nope nope");
    await login("gina", "nope nope");
    expect((await login("gina", PASSWORD)).ok).toBe(true);
    await login("gina", "nope nope");
    await login("gina", "nope nope");
    expect((await login("gina", PASSWORD)).ok).toBe(true);
  });
});

describe("session tokens", () => {
  it("hold only the user id and the session id", async () => {
    const { jwt, session } = getAuthOptions().callbacks!;
    const signedIn = (await jwt!({
      token: { name: "alice", email: "a@example.net", picture: "p", sub: "x" },
      user: { id: "user-1", name: "alice", sid: "session-1" } as never,
      account: null,
    })) as JWT;
    expect(signedIn).toEqual({ sub: "user-1", sid: "session-1" });
    const refreshed = await jwt!({ token: { ...signedIn, name: "injected", iat: 1 }, user: undefined as never, account: null });
    expect(refreshed).toEqual({ sub: "user-1", sid: "session-1" });
    const sessionObject = await session!({ session: { expires: "2030-01-01T00:00:00.000Z" }, token: signedIn } as never);
    expect(sessionObject).toEqual({ expires: "2030-01-01T00:00:00.000Z", userId: "user-1" });
    expect(sessionClaims(signedIn)).toEqual({ userId: "user-1", sessionId: "session-1" });
    expect(sessionClaims({ sub: "user-1" })).toBeNull();
    expect(sessionClaims({ sub: "user-1", sid: 4 })).toBeNull();
  });

  it("end on the server at logout", async () => {
    await createUser("hana");
    const result = await login("hana", PASSWORD);
    if (!result.ok) throw new Error(result.code);
    expect(await loadSessionUser(result.sessionId)).not.toBeNull();
    await getAuthOptions().events!.signOut!({ token: { sub: result.user.id, sid: result.sessionId }, session: null as never });
    expect(await loadSessionUser(result.sessionId)).toBeNull();
    expect(await testDb().db.session.findUniqueOrThrow({ where: { id: result.sessionId } })).toMatchObject({ revokedReason: "logout" });
    expect((await auditTrail()).at(-1)).toEqual(["auth.logout", "hana", "ok", null, null]);
  });
});

describe("loadSessionUser", () => {
  it("resolves direct and group grants, and refuses ended, expired, disabled and deleted sessions", async () => {
    const db = testDb().db;
    const user = await createUser("grace");
    const group = await db.group.create({ data: { name: "ops", members: { create: { userId: user.id } } } });
    await db.acl.create({ data: { userId: user.id, objectKind: "vm", objectUuid: "vm-1", objectLabel: "web", role: "operator", createdBy: "admin" } });
    await db.acl.create({ data: { groupId: group.id, objectKind: "pool", objectUuid: "pool-1", role: "viewer", createdBy: "admin" } });
    const signIn = async () => {
      const result = await login("grace", PASSWORD);
      if (!result.ok) throw new Error(result.code);
      return result.sessionId;
    };

    const sessionId = await signIn();
    const current = await loadSessionUser(sessionId);
    expect(current).toMatchObject({ id: user.id, username: "grace", isAdmin: false, mustChangePassword: false, sessionId, mustEnrolTwoFactor: false });
    expect(current).not.toHaveProperty("passwordHash");
    expect(current!.grants.map(({ objectKind, objectUuid, role, via }) => ({ objectKind, objectUuid, role, via }))).toEqual([
      { objectKind: "vm", objectUuid: "vm-1", role: "operator", via: { type: "user" } },
      { objectKind: "pool", objectUuid: "pool-1", role: "viewer", via: { type: "group", groupId: group.id, groupName: "ops" } },
    ]);

    expect(await loadSessionUser("no-such-session")).toBeNull();
    await db.session.update({ where: { id: sessionId }, data: { revokedAt: new Date(), revokedReason: "logout" } });
    expect(await loadSessionUser(sessionId)).toBeNull();

    const expiring = await signIn();
    await db.session.update({ where: { id: expiring }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await loadSessionUser(expiring)).toBeNull();

    const live = await signIn();
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await loadSessionUser(live)).toBeNull();
    await db.user.update({ where: { id: user.id }, data: { disabled: false } });
    expect(await loadSessionUser(live)).not.toBeNull();
    await db.user.delete({ where: { id: user.id } });
    expect(await loadSessionUser(live)).toBeNull();
  });

  it("records when a session was last seen, at most once a minute", async () => {
    await createUser("kate");
    const result = await login("kate", PASSWORD);
    if (!result.ok) throw new Error(result.code);
    const lastSeen = async () => (await testDb().db.session.findUniqueOrThrow({ where: { id: result.sessionId } })).lastSeenAt.getTime();
    const opened = await lastSeen();

    await loadSessionUser(result.sessionId, testDb().db, new Date(opened + 30_000));
    expect(await lastSeen()).toBe(opened);
    await loadSessionUser(result.sessionId, testDb().db, new Date(opened + 61_000));
    expect(await lastSeen()).toBe(opened + 61_000);
  });
});
