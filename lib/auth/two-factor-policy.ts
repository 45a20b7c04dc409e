/**
 * Who must use two-factor login, as chosen by the admins (Admin → Security): nobody, admins, or everyone. A user
 * it applies to who has no second factor yet can sign in with their password but is sent to enrolment before any
 * page (`pendingAccountStep`, lib/auth/session-user.ts). Stored in the Setting table; read with the session on
 * every request (one subquery), so a change applies at everybody's next request.
 */
import "server-only";
import { z } from "zod";
import type { RecordChange } from "@/lib/audit/record";
import { invalidInput, type ActionResult } from "@/lib/result";
import { getDb, type Db } from "@/lib/db/client";
import { lockedMutation } from "@/lib/db/transaction";

export const TWO_FACTOR_POLICIES = ["off", "admins", "everyone"] as const;
export type TwoFactorPolicy = (typeof TWO_FACTOR_POLICIES)[number];

export const TWO_FACTOR_POLICY_KEY = "two-factor-required";

/** The stored value as a policy; anything unknown (or nothing stored) is "off". */
export function parseTwoFactorPolicy(value: unknown): TwoFactorPolicy {
  return TWO_FACTOR_POLICIES.includes(value as TwoFactorPolicy) ? (value as TwoFactorPolicy) : "off";
}

export function twoFactorRequiredFor(policy: TwoFactorPolicy, isAdmin: boolean): boolean {
  return policy === "everyone" || (policy === "admins" && isAdmin);
}

export async function getTwoFactorPolicy(db: Db = getDb()): Promise<TwoFactorPolicy> {
  return parseTwoFactorPolicy((await db.setting.findUnique({ where: { key: TWO_FACTOR_POLICY_KEY } }))?.value);
}

export const twoFactorPolicySchema = z.object({
  policy: z.enum(TWO_FACTOR_POLICIES, { error: "Choose who must use two-factor login" }),
});

/** Sets the policy (global admins, authorized by the action); the entry records the old and new values. */
export async function setTwoFactorPolicy(input: unknown, record: RecordChange): Promise<ActionResult<{ policy: TwoFactorPolicy }>> {
  const parsed = twoFactorPolicySchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { policy } = parsed.data;
  return lockedMutation("accounts", async (tx) => {
    const before = parseTwoFactorPolicy((await tx.setting.findUnique({ where: { key: TWO_FACTOR_POLICY_KEY } }))?.value);
    await tx.setting.upsert({ where: { key: TWO_FACTOR_POLICY_KEY }, create: { key: TWO_FACTOR_POLICY_KEY, value: policy }, update: { value: policy } });
    await record(tx, { object: { kind: "setting", uuid: TWO_FACTOR_POLICY_KEY }, params: { from: before, to: policy } });
    return { ok: true, policy };
  });
}
