/**
 * Two-factor login with TOTP (RFC 6238): enrolment, the second step of the login, recovery codes, turning it
 * off, and an admin's reset. The secret is stored encrypted with the key of pool passwords (lib/db/secrets.ts)
 * and never leaves the server except to the user enrolling (as a QR code and text); codes are accepted once
 * (the last accepted time step is stored, and a code of that step or an earlier one is refused); wrong codes
 * count toward the login throttle (lib/auth/login-throttle.ts). Neither secrets nor codes reach the audit log.
 *
 * The functions for the user's own account take the actor (the action pipeline authenticated them: `self`
 * actions, lib/account/actions.ts) and the change's `RecordChange`; a wrong code is a `refusal` the pipeline audits.
 */
import "server-only";
import QRCode from "qrcode";
import { z } from "zod";
import type { RecordChange } from "@/lib/audit/record";
import { failure, invalidInput, refusal, type ActionFailure, type ActionResult } from "@/lib/result";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { decryptSecret, encryptSecret } from "@/lib/db/secrets";
import { lockedMutation, lockedTransaction } from "@/lib/db/transaction";
import type { DbTransaction } from "@/lib/db/client";
import { clearPairFailures, loginThrottleRefusal, recordLoginFailure, type ThrottleSubject } from "./login-throttle";
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from "./recovery-codes";
import { currentClientAddress } from "./request-context";
import type { CurrentUser } from "./session-user";
import { isKnownAddress } from "./sessions";
import { formatSecret, looksLikeTotpCode, matchTotpCode, newTotpSecret, totpUri } from "./totp";
import { getTwoFactorPolicy, twoFactorRequiredFor } from "./two-factor-policy";

export const TOO_MANY_ATTEMPTS = "Too many attempts. Try again later.";
const WRONG_CODE = "This code is not valid (or was already used).";

/** What the two-factor settings page shows. */
export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** The admins' policy requires it for this user. */
  required: boolean;
  recoveryCodesLeft: number;
  /** Enrolment under way: what the authenticator app needs (the secret is the user's own, shown only to them). */
  enrolment: { secret: string; uri: string; qrSvg: string } | null;
}

export interface SecondFactorUser {
  id: string;
  totpSecretEncrypted: string | null;
  totpEnabledAt: Date | null;
}

export type SecondFactorCheck = { ok: true; method: "totp" | "recovery-code"; recoveryCodesLeft: number } | { ok: false };

export const codeSchema = z.object({ code: z.string().trim().min(1, "Enter a code").max(64) });

/**
 * Checks a second factor and consumes it: a TOTP code (its time step becomes the last accepted one, so it
 * cannot be used again) or an unused recovery code (marked used). Both in one conditional update each, so two
 * requests racing with the same code (on any instance) cannot both succeed.
 */
export async function consumeSecondFactor(db: Db, user: SecondFactorUser, code: string, now = new Date()): Promise<SecondFactorCheck> {
  if (!user.totpEnabledAt || !user.totpSecretEncrypted) return { ok: false };
  if (looksLikeTotpCode(code)) {
    const step = matchTotpCode(decryptSecret(user.totpSecretEncrypted), code, now.getTime());
    if (step === null) return { ok: false };
    const { count } = await lockedTransaction(db, "accounts", (tx) =>
      tx.user.updateMany({ where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] }, data: { totpLastStep: step } }),
    );
    return count === 1 ? { ok: true, method: "totp", recoveryCodesLeft: await recoveryCodesLeft(db, user.id) } : { ok: false };
  }
  const codeHash = hashRecoveryCode(user.id, code);
  if (!codeHash) return { ok: false };
  const { count } = await lockedTransaction(db, "accounts", (tx) =>
    tx.recoveryCode.updateMany({ where: { codeHash, userId: user.id, usedAt: null }, data: { usedAt: now } }),
  );
  return count === 1 ? { ok: true, method: "recovery-code", recoveryCodesLeft: await recoveryCodesLeft(db, user.id) } : { ok: false };
}

function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}

/** The state of the actor's own two-factor login, with the QR code while enrolling. */
export async function twoFactorStatus(actor: CurrentUser, db: Db = getDb()): Promise<TwoFactorStatus> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecretEncrypted: true, totpEnabledAt: true } });
  const required = twoFactorRequiredFor(await getTwoFactorPolicy(db), actor.isAdmin);
  let enrolment: TwoFactorStatus["enrolment"] = null;
  if (!user.totpEnabledAt && user.totpSecretEncrypted) {
    const secret = decryptSecret(user.totpSecretEncrypted);
    const uri = totpUri(secret, actor.username);
    enrolment = { secret: formatSecret(secret), uri, qrSvg: await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 }) };
  }
  return { enabled: user.totpEnabledAt !== null, enabledAt: user.totpEnabledAt, required, recoveryCodesLeft: await recoveryCodesLeft(db, actor.id), enrolment };
}

/**
 * Starts enrolment: a new secret, stored encrypted but not yet in force (`twoFactorStatus` then shows its QR
 * code). Starting again replaces it, so a secret seen by someone looking over the shoulder can be dropped.
 */
export async function startTwoFactorEnrolment(actor: CurrentUser): Promise<ActionResult> {
  const secret = encryptSecret(newTotpSecret());
  const { count } = await lockedTransaction(getDb(), "accounts", (tx) =>
    tx.user.updateMany({ where: { id: actor.id, totpEnabledAt: null }, data: { totpSecretEncrypted: secret, totpLastStep: null } }),
  );
  return count === 1 ? { ok: true } : failure("Two-factor login is already on.");
}

