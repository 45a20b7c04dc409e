/**
 * TOTP (RFC 6238) for two-factor login, with the otpauth library: SHA-1, 6 digits, 30-second steps, the
 * parameters every authenticator app understands. This module only computes; storing the secret (encrypted),
 * refusing replayed codes (the last accepted step is stored) and throttling are lib/auth/two-factor.ts's.
 */
import { Secret, TOTP } from "otpauth";

const ISSUER = "XenDeck";
const PERIOD_SECONDS = 30;
/** Steps accepted on either side of the server's: 30 s of clock skew between the phone and the server. */
const SKEW_STEPS = 1;

function totpFor(secretBase32: string, username = "") {
  return new TOTP({ issuer: ISSUER, label: username, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A new random secret (160 bits, as RFC 4226 recommends), in base32 as the user may type it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, username: string): string {
  return totpFor(secretBase32, username).toString();
}

/** The secret grouped by four for reading and typing ("ABCD EFGH …"). */
export function formatSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, "$1 ");
}

/** True when `input` has the shape of a TOTP code (6 digits, spaces allowed). */
export function looksLikeTotpCode(input: string): boolean {
  return /^\d{6}$/.test(input.replace(/\s/g, ""));
}

/** The time step of `timestamp` (ms): codes of a step are valid for that step only, give or take the skew. */
export function totpStep(timestamp = Date.now()): number {
  return Math.floor(timestamp / 1000 / PERIOD_SECONDS);
}

/** The time step a code belongs to, if it is valid at `timestamp` give or take the allowed skew; null otherwise. */
export function matchTotpCode(secretBase32: string, code: string, timestamp = Date.now()): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32).validate({ token, timestamp, window: SKEW_STEPS });
  return delta === null ? null : totpStep(timestamp) + delta;
}

/** The code of a step (tests and the e2e harness play the authenticator app). */
export function totpCodeAt(secretBase32: string, timestamp = Date.now()): string {
  return totpFor(secretBase32).generate({ timestamp });
}
