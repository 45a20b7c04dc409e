/**
 * The hosts and pools lists as the admin of issue 17 read them (#10): the hosts list is searched while typing and
 * sorted by its headers, the whole view in the URL; the pools list says what its numbers count.
 */
import { expect, test } from "./support/fixtures";

test("the hosts list searches while typing and sorts by a header, and the URL holds both", async ({ page, run }) => {
  const lab = run.pools.find((pool) => pool.name === "lab")!.hosts.map((host) => host.name);
  await page.goto("/hosts");
  const table = page.getByRole("table", { name: "Hosts" });
  const names = () => table.locator("tbody tr td:first-child a").allTextContents();

  await page.getByRole("searchbox", { name: "Search" }).fill("xcp-lab");
  await expect(page).toHaveURL(/q=xcp-lab/);
  await expect(page.getByText(/^3 hosts match, out of \d+$/)).toBeVisible();
  await expect.poll(names).toEqual([...lab].sort());

  await table.getByRole("link", { name: /^Name\b.*sort descending$/ }).click();
  await expect(page).toHaveURL(/dir=desc/);
  await expect(table.getByRole("columnheader", { name: /^Name/ })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(names).toEqual([...lab].sort().reverse());

  // A reload keeps the view.
  await page.reload();
  await expect(page.getByRole("searchbox", { name: "Search" })).toHaveValue("xcp-lab");
  await expect.poll(names).toEqual([...lab].sort().reverse());
});

test("the pools list labels what its VM numbers count", async ({ page }) => {
  await page.goto("/pools");
  await expect(page.getByRole("table").getByRole("columnheader", { name: "VMs (running / total)" })).toBeVisible();
});
