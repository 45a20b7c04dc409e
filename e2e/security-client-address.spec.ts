/**
 * The client address used for login throttling and the audit log, through XenDeck's real server with spoofed
 * X-Forwarded-For headers: with no trusted proxy (the run's server) the header is ignored and the socket's peer
 * counts; with one trusted proxy (a second server on the run's database) the last address of the header counts,
 * and a request without the header falls back to the peer.
 */
import { request as playwrightRequest } from "@playwright/test";
import { withRunDb } from "./support/access";
import { startExtraInstance, type ExtraInstance } from "./support/extra-instance";
import { expect, test } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";

test.use({ storageState: { cookies: [], origins: [] } });

/** A failed login posted to `baseUrl` with `headers`, as a script would send it. */
async function failLogin(baseUrl: string, username: string, headers: Record<string, string>): Promise<void> {
  const api = await playwrightRequest.newContext({ baseURL: baseUrl, extraHTTPHeaders: headers });
  try {
    const { csrfToken } = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await api.post("/api/auth/callback/credentials", { form: { csrfToken, username, password: "not the password", json: "true" } });
    expect(response.status()).toBeLessThan(500);
  } finally {
    await api.dispose();
  }
}

/** Where the run's database says `username`'s failed logins came from: audit addresses and throttle keys. */
function recordedAddresses(run: RunInfo, username: string) {
  return withRunDb(run, (db) => ({
    audit: db
      .prepare("SELECT address FROM AuditEntry WHERE action = 'auth.login' AND actorUsername = ? ORDER BY id")
      .all(username)
      .map((row) => row.address),
    throttled: db
      .prepare("SELECT key FROM LoginThrottle WHERE key LIKE ? ORDER BY key")
      .all(`pair:${username}|%`)
      .map((row) => String(row.key).split("|")[1]),
  }));
}

const unique = (prefix: string) => `${prefix}-${test.info().workerIndex}-${Date.now().toString(36)}`;

test("without a trusted proxy, a spoofed X-Forwarded-For changes neither the audited nor the throttled address", async ({ run }) => {
  const username = unique("spoofer");
  await failLogin(run.baseUrl, username, { "X-Forwarded-For": "203.0.113.77" });
  await failLogin(run.baseUrl, username, { "X-Forwarded-For": "198.51.100.1, 203.0.113.78", "X-XenDeck-Peer-Address": "192.0.2.99" });
  expect(recordedAddresses(run, username)).toEqual({ audit: ["127.0.0.1", "127.0.0.1"], throttled: ["127.0.0.1"] });
});

test.describe("behind one trusted proxy", () => {
  test.describe.configure({ timeout: 120_000 });
  let proxied: ExtraInstance;
  test.beforeAll(async ({ run }) => {
    proxied = await startExtraInstance(run, { name: `trusted-proxy-${test.info().workerIndex}`, env: { XENDECK_TRUSTED_PROXIES: "1" } });
  });
  test.afterAll(async () => proxied?.stop());

  test("the address the proxy appended counts, what the client wrote before it does not, and no header means the peer", async ({ run }) => {
    const username = unique("proxied");
    await failLogin(proxied.baseUrl, username, { "X-Forwarded-For": "6.6.6.6, 198.51.100.7" });
    await failLogin(proxied.baseUrl, username, {});
    expect(recordedAddresses(run, username)).toEqual({ audit: ["198.51.100.7", "127.0.0.1"], throttled: ["127.0.0.1", "198.51.100.7"] });
  });
});
