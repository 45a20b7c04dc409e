/**
 * Helpers for the access-control specs (access-*.spec.ts, security-*.spec.ts), on top of the shared harness
 * (e2e/support): unique names, signing in a second browser as another account, reading the audit log as the
 * admin through the export route, calling server actions directly (as a forged request would), and a read/write
 * handle on the run's SQLite database for the audit-chain tamper check.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Page, type TestInfo } from "@playwright/test";
import type { RunInfo } from "./run-info";

/** A name unique to this test (usernames, group names: the database lives for the whole run). */
export function uniqueName(prefix: string, info: TestInfo): string {
  return `${prefix}-${info.workerIndex}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** A fresh browser context signed in (through the login page) as `username`. */
export async function signedInContext(browser: Browser, run: RunInfo, username: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: run.baseUrl, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  return { context, page };
}

/** An API context carrying a seeded user's session cookie. */
export function apiAs(run: RunInfo, user: keyof RunInfo["users"]): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL: run.baseUrl, storageState: run.users[user].storageState });
}

export interface AuditRow {
  id: number;
  at: string;
  actorUsername: string | null;
  action: string;
  objectKind: string | null;
  objectUuid: string | null;
  outcome: "ok" | "error" | "refused";
  errorCode: string | null;
  params: Record<string, unknown>;
}

/** Audit entries matching `filter` (the audit page's URL keys), read as the admin through the JSON export. */
export async function auditEntries(run: RunInfo, filter: Record<string, string>): Promise<AuditRow[]> {
  const admin = await apiAs(run, "admin");
  try {
    const response = await admin.get(`/api/audit/export?${new URLSearchParams({ ...filter, format: "json" })}`);
    if (!response.ok()) throw new Error(`audit export: HTTP ${response.status()} ${await response.text()}`);
    return (await response.json()) as AuditRow[];
  } finally {
    await admin.dispose();
  }
}

/** The current time as the audit filter's `from` (UTC, with a margin for clock rounding). */
export function auditSince(date = new Date()): string {
  return new Date(date.getTime() - 1000).toISOString();
}

// --- Server actions called directly ------------------------------------------------------------------------

interface ServerReference {
  filename: string;
  exportedName: string;
  workers: Record<string, unknown>;
}

/** Every server action of the build under test, from Next's server-reference manifest (the build is copied to `<runDir>/next`). */
export function serverActions(run: RunInfo): { id: string; filename: string; name: string }[] {
  const manifestFile = path.join(run.runDir, "next", "server", "server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { node: Record<string, ServerReference> };
  return Object.entries(manifest.node)
    .filter(([, reference]) => reference.filename.startsWith("app/"))
    .map(([id, reference]) => ({ id, filename: reference.filename, name: reference.exportedName }));
}

/** The id of the server action exported as `exportedName` (names are unique across the app: checked here). */
export function actionId(run: RunInfo, exportedName: string): string {
  const found = serverActions(run).filter((action) => action.name === exportedName);
  if (found.length !== 1) throw new Error(`${found.length} server actions named ${exportedName} in the build`);
  return found[0]!.id;
}

/** React's own encoder of server action arguments, as the browser uses it (the Node build of Next's copy). */
const { encodeReply } = createRequire(import.meta.url)("next/dist/compiled/react-server-dom-turbopack/client.node") as {
  encodeReply: (args: unknown[]) => Promise<string | FormData>;
};

/**
 * Calls a server action the way the browser does, but with arguments of our choosing: `Next-Action` header, the
 * arguments encoded by React's `encodeReply` (a FormData argument becomes multipart fields), posted to a page
 * path. The answer is React's flight stream: the action's return value is in it as JSON text.
 */
export async function callServerAction(
  api: APIRequestContext,
  run: RunInfo,
  options: { id: string; page: string; args: unknown[] },
): Promise<{ status: number; body: string }> {
  const encoded = await encodeReply(options.args);
  const headers = { "Next-Action": options.id, Accept: "text/x-component", Origin: run.baseUrl };
  const response =
    typeof encoded === "string"
      ? await api.post(options.page, { headers: { ...headers, "Content-Type": "text/plain;charset=UTF-8" }, data: encoded })
      : await api.post(options.page, { headers, multipart: encoded });
  return { status: response.status(), body: await response.text() };
}

/** FormData from a record (for actions that take a form). */
export function formData(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

// --- The run's database and the simulator, read directly -----------------------------------------------------

interface SqliteStatement {
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  run(...params: unknown[]): { changes: number };
}
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}
const BetterSqlite3 = createRequire(import.meta.url)("better-sqlite3") as new (
  file: string,
  options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number },
) => SqliteDatabase;

/** The app server's SQLite database (read-only unless `writable`), waiting for the app's locks like it does. */
export function openRunDb(run: RunInfo, options: { writable?: boolean } = {}): SqliteDatabase {
  const file = run.appEnv.DATABASE_URL!.slice("file:".length);
  return new BetterSqlite3(file, { readonly: !options.writable, fileMustExist: true, timeout: 10_000 });
}

/** Runs `fn` with the run's database open, then closes it. */
export function withRunDb<T>(run: RunInfo, fn: (db: SqliteDatabase) => T, options: { writable?: boolean } = {}): T {
  const db = openRunDb(run, options);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface StoredAuditEntry {
  id: number;
  actorUsername: string | null;
  action: string;
  objectKind: string | null;
  objectUuid: string | null;
  outcome: string;
  errorCode: string | null;
  params: string;
}

/** The last audit entry id (entries after it are what a test caused, and what others did meanwhile). */
export function lastAuditId(run: RunInfo): number {
  return withRunDb(run, (db) => Number(db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM AuditEntry").get()!.id));
}

/** Audit entries of `username` written after entry `afterId`, oldest first. */
export function auditEntriesOf(run: RunInfo, username: string, afterId: number): StoredAuditEntry[] {
  return withRunDb(
    run,
    (db) =>
      db
        .prepare(
          "SELECT id, actorUsername, action, objectKind, objectUuid, outcome, errorCode, params FROM AuditEntry WHERE actorUsername = ? AND id > ? ORDER BY id",
        )
        .all(username, afterId) as unknown as StoredAuditEntry[],
  );
}

/** A user's database id. */
export function userId(run: RunInfo, username: string): string {
  const row = withRunDb(run, (db) => db.prepare("SELECT id FROM User WHERE username = ?").get(username));
  if (!row) throw new Error(`no user ${username}`);
  return String(row.id);
}

/** The cookie header of a seeded user's signed-in browser state (for raw `fetch`, e.g. reading a stream). */
export function cookieHeader(run: RunInfo, user: keyof RunInfo["users"]): string {
  const state = JSON.parse(readFileSync(run.users[user].storageState, "utf8")) as { cookies: { name: string; value: string }[] };
  return state.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

/**
 * For the global teardown, once the app server has stopped and before the run directory goes: verifies the
 * run's audit chain with the `audit:verify` CLI. Throws, naming the first broken entry, when it is not intact.
 */
export function assertAuditChainIntact(appEnv: Record<string, string>): string {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
  try {
    return execFileSync(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(root, "lib/audit/verify-cli.ts")], {
      cwd: root,
      env: { ...process.env, ...appEnv },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    }).trim();
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`the audit chain of the e2e run does not verify: ${(stderr || stdout).trim() || String(error)}`);
  }
}
