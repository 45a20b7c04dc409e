import { describe, expect, it } from "vitest";
import { endSessionAction } from "@/lib/account/actions";
import { runAction } from "@/lib/actions/define";
import { endUserSessionsAction } from "@/lib/admin/actions";
import { recordChangesAs } from "@/lib/audit/record";
import { createDbClient } from "@/lib/db/client";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { authenticate } from "./login";
import { hashPassword } from "./password";
import { listOwnSessions, listUserSessions } from "./session-management";
import { loadActor, loadSessionUser, type CurrentUser } from "./session-user";
import { describeUserAgent } from "./sessions";
import * as users from "./users";

// The actions, as a request of `actor` runs them (the pipeline authorizes and audits).
const endOwnSession = (actor: CurrentUser, input: { sessionId?: string }) => runAction(endSessionAction, { actor, input: input as never });
const endAllUserSessions = (actor: CurrentUser, userId: string) => runAction(endUserSessionsAction, { actor, input: { userId } });
const updateUser = (actor: CurrentUser, userId: string, input: unknown) => users.updateUser(userId, input, recordChangesAs(actor, "user.update"));

const FAST = { logN: 10, r: 8, p: 1 };
const PASSWORD = "correct horse battery";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

describe.each(["sqlite", "postgresql"] as const)("sessions on %s", (provider) => {
  const testDb = testDatabaseForEachTest(provider);

  async function createUser(username: string, isAdmin = false) {
    return testDb().db.user.create({ data: { username, isAdmin, passwordHash: await hashPassword(PASSWORD, FAST) } });
  }

  async function signIn(username: string, userAgent = FIREFOX, address = "192.0.2.1"): Promise<CurrentUser> {
    const result = await authenticate({ username, password: PASSWORD, address, userAgent });
    if (!result.ok) throw new Error(result.code);
    return (await loadSessionUser(result.sessionId))!;
  }

  it("lists a user's own active sessions, and lets them end any of them but no one else's", async () => {
    await createUser("alice");
    await createUser("mallory");
    const laptop = await signIn("alice", FIREFOX, "192.0.2.1");
    const phone = await signIn("alice", SAFARI, "198.51.100.7");
    const mallory = await signIn("mallory");

    const sessions = await listOwnSessions(laptop);
    expect(sessions.map(({ browser, address, current }) => ({ browser, address, current })).sort((a, b) => a.browser.localeCompare(b.browser))).toEqual([
      { browser: "Firefox on Linux", address: "192.0.2.1", current: true },
      { browser: "Safari on iOS", address: "198.51.100.7", current: false },
    ]);

    expect(await endOwnSession(mallory, { sessionId: phone.sessionId })).toMatchObject({ ok: false });
    expect(await loadSessionUser(phone.sessionId!)).not.toBeNull();

    expect(await endOwnSession(laptop, { sessionId: phone.sessionId })).toMatchObject({ ok: true, endedCurrent: false });
    expect(await loadSessionUser(phone.sessionId!)).toBeNull();
    expect((await listOwnSessions(laptop)).map((session) => session.id)).toEqual([laptop.sessionId]);
    expect(await endOwnSession(laptop, { sessionId: phone.sessionId })).toMatchObject({ ok: false, error: "This session has already ended." });

    const audit = await testDb().db.auditEntry.findMany({ where: { action: "session.end" }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.actorUsername, entry.outcome, entry.errorCode, JSON.parse(entry.params).from ?? null])).toEqual([
      ["mallory", "refused", "NOT_FOUND", null],
      ["alice", "ok", null, "198.51.100.7"],
      ["alice", "refused", "NOT_FOUND", null],
    ]);
    // The session id is a bearer of the session: it never reaches the audit log.
    expect(JSON.stringify(await testDb().db.auditEntry.findMany())).not.toContain(phone.sessionId);
  });

  it("lets an admin end all sessions of a user, refusing and auditing anyone else who tries", async () => {
    await createUser("root", true);
    const bob = await createUser("bob");
    const root = (await loadActor((await testDb().db.user.findUniqueOrThrow({ where: { username: "root" } })).id))!;
    const first = await signIn("bob");
    const second = await signIn("bob", SAFARI);

    expect(await endAllUserSessions(first, bob.id)).toMatchObject({ ok: false, error: "You are not allowed to do this." });
    expect(await listUserSessions(first, bob.id)).toEqual([]);
    expect(await listUserSessions(root, bob.id)).toHaveLength(2);

    expect(await endAllUserSessions(root, bob.id)).toMatchObject({ ok: true, ended: 2 });
    expect(await loadSessionUser(first.sessionId!)).toBeNull();
    expect(await loadSessionUser(second.sessionId!)).toBeNull();
    const audit = await testDb().db.auditEntry.findMany({
      where: { OR: [{ action: "user.end_sessions" }, { action: "users.manage" }] },
      orderBy: { id: "asc" },
    });
    expect(audit.map((entry) => [entry.action, entry.actorUsername, entry.outcome, entry.objectUuid])).toEqual([
      ["users.manage", "bob", "refused", bob.id],
      ["user.end_sessions", "root", "ok", bob.id],
    ]);
    // Bob signs in again: a new session, unaffected.
    expect(await loadSessionUser((await signIn("bob")).sessionId!)).not.toBeNull();
  });

  it("does not bring back sessions when a disabled account is enabled again", async () => {
    const root = (await loadActor((await createUser("root", true)).id))!;
    const carol = await createUser("carol");
    const before = await signIn("carol");
    await updateUser(root, carol.id, { disabled: true });
    await updateUser(root, carol.id, { disabled: false });
    expect(await loadSessionUser(before.sessionId!)).toBeNull();
    expect(await signIn("carol")).not.toBeNull();
  });

  if (provider === "postgresql")
    it("ends a session on every instance: a cookie copied before logout is refused by another instance", async () => {
      await createUser("dave");
      const other = createDbClient(testDb().url);
      try {
        const dave = await signIn("dave");
        expect(await loadSessionUser(dave.sessionId!, other)).not.toBeNull();
        // Logged out through this instance; the other one refuses the same session at its next request.
        expect(await endOwnSession(dave, { sessionId: dave.sessionId })).toMatchObject({ ok: true, endedCurrent: true });
        expect(await loadSessionUser(dave.sessionId!, other)).toBeNull();
      } finally {
        await other.$disconnect();
      }
    });
});

describe("browser names", () => {
  it("tells sessions apart by browser and system, without claiming more", () => {
    expect(describeUserAgent(FIREFOX)).toBe("Firefox on Linux");
    expect(describeUserAgent(SAFARI)).toBe("Safari on iOS");
    expect(describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0")).toBe(
      "Edge on Windows",
    );
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36")).toBe("Chrome on Linux");
    expect(describeUserAgent("curl/8.5.0")).toBe("curl");
    expect(describeUserAgent("")).toBe("Unknown browser");
  });
});
