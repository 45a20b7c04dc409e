/**
 * Two-factor recovery codes: ten random single-use codes shown once at enrolment, for when the authenticator
 * is lost. Each is 80 random bits (16 base32 characters, shown as xxxx-xxxx-xxxx-xxxx), so a plain SHA-256 is
 * enough to store them: no password-style slow hash is needed against guessing 2^80 values. The hash includes
 * the user id, so a code is only ever looked up for its own account.
 */
import { createHash, randomBytes } from "node:crypto";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** One new code, e.g. "k3vq-7xzm-a2pd-9rtw". */
export function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  const characters = [...bytes].map((byte) => ALPHABET[byte & 31]).join("");
  return characters.match(/.{4}/g)!.join("-");
}

/** The code as typed, reduced to its 16 characters (case, spaces and dashes do not matter); null when it is not one. */
export function normaliseRecoveryCode(input: string): string | null {
  const characters = input.toLowerCase().replace(/[\s-]/g, "");
  return /^[a-z2-7]{16}$/.test(characters) ? characters : null;
}

/** What is stored for a code of `userId`. */
export function hashRecoveryCode(userId: string, code: string): string | null {
  const normalised = normaliseRecoveryCode(code);
  return normalised === null ? null : createHash("sha256").update(`xendeck-recovery-code\n${userId}\n${normalised}`).digest("hex");
}
