import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "./secrets";

const key = randomBytes(32);

describe("secrets", () => {
  it("round-trips a secret, with a fresh IV each time", () => {
    const a = encryptSecret("pässwörd 🔑", key);
    const b = encryptSecret("pässwörd 🔑", key);
    expect(a).not.toBe(b);
    expect(a.startsWith("v1.")).toBe(true);
    expect(a).not.toContain("pässwörd");
    expect(decryptSecret(a, key)).toBe("pässwörd 🔑");
    expect(decryptSecret(b, key)).toBe("pässwörd 🔑");
  });

  it("round-trips the empty string", () => {
    expect(decryptSecret(encryptSecret("", key), key)).toBe("");
  });

  it("refuses a tampered ciphertext, IV or tag", () => {
    const stored = encryptSecret("secret-value", key);
    const parts = stored.split(".");
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index]!, "base64url");
      bytes[0] ^= 1;
      const tampered = [...parts];
      tampered[index] = bytes.toString("base64url");
      expect(() => decryptSecret(tampered.join("."), key)).toThrow(SecretDecryptionError);
    }
  });

  it("refuses a value encrypted with another key, without echoing it", () => {
    const stored = encryptSecret("secret-value", key);
    let message = "";
    try {
      decryptSecret(stored, randomBytes(32));
    } catch (error) {
      expect(error).toBeInstanceOf(SecretDecryptionError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/another key/);
    expect(message).not.toContain(stored);
    expect(message).not.toContain("secret-value");
  });

  it("refuses malformed and unknown-version values", () => {
    for (const bad of ["", "plain text", "v2.a.b.c", "v1.a.b", "v1..."]) {
      expect(() => decryptSecret(bad, key)).toThrow(SecretDecryptionError);
    }
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => encryptSecret("x", randomBytes(16))).toThrow(/32 bytes/);
  });
});
