/**
 * Sessions end on the server: a cookie copied before logout is refused afterwards; a user sees their sessions
 * and ends one; an admin ends all of a user's; a password change ends the other sessions and keeps this one;
 * re-enabling a disabled account does not bring its sessions back.
 */
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { signedInContext, userId } from "./support/access";
import { createUser, expect, test, updateUser } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";

test.use({ storageState: { cookies: [], origins: [] } });
// Each test signs in two or three browsers.
test.describe.configure({ timeout: 90_000 });

const PASSWORD = "session-user-password";

async function newUser(prefix: string): Promise<string> {
  const username = `${prefix}-${test.info().workerIndex}-${Date.now().toString(36)}`;
  await createUser({ username, password: PASSWORD });
  return username;
}

/** True when `page`'s session still opens a console page; false when it is sent to the login page. */
async function stillSignedIn(page: Page): Promise<boolean> {
  await page.goto("/hosts");
  return new URL(page.url()).pathname === "/hosts";
}

async function signedIn(browser: Browser, run: RunInfo, username: string, password = PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
  return signedInContext(browser, run, username, password);
}

test("a session cookie copied before logout is refused afterwards", async ({ browser, run, playwright }) => {
  const username = await newUser("copied");
  const { context, page } = await signedIn(browser, run, username);
  const stolen = await playwright.request.newContext({ baseURL: run.baseUrl, storageState: await context.storageState() });
  try {
    expect((await stolen.get("/api/pools")).status()).toBe(200);
    await page.getByRole("button", { name: /Account menu/ }).click();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);

    expect((await stolen.get("/api/pools")).status()).toBe(401);
    const response = await stolen.get("/vms", { maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers().location).toContain("/login");
  } finally {
    await stolen.dispose();
    await context.close();
  }
});

test("a user sees their sessions and ends another one", async ({ browser, run }) => {
  const username = await newUser("two-browsers");
  const first = await signedIn(browser, run, username);
  const second = await signedIn(browser, run, username);
  try {
    await first.page.getByRole("button", { name: /Account menu/ }).click();
    await first.page.getByRole("link", { name: "Sessions" }).click();
    const rows = first.page.getByRole("table", { name: "Your sessions" }).getByRole("row");
    await expect(rows).toHaveCount(3); // the header and two sessions
    const other = rows.filter({ hasNot: first.page.getByText("This browser") }).filter({ has: first.page.getByRole("button", { name: "End session" }) });
    await expect(other).toHaveCount(1);
    await expect(other).toContainText("127.0.0.1");
    await expect(other).toContainText("Chrome");
    await other.getByRole("button", { name: "End session" }).click();
    await expect(rows).toHaveCount(2);

    expect(await stillSignedIn(second.page)).toBe(false);
    expect(await stillSignedIn(first.page)).toBe(true);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test("an admin ends all sessions of a user", async ({ browser, run }) => {
  const username = await newUser("ended-by-admin");
  const user = await signedIn(browser, run, username);
  const admin = await browser.newContext({ baseURL: run.baseUrl, storageState: run.users.admin.storageState });
  try {
    const page = await admin.newPage();
    await page.goto(`/admin/users/${userId(run, username)}`);
    await expect(page.getByText("1 active session")).toBeVisible();
    await page.getByRole("button", { name: "End all sessions" }).click();
    await expect(page.getByText("Sessions ended: 1.")).toBeVisible();
    expect(await stillSignedIn(user.page)).toBe(false);
  } finally {
    await user.context.close();
    await admin.close();
  }
});

test("changing one's password ends the other sessions and keeps this one", async ({ browser, run }) => {
  const username = await newUser("new-password");
  const first = await signedIn(browser, run, username);
  const second = await signedIn(browser, run, username);
  try {
    await first.page.goto("/settings/password");
    await first.page.getByRole("textbox", { name: "Current password" }).fill(PASSWORD);
    await first.page.getByRole("textbox", { name: "New password", exact: true }).fill("a brand new password");
    await first.page.getByRole("textbox", { name: "Confirm new password" }).fill("a brand new password");
    await first.page.getByRole("button", { name: "Change password" }).click();
    await expect(first.page.getByText("Password changed. Your other sessions have ended.")).toBeVisible();
    expect(await stillSignedIn(second.page)).toBe(false);
    expect(await stillSignedIn(first.page)).toBe(true);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test("re-enabling a disabled account does not bring its sessions back", async ({ browser, run }) => {
  const username = await newUser("re-enabled");
  const user = await signedIn(browser, run, username);
  try {
    await updateUser(username, { disabled: true });
    await updateUser(username, { disabled: false });
    expect(await stillSignedIn(user.page)).toBe(false);
  } finally {
    await user.context.close();
  }
});
