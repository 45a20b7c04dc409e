/**
 * An admin registers a pool through the form: a wrong password is refused with a clear message, the
 * connection test shows what it found, the pool then appears with its hosts and VMs, and the same pool
 * cannot be registered twice.
 */
import { expect, test } from "./support/fixtures";

test("register a pool: wrong password refused, then registered once, and shown live", async ({ page, run }) => {
  const staging = run.pools.find((pool) => pool.name === "staging")!;
  await page.goto("/pools");
  await page.getByRole("link", { name: "Register a pool" }).first().click();
  await expect(page).toHaveURL(/\/pools\/new$/);

  const form = page.getByRole("form", { name: "Register a pool" });
  await form.getByLabel("Label").fill("staging");
  await form.getByLabel("URL").fill(staging.masterUrl);
  await form.getByLabel("Username").fill(run.sim.username);
  await form.getByLabel("Password").fill("not-the-password");
  await form.getByRole("button", { name: "Register pool" }).click();
  await expect(form.getByText("The pool refused the username or password.", { exact: true })).toBeVisible();
  await expect(form.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/pools\/new$/);

  // Fields the form validates itself.
  await form.getByLabel("URL").fill("ftp://somewhere");
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByText("Give the http:// or https:// URL of a pool member")).toBeVisible();

  await form.getByLabel("URL").fill(staging.masterUrl);
  await form.getByLabel("Password").fill(run.sim.password);
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByText(/Connected to pool “staging”: 3 hosts/)).toBeVisible();
  await form.getByRole("button", { name: "Register pool" }).click();

  await expect(page).toHaveURL(/\/pools\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "staging" })).toBeVisible();
  await expect(page.getByRole("main").getByText("Connected").first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("table", { name: "Hosts of the pool" }).locator("tbody tr")).toHaveCount(3);

  // The same pool again, under another label: refused.
  await page.goto("/pools/new");
  await form.getByLabel("Label").fill("staging-again");
  // Through another member: XenDeck recognises the pool by its XAPI uuid, not by its URL.
  await form.getByLabel("URL").fill(staging.masterUrl.replace(staging.hosts[0]!.address, staging.hosts[1]!.address));
  await form.getByLabel("Username").fill(run.sim.username);
  await form.getByLabel("Password").fill(run.sim.password);
  // Testing the connection says so at once, before any attempt to save (issue 17 #10).
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("This pool is already registered as “staging”: saving it again will be refused.")).toBeVisible();
  await form.getByRole("button", { name: "Register pool" }).click();
  await expect(form.getByText("This pool is already registered as “staging”.")).toBeVisible();
  await expect(page).toHaveURL(/\/pools\/new$/);
});
