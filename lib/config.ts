/**
 * The one place that reads XenDeck's environment. Every variable is documented in `.env.example`.
 *
 * `getConfig()` parses and validates `process.env` once (zod), creates the data directory and the generated
 * secret files when needed, and caches the result. `loadConfig(env)` does the same for a given environment
 * without caching (tests, CLIs).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { passwordPolicy } from "@/lib/password-policy";

export type DatabaseProvider = "sqlite" | "postgresql";

export interface Config {
  /** The database connection string as given (SQLite `file:` URL or `postgres(ql)://` URL). */
  databaseUrl: string;
  databaseProvider: DatabaseProvider;
  /** Absolute path of the SQLite file (SQLite only). */
  sqlitePath: string | null;
  /** Absolute path of the data directory (generated secrets, default SQLite database). */
  dataDir: string;
  /** 32-byte key for AES-256-GCM encryption of stored secrets (pool passwords). */
  secretKey: Buffer;
  /** Secret that signs and encrypts session tokens (next-auth). */
  authSecret: string;
  /** Public base URL of the console, when set (next-auth); otherwise the request's Host is trusted. */
  publicUrl: string | null;
  /** Password for the first `admin` account; a random one is generated (and printed once) when absent. */
  initialAdminPassword: string | null;
  /** How long a session lasts without activity. */
  sessionMaxAgeSeconds: number;
  login: LoginThrottleConfig;
  /** Audit entries recorded per client address and 15 minutes for requests without a session (lib/audit/anonymous.ts). */
  auditAnonymousMaxPerAddress: number;
  /** Number of reverse proxies in front of XenDeck that append the client address to X-Forwarded-For. */
  trustedProxies: number;
  /**
   * Whether the Node server gzips its responses. Off by default: the TLS proxy in front compresses. Next applies
   * it from next.config.mjs, which reads XENDECK_COMPRESS itself (it cannot load this module); parsing it here
   * stops a start with a wrong value like any other variable.
   */
  compress: boolean;
  consoles: ConsoleConfig;
}

/** VM consoles opened through XenDeck (lib/consoles). 0 means no limit. */
export interface ConsoleConfig {
  /** A console without keyboard or mouse input for this long is closed. */
  idleTimeoutSeconds: number;
  /** A console open this long is closed, active or not. */
  maxDurationSeconds: number;
}

export interface LoginThrottleConfig {
  /** Failed logins on one account from one client address within the window that lock that account-address pair. */
  maxFailuresPerAccount: number;
  /** Failed logins from one client address within the window that lock the address. */
  maxFailuresPerAddress: number;
  /**
   * Failed logins on one account from all addresses within the window that hold off attempts from addresses the
   * account never signed in from (lib/auth/login-throttle.ts).
   */
  accountSlowdownFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

/** An invalid environment: the message names the variable and says what is expected. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

function positiveInt(defaultValue: number, min = 1) {
  return optionalText.transform((value, context) => {
    if (value === undefined) return defaultValue;
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) {
      context.addIssue({ code: "custom", message: `must be a whole number, at least ${min} (got "${value}")` });
      return z.NEVER;
    }
    return number;
  });
}

/** A yes/no switch written 0 or 1. */
function onOff(defaultValue: boolean) {
  return optionalText
    .pipe(z.enum(["0", "1"], { error: (issue) => `must be 0 or 1 (got "${String(issue.input)}")` }).optional())
    .transform((value) => (value === undefined ? defaultValue : value === "1"));
}

const envSchema = z.object({
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^(file:|postgres:\/\/|postgresql:\/\/)/, "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)")
      .optional(),
  ),
  XENDECK_DATA_DIR: optionalText,
  XENDECK_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .refine((value) => decodeBase64Key(value) !== null, "must be 32 bytes encoded in base64 (generate one with: openssl rand -base64 32)")
      .optional(),
  ),
  NEXTAUTH_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters long").optional()),
  NEXTAUTH_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional()),
  XENDECK_ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((value) => (value === "" ? undefined : value))
    .pipe(passwordPolicy.optional()),
  XENDECK_SESSION_MAX_AGE_SECONDS: positiveInt(12 * 60 * 60, 60),
  XENDECK_LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
  XENDECK_LOGIN_MAX_FAILURES_PER_ADDRESS: positiveInt(20),
  XENDECK_LOGIN_ACCOUNT_SLOWDOWN_FAILURES: positiveInt(50),
  XENDECK_LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(15 * 60),
  XENDECK_LOGIN_LOCKOUT_SECONDS: positiveInt(15 * 60),
  XENDECK_AUDIT_ANONYMOUS_MAX_PER_ADDRESS: positiveInt(60),
  XENDECK_TRUSTED_PROXIES: positiveInt(0, 0),
  XENDECK_COMPRESS: onOff(false),
  XENDECK_CONSOLE_IDLE_TIMEOUT_SECONDS: positiveInt(30 * 60, 0),
  XENDECK_CONSOLE_MAX_DURATION_SECONDS: positiveInt(8 * 60 * 60, 0),
});

