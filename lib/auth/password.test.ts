import { describe, expect, it } from "vitest";
import { passwordPolicy } from "@/lib/password-policy";
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from "./password";

const fast = { logN: 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterz", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same password", fast), hashPassword("same password", fast)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("verifies hashes made with other parameters and flags them for rehashing", async () => {
    const old = await hashPassword("legacy password", fast);
    expect(old.startsWith("scrypt$10$8$1$")).toBe(true);
    expect(await verifyPassword("legacy password", old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword("current password"))).toBe(false);
  });

  it("treats malformed or hostile hashes as non-matching", async () => {
    for (const bad of ["", "plain", "scrypt$15$8$1$AAAA", "bcrypt$x$y$z$a$b", "scrypt$30$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5"]) {
      expect(await verifyPassword("anything", bad)).toBe(false);
      expect(needsRehash(bad)).toBe(true);
    }
  });

  it("normalises Unicode so the same visible password matches", async () => {
    const hash = await hashPassword("caf\u00e9-password", fast);
    expect(await verifyPassword("cafe\u0301-password", hash)).toBe(true);
  });

  it("has a dummy verification that completes", async () => {
    await expect(verifyDummyPassword("whatever")).resolves.toBeUndefined();
  });
});

describe("password policy", () => {
  it("accepts a reasonable password", () => {
    expect(passwordPolicy.safeParse("a long passphrase").success).toBe(true);
  });

  it.each([
    ["short", /at least 10/],
    ["          ", /only spaces/],
    ["aaaaaaaaaaaa", /4 different/],
    ["x".repeat(200) + "abcd".repeat(20), /at most 256/],
  ])("rejects %j", (value, message) => {
    const result = passwordPolicy.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join(" ")).toMatch(message);
  });
});
