/** Searching, filtering, sorting and paging the VM list, with the whole state in the URL. */
import { expect, test } from "./support/fixtures";

test("search by text and by field terms", async ({ page }) => {
  await page.goto("/vms");
  const table = page.getByRole("table", { name: "Virtual machines" });
  // The search applies while typing, without an Apply button.
  await page.getByLabel("Search", { exact: true }).fill("k8s-node");
  await expect(page).toHaveURL(/q=k8s-node/);
  const names = table.locator("tbody tr td:nth-child(2)");
  await expect(names.first()).toContainText("k8s-node");
  for (const name of await names.allTextContents()) expect(name).toContain("k8s-node");

  await page.getByLabel("Search", { exact: true }).fill("power_state:halted pool:lab");
  await expect(page).toHaveURL(/q=power_state%3Ahalted\+pool%3Alab/);
  const rows = table.locator("tbody tr");
  await expect(rows.first()).toContainText("Halted");
  for (const row of await rows.all()) {
    await expect(row).toContainText("Halted");
    await expect(row.locator("td:nth-child(4)")).toHaveText("lab");
  }
});

test("filters, sort and page live in the URL and survive a reload", async ({ page, run }) => {
  const production = run.pools.find((pool) => pool.name === "production")!;
  await page.goto("/vms");
  // Each filter applies as it changes.
  await page.getByRole("checkbox", { name: "Suspended" }).check();
  await expect(page).toHaveURL(/power=Suspended/);
  await page.getByRole("checkbox", { name: "Paused" }).check();
  await expect(page).toHaveURL(/power=Paused/);
  await page.getByLabel("Pool").selectOption({ label: "production" });
  await expect(page).toHaveURL(new RegExp(`pool=${production.id}`));
  await expect(page).toHaveURL(/power=Paused&power=Suspended/);
  const table = page.getByRole("table", { name: "Virtual machines" });
  const expected = run.vms.filter((vm) => vm.pool === "production" && (vm.powerState === "Paused" || vm.powerState === "Suspended"));
  await expect(table.locator("tbody tr")).toHaveCount(expected.length);

  // Sorting by memory, biggest first, keeps the filters.
  await table.getByRole("link", { name: /^Memory/ }).click();
  await expect(page).toHaveURL(/sort=memory&dir=desc/);
  await expect(page).toHaveURL(/power=Paused/);
  const sizes = await table.locator("tbody tr td:nth-child(7)").allTextContents();
  const bytes = sizes.map((text) => Number.parseFloat(text) * (text.includes("TiB") ? 1024 : text.includes("GiB") ? 1 : 1 / 1024));
  expect(bytes).toEqual([...bytes].sort((a, b) => b - a));

  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Suspended" })).toBeChecked();
  await expect(table.locator("tbody tr")).toHaveCount(expected.length);
  await expect(table.getByRole("columnheader", { name: /Memory/ })).toHaveAttribute("aria-sort", "descending");
});

test("server-side pages", async ({ page, run }) => {
  const pools = run.pools.filter((pool) => pool.name === "lab" || pool.name === "production");
  const total = run.vms.filter((vm) => vm.pool === "lab" || vm.pool === "production").length;
  const filter = pools.map((pool) => `pool=${pool.id}`).join("&");
  await page.goto(`/vms?${filter}&perPage=25`);
  await expect(page.getByText(`1–25 of ${total} VMs`)).toBeVisible();
  await page.getByRole("navigation", { name: "VM list pages" }).getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(`26–${total} of ${total} VMs`)).toBeVisible();
  await expect(page.getByRole("table", { name: "Virtual machines" }).locator("tbody tr")).toHaveCount(total - 25);
});

test("a VM's name opens its page within the app, and in a new tab with a modifier key", async ({ page }) => {
  await page.goto("/vms?q=k8s-node");
  const link = page.getByRole("table", { name: "Virtual machines" }).locator("tbody tr td:nth-child(2) a").first();
  const name = (await link.textContent())!;
  const href = (await link.getAttribute("href"))!;
  expect(href).toMatch(/^\/vms\/[0-9a-f-]{36}$/);
  // A full page load would lose this marker: the click must be a client-side navigation.
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  await link.click();
  await expect(page).toHaveURL(href);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

  await page.goBack();
  const [popup] = await Promise.all([page.context().waitForEvent("page"), page.locator(`a[href="${href}"]`).click({ modifiers: ["ControlOrMeta"] })]);
  await expect(popup).toHaveURL(href);
  await popup.close();
  await expect(page).toHaveURL(/\/vms\?q=k8s-node$/);
});

test("a search term that is not understood is named, with the nearest field or value to try", async ({ page }) => {
  await page.goto("/vms");
  const problems = page.getByRole("status", { name: "Search terms not understood" });

  // A misspelt value: no VM could match, and the page says why instead of only "0 VMs match".
  await page.getByLabel("Search", { exact: true }).fill("power_state:runing");
  await expect(problems).toContainText("“runing” is not a power state");
  await problems.getByRole("link", { name: "power_state:running" }).click();
  await expect(page).toHaveURL(/q=power_state%3Arunning/);
  await expect(page.getByLabel("Search", { exact: true })).toHaveValue("power_state:running");
  await expect(problems).toHaveCount(0);
  const rows = page.getByRole("table", { name: "Virtual machines" }).locator("tbody tr");
  await expect(rows.first()).toContainText("Running");

  // An unknown field: searched as plain text, and the nearest field is offered.
  await page.getByLabel("Search", { exact: true }).fill("nmae:web");
  await expect(problems).toContainText("“nmae” is not a search field");
  await expect(problems.getByRole("link", { name: "name:web" })).toBeVisible();
  await page.getByLabel("Search", { exact: true }).fill("foo:bar");
  await expect(problems).toContainText("“foo” is not a search field");
});
