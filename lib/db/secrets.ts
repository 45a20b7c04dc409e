/**
 * Encryption of secrets stored in the database (pool passwords): AES-256-GCM with a random 96-bit IV and a
 * 128-bit authentication tag, in a versioned text format `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
 * The key is XENDECK_SECRET_KEY or the generated `data/secret.key` (lib/config.ts).
 *
 * Errors never contain the plaintext or the ciphertext.
 */
import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { getConfig } from "@/lib/config";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored secret that cannot be decrypted: tampered with, truncated, or encrypted with another key. */
export class SecretDecryptionError extends Error {
  override name = "SecretDecryptionError";
}

function checkKey(key: Buffer): Buffer {
  if (key.length !== 32) throw new Error("The secret key must be 32 bytes long");
  return key;
}

/** Encrypts `plaintext`; each call uses a new IV, so equal plaintexts give different ciphertexts. */
export function encryptSecret(plaintext: string, key: Buffer = getConfig().secretKey): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", checkKey(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(VERSION));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

/**
 * Decrypts a value made by `encryptSecret`.
 * @throws SecretDecryptionError when the value is malformed, was modified, or was encrypted with another key.
 */
export function decryptSecret(stored: string, key: Buffer = getConfig().secretKey): string {
  const parts = stored.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SecretDecryptionError("Stored secret has an unknown format");
  }
  const [, iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, "base64url")) as [Buffer, Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretDecryptionError("Stored secret has an unknown format");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", checkKey(key), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(VERSION));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(
      "Stored secret cannot be decrypted: it was modified or encrypted with another key (was XENDECK_SECRET_KEY or data/secret.key changed?)",
    );
  }
}
