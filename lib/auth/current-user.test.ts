import { encode } from "next-auth/jwt";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "@/lib/config";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { lockedTransaction } from "@/lib/db/transaction";
import { createSession } from "./sessions";

// A request's cookies and headers, as next/headers would give them inside Next.
const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    has: (name: string) => jar.has(name),
    set: (name: string, value: string) => void jar.set(name, value),
  }),
  headers: async () => new Headers({ host: "xendeck.test", "x-xendeck-peer-address": "192.0.2.44" }),
}));

const { getCurrentUser, requireAdmin, requireUser, userFromSessionCookies } = await import("./current-user");

const testDb = testDatabaseForEachTest("sqlite");

/** Opens a server-side session for `userId` and puts its cookie in the jar; returns the session id. */
async function signIn(userId: string, options: { maxAge?: number } = {}): Promise<string> {
  const { id } = await lockedTransaction(testDb().db, "accounts", (tx) => createSession(tx, { userId, address: "192.0.2.44", maxAgeSeconds: 3600 }));
  jar.set("next-auth.session-token", await encode({ token: { sub: userId, sid: id }, secret: getConfig().authSecret, maxAge: options.maxAge }));
  return id;
}

const redirectOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (thrown: { digest?: string }) => thrown,
  );
  return error?.digest ?? null;
};

beforeEach(() => jar.clear());

describe("current user", () => {
  it("reads the session cookie and re-loads the session and the user from the database on every call", async () => {
    const user = await testDb().db.user.create({ data: { username: "alice", passwordHash: "x" } });
    expect(await getCurrentUser()).toBeNull();

    const sessionId = await signIn(user.id);
    expect(await getCurrentUser()).toMatchObject({ id: user.id, username: "alice", isAdmin: false, grants: [], sessionId });

    await testDb().db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await getCurrentUser()).toBeNull();
    await testDb().db.user.update({ where: { id: user.id }, data: { disabled: false } });
    await testDb().db.session.update({ where: { id: sessionId }, data: { revokedAt: new Date(), revokedReason: "logout" } });
    expect(await getCurrentUser()).toBeNull();

    jar.set("next-auth.session-token", "forged-token");
    expect(await getCurrentUser()).toBeNull();
  });

  it("refuses a valid token whose session belongs to someone else", async () => {
    const alice = await testDb().db.user.create({ data: { username: "alice", passwordHash: "x" } });
    const mallory = await testDb().db.user.create({ data: { username: "mallory", passwordHash: "x" } });
    const alicesSession = await signIn(alice.id);
    jar.set("next-auth.session-token", await encode({ token: { sub: mallory.id, sid: alicesSession }, secret: getConfig().authSecret }));
    expect(await userFromSessionCookies((name) => jar.get(name))).toBeNull();
  });

  it("stops accepting a session token once it expires, though decoded tokens are remembered", async () => {
    const user = await testDb().db.user.create({ data: { username: "dave", passwordHash: "x" } });
    await signIn(user.id, { maxAge: 60 });
    expect((await getCurrentUser())?.username).toBe("dave");
    expect((await getCurrentUser())?.username).toBe("dave");
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 120_000 });
    try {
      expect(await getCurrentUser()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
    // A remembered token still goes through the database: ending the session refuses it at once.
    const sessionId = await signIn(user.id);
    expect((await getCurrentUser())?.username).toBe("dave");
    await testDb().db.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() } });
    expect(await getCurrentUser()).toBeNull();
  });

  it("redirects to the login page, the change-password page, two-factor enrolment, or 404 for non-admins", async () => {
    expect(await redirectOf(requireUser())).toMatch(/^NEXT_REDIRECT;.*;\/login;/);
    const user = await testDb().db.user.create({ data: { username: "bob", passwordHash: "x", mustChangePassword: true } });
    await signIn(user.id);
    expect(await redirectOf(requireUser())).toMatch(/;\/settings\/password;/);
    expect((await requireUser({ allowPasswordChange: true })).username).toBe("bob");

    // The admins require two-factor login for everyone: bob has none, so enrolment comes next.
    await testDb().db.setting.create({ data: { key: "two-factor-required", value: "everyone" } });
    await testDb().db.user.update({ where: { id: user.id }, data: { mustChangePassword: false } });
    expect(await redirectOf(requireUser())).toMatch(/;\/settings\/two-factor;/);
    expect(await redirectOf(requireAdmin())).toMatch(/;\/settings\/two-factor;/);
    expect((await requireUser({ allowTwoFactorEnrolment: true })).mustEnrolTwoFactor).toBe(true);
    await testDb().db.user.update({ where: { id: user.id }, data: { totpEnabledAt: new Date(), totpSecretEncrypted: "x" } });
    expect((await requireUser()).twoFactorEnabled).toBe(true);

    expect(await redirectOf(requireAdmin())).toMatch(/NEXT_HTTP_ERROR_FALLBACK;404/);
    await testDb().db.user.update({ where: { id: user.id }, data: { isAdmin: true } });
    expect((await requireAdmin()).username).toBe("bob");
  });

  it("requires two-factor of admins only when the policy says admins", async () => {
    await testDb().db.setting.create({ data: { key: "two-factor-required", value: "admins" } });
    const user = await testDb().db.user.create({ data: { username: "erin", passwordHash: "x" } });
    await signIn(user.id);
    expect((await requireUser()).mustEnrolTwoFactor).toBe(false);
    await testDb().db.user.update({ where: { id: user.id }, data: { isAdmin: true } });
    expect(await redirectOf(requireUser())).toMatch(/;\/settings\/two-factor;/);
  });
});
