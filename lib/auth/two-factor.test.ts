import { describe, expect, it } from "vitest";
import { confirmTwoFactorEnrolmentAction, disableTwoFactorAction, regenerateRecoveryCodesAction } from "@/lib/account/actions";
import { runAction } from "@/lib/actions/define";
import { resetTwoFactorAction, setTwoFactorPolicyAction } from "@/lib/admin/actions";
import { verifyAuditChain } from "@/lib/audit/verify";
import { decryptSecret } from "@/lib/db/secrets";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { authenticate } from "./login";
import { hashPassword } from "./password";
import { loadActor, loadSessionUser, type CurrentUser } from "./session-user";
import { matchTotpCode, newTotpSecret, totpCodeAt, totpStep, totpUri } from "./totp";
import { startTwoFactorEnrolment, twoFactorStatus } from "./two-factor";
import { getTwoFactorPolicy } from "./two-factor-policy";

// The actions, as a request of `actor` runs them (the pipeline authorizes and audits).
const confirmTwoFactorEnrolment = (actor: CurrentUser, input: { code: string }) => runAction(confirmTwoFactorEnrolmentAction, { actor, input });
const regenerateRecoveryCodes = (actor: CurrentUser, input: { code: string }) => runAction(regenerateRecoveryCodesAction, { actor, input });
const disableTwoFactor = (actor: CurrentUser, input: { code: string }) => runAction(disableTwoFactorAction, { actor, input });
const setTwoFactorPolicy = (actor: CurrentUser, input: { policy: string }) => runAction(setTwoFactorPolicyAction, { actor, input: input as never });
const resetTwoFactor = (actor: CurrentUser, userId: string) => runAction(resetTwoFactorAction, { actor, input: { userId } });

const FAST = { logN: 10, r: 8, p: 1 };
const PASSWORD = "correct horse battery";
const STEP_MS = 30_000;

describe("TOTP codes", () => {
  it("accepts the code of the current step and of one step either side, and names the step it belongs to", () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 0, 1, 12, 0, 10);
    expect(matchTotpCode(secret, totpCodeAt(secret, now), now)).toBe(totpStep(now));
    expect(matchTotpCode(secret, totpCodeAt(secret, now - STEP_MS), now)).toBe(totpStep(now) - 1);
    expect(matchTotpCode(secret, totpCodeAt(secret, now + STEP_MS), now)).toBe(totpStep(now) + 1);
    expect(matchTotpCode(secret, totpCodeAt(secret, now - 3 * STEP_MS), now)).toBeNull();
    expect(matchTotpCode(secret, totpCodeAt(secret, now).replace(/^(\d{3})/, "$1 "), now)).toBe(totpStep(now));
    expect(matchTotpCode(secret, "12345", now)).toBeNull();
    expect(matchTotpCode(secret, "abcdef", now)).toBeNull();
  });

  it("makes an otpauth URI that authenticator apps read", () => {
    const uri = new URL(totpUri("JBSWY3DPEHPK3PXP", "alice"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe("JBSWY3DPEHPK3PXP");
    expect(uri.searchParams.get("issuer")).toBe("XenDeck");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
  });
});