function decodeBase64Key(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const key = Buffer.from(text, "base64");
  return key.length === 32 ? key : null;
}

/**
 * Reads a generated secret from `file`, creating it (mode 0600) with `generate()` when it does not exist.
 * Several processes may start at once: the exclusive create makes exactly one of them write it.
 */
function readOrCreateSecretFile(file: string, generate: () => string): string {
  try {
    writeFileSync(file, generate(), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new ConfigError(`Cannot create ${file}: ${(error as Error).message}`);
    }
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  return readFileSync(file, "utf8").trim();
}

function sqlitePathFromUrl(url: string, cwd: string): string {
  const location = url.slice("file:".length).split("?")[0]!;
  if (location === "") throw new ConfigError("DATABASE_URL: the SQLite URL has no file path (e.g. file:./data/xendeck.db)");
  return path.resolve(cwd, location);
}

/**
 * Validates `env` and resolves the configuration. Creates the data directory and, when the corresponding
 * variables are absent, the generated key files `secret.key` and `auth-secret` in it.
 * @throws ConfigError listing every invalid variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid XenDeck configuration:\n${lines.join("\n")}`);
  }
  const vars = parsed.data;

  const dataDir = path.resolve(cwd, vars.XENDECK_DATA_DIR ?? "data");
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`XENDECK_DATA_DIR: cannot create ${dataDir}: ${(error as Error).message}`);
  }

  const databaseUrl = vars.DATABASE_URL ?? `file:${path.join(dataDir, "xendeck.db")}`;
  const databaseProvider: DatabaseProvider = databaseUrl.startsWith("file:") ? "sqlite" : "postgresql";
  const sqlitePath = databaseProvider === "sqlite" ? sqlitePathFromUrl(databaseUrl, cwd) : null;

  const secretKey = vars.XENDECK_SECRET_KEY
    ? decodeBase64Key(vars.XENDECK_SECRET_KEY)!
    : decodeBase64Key(readOrCreateSecretFile(path.join(dataDir, "secret.key"), () => randomBytes(32).toString("base64")));
  if (!secretKey) throw new ConfigError(`${path.join(dataDir, "secret.key")} does not hold a base64 32-byte key`);

  const authSecret = vars.NEXTAUTH_SECRET ?? readOrCreateSecretFile(path.join(dataDir, "auth-secret"), () => randomBytes(48).toString("base64url"));
  if (authSecret.length < 32) throw new ConfigError(`${path.join(dataDir, "auth-secret")} is too short (32 characters at least)`);

  return {
    databaseUrl,
    databaseProvider,
    sqlitePath,
    dataDir,
    secretKey,
    authSecret,
    publicUrl: vars.NEXTAUTH_URL ?? null,
    initialAdminPassword: vars.XENDECK_ADMIN_PASSWORD ?? null,
    sessionMaxAgeSeconds: vars.XENDECK_SESSION_MAX_AGE_SECONDS,
    login: {
      maxFailuresPerAccount: vars.XENDECK_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: vars.XENDECK_LOGIN_MAX_FAILURES_PER_ADDRESS,
      accountSlowdownFailures: vars.XENDECK_LOGIN_ACCOUNT_SLOWDOWN_FAILURES,
      windowSeconds: vars.XENDECK_LOGIN_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: vars.XENDECK_LOGIN_LOCKOUT_SECONDS,
    },
    auditAnonymousMaxPerAddress: vars.XENDECK_AUDIT_ANONYMOUS_MAX_PER_ADDRESS,
    trustedProxies: vars.XENDECK_TRUSTED_PROXIES,
    compress: vars.XENDECK_COMPRESS,
    consoles: {
      idleTimeoutSeconds: vars.XENDECK_CONSOLE_IDLE_TIMEOUT_SECONDS,
      maxDurationSeconds: vars.XENDECK_CONSOLE_MAX_DURATION_SECONDS,
    },
  };
}

const globalForConfig = globalThis as typeof globalThis & { __xendeckConfig?: Config };

/** The process-wide configuration, loaded from `process.env` on first use. */
export function getConfig(): Config {
  globalForConfig.__xendeckConfig ??= loadConfig();
  return globalForConfig.__xendeckConfig;
}

/** Tests only: forget the cached configuration so the next `getConfig()` re-reads `process.env`. */
export function resetConfigForTests(): void {
  delete globalForConfig.__xendeckConfig;
}
