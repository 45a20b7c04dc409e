/**
 * Two-factor login in Chromium: enrolment (QR code, secret, a first code, recovery codes shown once), logging in
 * with a code, a replayed code refused, a recovery code accepted once; and the admins' policy, which sends a new
 * admin to enrolment after their password, before any page. The policy test runs on a server with a database
 * of its own: a policy applies to every account, and would stop the other specs' admin.
 */
import type { Page } from "@playwright/test";
import { totpCodeAt } from "../lib/auth/totp";
import { runDbCli } from "./support/db";
import { startExtraInstance, type ExtraInstance } from "./support/extra-instance";
import { createUser, expect, test } from "./support/fixtures";

test.use({ storageState: { cookies: [], origins: [] } });

const STEP_MS = 30_000;
const unique = (prefix: string) => `${prefix}-${test.info().workerIndex}-${Date.now().toString(36)}`;

async function enterPassword(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByRole("textbox", { name: "Code", exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login/);
}

/** Sets up two-factor login on the open page; returns the secret (read as the user would type it) and the recovery codes. */
async function enrol(page: Page, doneLink: string): Promise<{ secret: string; confirmedAt: number; recoveryCodes: string[] }> {
  await page.getByRole("button", { name: "Set up two-factor login" }).click();
  await expect(page.getByRole("img", { name: "QR code of the two-factor secret" })).toBeVisible();
  const secret = ((await page.getByLabel("Two-factor secret").textContent()) ?? "").replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const confirmedAt = Date.now();
  await page.getByRole("textbox", { name: "Code shown by the app" }).fill(totpCodeAt(secret, confirmedAt));
  await page.getByRole("button", { name: "Turn on two-factor login" }).click();
  const recoveryCodes = page.getByLabel("Recovery codes").getByRole("listitem");
  await expect(recoveryCodes).toHaveCount(10);
  const codes = await recoveryCodes.allTextContents();
  await page.getByRole("link", { name: doneLink }).click();
  return { secret, confirmedAt, recoveryCodes: codes };
}

test("enrol, log out, log in with a code; a replayed code is refused; a recovery code works once", async ({ page }) => {
  test.slow(); // six sign-ins
  const username = unique("otp");
  const password = "otp-user-password";
  await createUser({ username, password });
  await enterPassword(page, username, password);
  await page.waitForURL((url) => url.pathname === "/");

  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("link", { name: "Two-factor login" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Two-factor login" })).toBeVisible();
  const { secret, confirmedAt, recoveryCodes } = await enrol(page, "Continue to XenDeck");
  await page.waitForURL((url) => url.pathname === "/");
  await logOut(page);

  // The password alone is not enough any more.
  await enterPassword(page, username, password);
  await expect(page.getByRole("textbox", { name: "Code", exact: true })).toBeVisible();
  const code = totpCodeAt(secret, confirmedAt + STEP_MS);
  await enterCode(page, code);
  await page.waitForURL((url) => url.pathname === "/");
  await logOut(page);

  // The same code again, within its validity: refused.
  await enterPassword(page, username, password);
  await enterCode(page, code);
  await expect(page.getByText("Invalid code, or too many attempts.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  // A recovery code, once.
  await enterCode(page, recoveryCodes[0]!);
  await page.waitForURL((url) => url.pathname === "/");
  await logOut(page);
  await enterPassword(page, username, password);
  await enterCode(page, recoveryCodes[0]!);
  await expect(page.getByText("Invalid code, or too many attempts.")).toBeVisible();
  await enterCode(page, recoveryCodes[1]!);
  await page.waitForURL((url) => url.pathname === "/");

  await page.goto("/settings/two-factor");
  await expect(page.getByText("Two-factor login is on")).toBeVisible();
  await expect(page.getByText("Recovery codes left", { exact: true }).locator("xpath=following-sibling::dd")).toHaveText("8");
});

test.describe("when the admins require it", () => {
  test.describe.configure({ timeout: 120_000 });
  let instance: ExtraInstance;
  test.beforeAll(async ({ run }) => {
    instance = await startExtraInstance(run, { name: `two-factor-policy-${test.info().workerIndex}`, freshDatabase: true });
    await runDbCli(instance.env, ["set-two-factor-policy", "admins"]);
  });
  test.afterAll(async () => instance?.stop());

  test("a new admin is sent to enrolment after their password, before any page; a user is not", async ({ browser }) => {
    await runDbCli(instance.env, ["create-user", JSON.stringify({ username: "new-admin", password: "new-admin-password", isAdmin: true })]);
    await runDbCli(instance.env, ["create-user", JSON.stringify({ username: "plain-user", password: "plain-user-password" })]);
    const context = await browser.newContext({ baseURL: instance.baseUrl, storageState: { cookies: [], origins: [] } });
    try {
      const page = await context.newPage();
      await enterPassword(page, "plain-user", "plain-user-password");
      await page.waitForURL((url) => url.pathname === "/");
      await logOut(page);

      await enterPassword(page, "new-admin", "new-admin-password");
      await page.waitForURL((url) => url.pathname === "/settings/two-factor");
      await expect(page.getByText("Set up two-factor login to continue")).toBeVisible();
      for (const path of ["/vms", "/admin/users", "/admin/security"]) {
        await page.goto(path);
        await expect(page, path).toHaveURL(/\/settings\/two-factor$/);
      }
      // Nor any route: the pools, the live stream, the navigation's counts, statistics.
      for (const path of ["/api/pools", "/api/live", "/api/indicators", "/api/stats/overview"]) {
        expect((await context.request.get(path)).status(), path).toBe(401);
      }

      await enrol(page, "Continue to XenDeck");
      await page.waitForURL((url) => url.pathname === "/");
      await page.goto("/admin/security");
      await expect(page.getByRole("radio", { name: /Required for administrators/ })).toBeChecked();
    } finally {
      await context.close();
    }
  });
});
