import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(os.tmpdir(), "xendeck-config-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const errorOf = (env: Record<string, string>) => {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("configuration", () => {
  it("runs on embedded defaults: SQLite and generated 0600 key files under data/", () => {
    const config = loadConfig({}, cwd);
    expect(config.dataDir).toBe(path.join(cwd, "data"));
    expect(config.databaseProvider).toBe("sqlite");
    expect(config.sqlitePath).toBe(path.join(cwd, "data", "xendeck.db"));
    expect(config.secretKey).toHaveLength(32);
    expect(config.authSecret.length).toBeGreaterThanOrEqual(32);
    for (const file of ["secret.key", "auth-secret"]) {
      expect(statSync(path.join(cwd, "data", file)).mode & 0o777).toBe(0o600);
    }
    expect(config.login).toEqual({ maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, accountSlowdownFailures: 50, windowSeconds: 900, lockoutSeconds: 900 });
    expect(config.trustedProxies).toBe(0);
    expect(config.auditAnonymousMaxPerAddress).toBe(60);
    expect(config.compress).toBe(false);
    expect(config.consoles).toEqual({ idleTimeoutSeconds: 1800, maxDurationSeconds: 28800 });
    expect(config.publicUrl).toBeNull();
    expect(config.initialAdminPassword).toBeNull();

    // The generated secrets are kept: a second start reads the same ones.
    const again = loadConfig({}, cwd);
    expect(again.secretKey.equals(config.secretKey)).toBe(true);
    expect(again.authSecret).toBe(config.authSecret);
  });

  it("takes secrets and settings from the environment when given", () => {
    const key = randomBytes(32);
    const config = loadConfig(
      {
        DATABASE_URL: "postgresql://xendeck:pw@db:5432/xendeck",
        XENDECK_DATA_DIR: "state",
        XENDECK_SECRET_KEY: key.toString("base64"),
        NEXTAUTH_SECRET: "s".repeat(40),
        NEXTAUTH_URL: "https://xendeck.example.net",
        XENDECK_ADMIN_PASSWORD: "a strong password",
        XENDECK_LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
        XENDECK_TRUSTED_PROXIES: "1",
        XENDECK_COMPRESS: "1",
        XENDECK_CONSOLE_IDLE_TIMEOUT_SECONDS: "0",
        XENDECK_CONSOLE_MAX_DURATION_SECONDS: "3600",
      },
      cwd,
    );
    expect(config).toMatchObject({
      databaseProvider: "postgresql",
      sqlitePath: null,
      dataDir: path.join(cwd, "state"),
      authSecret: "s".repeat(40),
      publicUrl: "https://xendeck.example.net",
      initialAdminPassword: "a strong password",
      trustedProxies: 1,
      compress: true,
      consoles: { idleTimeoutSeconds: 0, maxDurationSeconds: 3600 },
    });
    expect(config.secretKey.equals(key)).toBe(true);
    expect(config.login.maxFailuresPerAccount).toBe(3);
    expect(() => statSync(path.join(cwd, "state", "secret.key"))).toThrow();
  });

  it("treats empty variables (as in a copied .env.example) as unset", () => {
    const config = loadConfig({ DATABASE_URL: "", XENDECK_SECRET_KEY: "", XENDECK_ADMIN_PASSWORD: "", XENDECK_LOGIN_LOCKOUT_SECONDS: "" }, cwd);
    expect(config.databaseProvider).toBe("sqlite");
    expect(config.login.lockoutSeconds).toBe(900);
  });

  it("names every invalid variable with what is expected", () => {
    const message = errorOf({
      DATABASE_URL: "mysql://db/x",
      XENDECK_SECRET_KEY: "c2hvcnQ=",
      NEXTAUTH_SECRET: "short",
      NEXTAUTH_URL: "ftp://x",
      XENDECK_ADMIN_PASSWORD: "short",
      XENDECK_LOGIN_LOCKOUT_SECONDS: "ten",
      XENDECK_TRUSTED_PROXIES: "-1",
      XENDECK_COMPRESS: "yes",
      XENDECK_CONSOLE_IDLE_TIMEOUT_SECONDS: "1.5",
    });
    expect(message).toContain("DATABASE_URL: must start with file:");
    expect(message).toContain("XENDECK_SECRET_KEY: must be 32 bytes encoded in base64");
    expect(message).toContain("NEXTAUTH_SECRET: must be at least 32 characters long");
    expect(message).toContain("NEXTAUTH_URL: must be an http:// or https:// URL");
    expect(message).toContain("XENDECK_ADMIN_PASSWORD: Password must be at least 10 characters long");
    expect(message).toContain('XENDECK_LOGIN_LOCKOUT_SECONDS: must be a whole number, at least 1 (got "ten")');
    expect(message).toContain("XENDECK_TRUSTED_PROXIES: must be a whole number, at least 0");
    expect(message).toContain('XENDECK_COMPRESS: must be 0 or 1 (got "yes")');
    expect(message).toContain('XENDECK_CONSOLE_IDLE_TIMEOUT_SECONDS: must be a whole number, at least 0 (got "1.5")');
    expect(message).not.toContain("short"); // values of secrets are not echoed
  });

  it("refuses a generated key file that other users can read", () => {
    loadConfig({}, cwd);
    chmodSync(path.join(cwd, "data", "secret.key"), 0o644);
    expect(errorOf({})).toMatch(/secret\.key is readable by other users .*chmod 600/);
  });

  it("refuses a key file that does not hold a key", () => {
    mkdirSync(path.join(cwd, "data"), { mode: 0o700 });
    writeFileSync(path.join(cwd, "data", "secret.key"), "not a key", { mode: 0o600 });
    expect(errorOf({})).toMatch(/secret\.key does not hold a base64 32-byte key/);
  });
});
