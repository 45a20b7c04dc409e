import { encode, decode } from "next-auth/jwt";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "@/lib/config";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";

// A request's cookies and headers, as next/headers would give them inside Next.
const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    has: (name: string) => jar.has(name),
    set: (name: string, value: string) => void jar.set(name, value),
  }),
  headers: async () => new Headers({ host: "xendeck.test", "x-forwarded-for": "192.0.2.44" }),
}));

const { getCurrentUser, renewSession, requireAdmin, requireUser } = await import("./current-user");

const testDb = testDatabaseForEachTest("sqlite");

async function signIn(userId: string, epoch: number) {
  jar.set("next-auth.session-token", await encode({ token: { sub: userId, epoch }, secret: getConfig().authSecret }));
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
  it("reads the session cookie and re-loads the user from the database on every call", async () => {
    const user = await testDb().db.user.create({ data: { username: "alice", passwordHash: "x" } });
    expect(await getCurrentUser()).toBeNull();

    await signIn(user.id, 0);
    expect(await getCurrentUser()).toMatchObject({ id: user.id, username: "alice", isAdmin: false, grants: [] });

    await testDb().db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await getCurrentUser()).toBeNull();
    await testDb().db.user.update({ where: { id: user.id }, data: { disabled: false, sessionEpoch: 1 } });
    expect(await getCurrentUser()).toBeNull();

    jar.set("next-auth.session-token", "forged-token");
    expect(await getCurrentUser()).toBeNull();
  });

  it("stops accepting a session token once it expires, though decoded tokens are remembered", async () => {
    const user = await testDb().db.user.create({ data: { username: "dave", passwordHash: "x" } });
    jar.set("next-auth.session-token", await encode({ token: { sub: user.id, epoch: 0 }, secret: getConfig().authSecret, maxAge: 60 }));
    expect((await getCurrentUser())?.username).toBe("dave");
    expect((await getCurrentUser())?.username).toBe("dave");
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 120_000 });
    try {
      expect(await getCurrentUser()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
    // A remembered token still goes through the database: disabling the account ends the session at once.
    await signIn(user.id, 0);
    expect((await getCurrentUser())?.username).toBe("dave");
    await testDb().db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await getCurrentUser()).toBeNull();
  });

  it("redirects to the login page, the change-password page, or 404 for non-admins", async () => {
    expect(await redirectOf(requireUser())).toMatch(/^NEXT_REDIRECT;.*;\/login;/);
    const user = await testDb().db.user.create({ data: { username: "bob", passwordHash: "x", mustChangePassword: true } });
    await signIn(user.id, 0);
    expect(await redirectOf(requireUser())).toMatch(/;\/settings\/password;/);
    expect((await requireUser({ allowPasswordChange: true })).username).toBe("bob");
    await testDb().db.user.update({ where: { id: user.id }, data: { mustChangePassword: false } });
    expect(await redirectOf(requireAdmin())).toMatch(/NEXT_HTTP_ERROR_FALLBACK;404/);
    await testDb().db.user.update({ where: { id: user.id }, data: { isAdmin: true } });
    expect((await requireAdmin()).username).toBe("bob");
  });

  it("renews the browser's session for a new epoch after a password change", async () => {
    const user = await testDb().db.user.create({ data: { username: "carol", passwordHash: "x", sessionEpoch: 3 } });
    await signIn(user.id, 2);
    expect(await getCurrentUser()).toBeNull();
    await renewSession(user.id, 3);
    const token = await decode({ token: jar.get("next-auth.session-token"), secret: getConfig().authSecret });
    expect(token).toMatchObject({ sub: user.id, epoch: 3 });
    expect((await getCurrentUser())?.username).toBe("carol");
  });
});