/**
 * Checks a code typed by the signed-in actor (enrolment, turning off, new recovery codes), throttled and
 * counted like a login; a refusal (for the pipeline to audit) when it is wrong or the actor is locked.
 */
async function checkActorCode(actor: CurrentUser, code: string, verify: (code: string) => Promise<boolean>): Promise<ActionFailure | null> {
  const db = getDb();
  const subject: ThrottleSubject = { username: actor.username, address: await currentClientAddress() };
  const throttled = await loginThrottleRefusal(db, subject, () => isKnownAddress(db, actor.id, subject.address));
  if (throttled) return refusal(throttled, TOO_MANY_ATTEMPTS, { code: [TOO_MANY_ATTEMPTS] });
  if (!(await verify(code))) {
    await recordLoginFailure(db, getConfig().login, subject);
    return refusal("WRONG_CODE", WRONG_CODE, { code: [WRONG_CODE] });
  }
  await clearPairFailures(db, subject);
  return null;
}

async function replaceRecoveryCodes(tx: DbTransaction, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: hashRecoveryCode(userId, code)! })) });
  return codes;
}

const ownAccount = (actor: CurrentUser) => ({ kind: "user", uuid: actor.id, label: actor.username });

function parseCode(input: unknown): { code: string } | ActionFailure {
  const parsed = codeSchema.safeParse(input);
  return parsed.success ? parsed.data : invalidInput(parsed.error);
}

/**
 * Confirms enrolment with a first valid code from the app: two-factor login is on from now, and ten recovery
 * codes are returned, to be shown once (only their hashes are kept).
 */
export async function confirmTwoFactorEnrolment(actor: CurrentUser, input: unknown, record: RecordChange): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  const parsed = parseCode(input);
  if ("ok" in parsed) return parsed;
  const pending = await getDb().user.findUnique({ where: { id: actor.id }, select: { totpSecretEncrypted: true, totpEnabledAt: true } });
  if (!pending?.totpSecretEncrypted || pending.totpEnabledAt) return failure("Start the set-up again: no enrolment is under way.");
  let step: number | null = null;
  const refused = await checkActorCode(actor, parsed.code, async (code) => (step = matchTotpCode(decryptSecret(pending.totpSecretEncrypted!), code)) !== null);
  if (refused) return refused;
  return lockedMutation("accounts", async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: actor.id, totpEnabledAt: null, totpSecretEncrypted: pending.totpSecretEncrypted },
      data: { totpEnabledAt: new Date(), totpLastStep: step },
    });
    if (count === 0) return failure("Start the set-up again: the enrolment changed meanwhile.");
    const recoveryCodes = await replaceRecoveryCodes(tx, actor.id);
    await record(tx, { object: ownAccount(actor), params: {} });
    return { ok: true, recoveryCodes };
  });
}

async function actorSecondFactor(actor: CurrentUser): Promise<SecondFactorUser | null> {
  return getDb().user.findUnique({ where: { id: actor.id }, select: { id: true, totpSecretEncrypted: true, totpEnabledAt: true } });
}

/** Ten new recovery codes in place of the old ones, with a current code as proof; shown once. */
export async function regenerateRecoveryCodes(actor: CurrentUser, input: unknown, record: RecordChange): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  const parsed = parseCode(input);
  if ("ok" in parsed) return parsed;
  const user = await actorSecondFactor(actor);
  if (!user?.totpEnabledAt) return failure("Two-factor login is off.");
  const refused = await checkActorCode(actor, parsed.code, async (code) => (await consumeSecondFactor(getDb(), user, code)).ok);
  if (refused) return refused;
  return lockedMutation("accounts", async (tx) => {
    const recoveryCodes = await replaceRecoveryCodes(tx, actor.id);
    await record(tx, { object: ownAccount(actor), params: {} });
    return { ok: true, recoveryCodes };
  });
}

const clearedSecondFactor = { totpSecretEncrypted: null, totpEnabledAt: null, totpLastStep: null };

/** Turns the actor's two-factor login off, with a current code (or a recovery code) as proof. */
export async function disableTwoFactor(actor: CurrentUser, input: unknown, record: RecordChange): Promise<ActionResult> {
  const parsed = parseCode(input);
  if ("ok" in parsed) return parsed;
  const user = await actorSecondFactor(actor);
  if (!user?.totpEnabledAt) return failure("Two-factor login is already off.");
  if (twoFactorRequiredFor(await getTwoFactorPolicy(), actor.isAdmin)) {
    return refusal(
      "TWO_FACTOR_REQUIRED_BY_POLICY",
      "Your administrators require two-factor login: it cannot be turned off. Ask one to reset it if your authenticator is lost.",
    );
  }
  const refused = await checkActorCode(actor, parsed.code, async (code) => (await consumeSecondFactor(getDb(), user, code)).ok);
  if (refused) return refused;
  return lockedMutation("accounts", async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: clearedSecondFactor });
    await tx.recoveryCode.deleteMany({ where: { userId: actor.id } });
    await record(tx, { object: ownAccount(actor), params: {} });
    return { ok: true };
  });
}

/**
 * Removes a user's second factor (a lost phone; global admins, authorized by the action): the user signs in with
 * their password alone, and enrols again when the policy requires it.
 */
export async function resetTwoFactor(userId: string, record: RecordChange): Promise<ActionResult> {
  return lockedMutation("accounts", async (tx) => {
    const row = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true, totpSecretEncrypted: true } });
    if (!row) return failure("This user no longer exists.");
    await tx.user.update({ where: { id: userId }, data: clearedSecondFactor });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await record(tx, { object: { kind: "user", uuid: row.id, label: row.username }, params: { hadSecondFactor: row.totpSecretEncrypted !== null } });
    return { ok: true };
  });
}