describe("two-factor login", () => {
  const testDb = testDatabaseForEachTest("sqlite", { XENDECK_LOGIN_MAX_FAILURES_PER_ACCOUNT: "3" });

  async function createUser(username: string, isAdmin = false): Promise<CurrentUser> {
    const row = await testDb().db.user.create({ data: { username, isAdmin, passwordHash: await hashPassword(PASSWORD, FAST) } });
    return (await loadActor(row.id))!;
  }
  const secretOf = async (userId: string) => decryptSecret((await testDb().db.user.findUniqueOrThrow({ where: { id: userId } })).totpSecretEncrypted!);
  const login = (username: string, code?: string, address = "192.0.2.1") => authenticate({ username, password: PASSWORD, code, address });

  /** Enrols `user` (the app's side played by the test); returns the secret and the recovery codes. */
  async function enrol(user: CurrentUser) {
    expect(await startTwoFactorEnrolment(user)).toEqual({ ok: true });
    const secret = await secretOf(user.id);
    const confirmed = await confirmTwoFactorEnrolment(user, { code: totpCodeAt(secret, Date.now() - STEP_MS) });
    if (!confirmed.ok) throw new Error(confirmed.error);
    return { secret, recoveryCodes: confirmed.recoveryCodes };
  }

  it("enrols with a QR code and the secret, switched on only by a first valid code; ten recovery codes shown once, stored hashed", async () => {
    const alice = await createUser("alice");
    expect(await twoFactorStatus(alice)).toMatchObject({ enabled: false, required: false, enrolment: null, recoveryCodesLeft: 0 });
    await startTwoFactorEnrolment(alice);
    const status = await twoFactorStatus(alice);
    const secret = await secretOf(alice.id);
    expect(status.enrolment!.secret.replace(/ /g, "")).toBe(secret);
    expect(status.enrolment!.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
    expect(status.enrolment!.uri).toContain(`secret=${secret}`);

    // Not on until confirmed: a login needs no code yet.
    expect((await login("alice")).ok).toBe(true);
    expect(await confirmTwoFactorEnrolment(alice, { code: "000000" })).toMatchObject({ ok: false, fieldErrors: { code: [expect.any(String)] } });
    const confirmed = await confirmTwoFactorEnrolment(alice, { code: totpCodeAt(secret) });
    expect(confirmed).toMatchObject({ ok: true, recoveryCodes: expect.any(Array) });
    const codes = confirmed.ok ? confirmed.recoveryCodes : [];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(await twoFactorStatus(alice)).toMatchObject({ enabled: true, enrolment: null, recoveryCodesLeft: 10 });

    // At rest: the secret encrypted, the codes hashed; nothing of them in the audit log.
    const row = await testDb().db.user.findUniqueOrThrow({ where: { id: alice.id } });
    expect(row.totpSecretEncrypted).toMatch(/^v1\./);
    const stored = JSON.stringify([row, await testDb().db.recoveryCode.findMany(), await testDb().db.auditEntry.findMany()]);
    expect(stored).not.toContain(secret);
    for (const code of codes) expect(stored).not.toContain(code.replace(/-/g, ""));
    for (const code of codes) expect(stored).not.toContain(code);
    const audit = await testDb().db.auditEntry.findMany({ where: { action: "user.two_factor.enable" }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.outcome, entry.errorCode])).toEqual([
      ["refused", "WRONG_CODE"],
      ["ok", null],
    ]);
  });

  it("asks for the code after the password, accepts a code once, and a recovery code once", async () => {
    const bob = await createUser("bob");
    const { secret, recoveryCodes } = await enrol(bob);

    expect(await login("bob")).toEqual({ ok: false, code: "TWO_FACTOR_REQUIRED" });
    expect(await testDb().db.session.count()).toBe(0);

    const code = totpCodeAt(secret, Date.now() + STEP_MS);
    const first = await login("bob", code);
    expect(first).toMatchObject({ ok: true });
    expect(await loadSessionUser(first.ok ? first.sessionId : "")).toMatchObject({ username: "bob", twoFactorEnabled: true });
    // The same code again (a replay within its window), or an older one: refused.
    expect(await login("bob", code)).toEqual({ ok: false, code: "WRONG_CODE" });
    expect(await login("bob", totpCodeAt(secret))).toEqual({ ok: false, code: "WRONG_CODE" });

    expect(await login("bob", recoveryCodes[0]!.toUpperCase().replace(/-/g, " "))).toMatchObject({ ok: true });
    expect(await login("bob", recoveryCodes[0]!, "192.0.2.2")).toEqual({ ok: false, code: "WRONG_CODE" });
    expect(await twoFactorStatus(bob)).toMatchObject({ recoveryCodesLeft: 9 });
    const logins = await testDb().db.auditEntry.findMany({ where: { action: "auth.login", outcome: "ok" }, orderBy: { id: "asc" } });
    expect(logins.map((entry) => JSON.parse(entry.params))).toEqual([{ secondFactor: "totp" }, { secondFactor: "recovery-code", recoveryCodesLeft: 9 }]);
  });

  it("counts wrong codes toward the login throttle", async () => {
    const carol = await createUser("carol");
    const { secret } = await enrol(carol);
    for (let i = 0; i < 3; i++) expect(await login("carol", "123456", "203.0.113.5")).toMatchObject({ ok: false });
    expect(await login("carol", totpCodeAt(secret), "203.0.113.5")).toEqual({ ok: false, code: "LOCKED" });
    expect((await login("carol", totpCodeAt(secret, Date.now() + STEP_MS), "198.51.100.1")).ok).toBe(true);
  });

  it("turns off with a valid code, unless the admins require it; new recovery codes replace the old ones", async () => {
    const dave = await createUser("dave");
    const { secret, recoveryCodes } = await enrol(dave);
    expect(await disableTwoFactor(dave, { code: "000000" })).toMatchObject({ ok: false });

    const renewed = await regenerateRecoveryCodes(dave, { code: totpCodeAt(secret, Date.now() + STEP_MS) });
    expect(renewed).toMatchObject({ ok: true });
    expect(await login("dave", recoveryCodes[1]!)).toEqual({ ok: false, code: "WRONG_CODE" });
    const fresh = renewed.ok ? renewed.recoveryCodes : [];

    const root = await createUser("root", true);
    await setTwoFactorPolicy(root, { policy: "everyone" });
    expect(await disableTwoFactor(dave, { code: fresh[0]! })).toMatchObject({ ok: false, error: expect.stringMatching(/require/) });
    await setTwoFactorPolicy(root, { policy: "off" });
    expect(await disableTwoFactor(dave, { code: fresh[0]! })).toMatchObject({ ok: true });
    expect(await twoFactorStatus(dave)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect((await login("dave")).ok).toBe(true);
  });

  it("lets admins set the policy and reset a user's second factor, audited; others are refused", async () => {
    const root = await createUser("root", true);
    const erin = await createUser("erin");
    await enrol(erin);

    expect(await setTwoFactorPolicy(erin, { policy: "off" })).toMatchObject({ ok: false, error: "You are not allowed to do this." });
    expect(await resetTwoFactor(erin, erin.id)).toMatchObject({ ok: false });
    expect(await setTwoFactorPolicy(root, { policy: "sometimes" })).toMatchObject({ ok: false, fieldErrors: { policy: [expect.any(String)] } });
    expect(await setTwoFactorPolicy(root, { policy: "admins" })).toMatchObject({ ok: true });
    expect(await getTwoFactorPolicy()).toBe("admins");

    expect(await resetTwoFactor(root, erin.id)).toMatchObject({ ok: true });
    expect((await login("erin")).ok).toBe(true);
    // The policy applies to admins: root has no second factor, so enrolment comes first.
    const rootLogin = await login("root");
    expect(await loadSessionUser(rootLogin.ok ? rootLogin.sessionId : "")).toMatchObject({ mustEnrolTwoFactor: true });

    const audit = await testDb().db.auditEntry.findMany({
      where: { actorUsername: { in: ["root", "erin"] }, action: { not: "auth.login" } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((entry) => [entry.action, entry.actorUsername, entry.outcome, entry.params])).toEqual([
      ["user.two_factor.enable", "erin", "ok", "{}"],
      ["users.manage", "erin", "refused", '{"policy":"off"}'],
      ["users.manage", "erin", "refused", '{"operation":"reset-two-factor"}'],
      ["settings.two_factor_policy", "root", "ok", '{"from":"off","to":"admins"}'],
      ["user.reset_two_factor", "root", "ok", '{"hadSecondFactor":true}'],
    ]);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
