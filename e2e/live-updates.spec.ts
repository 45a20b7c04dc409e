/**
 * Changes made elsewhere (here: on the simulator, as an admin on a host would) appear on open pages without a
 * reload, once their live stream is open; a pool that loses its connection shows a banner and its VMs as last
 * known.
 */
import { expect, gotoLive, test } from "./support/fixtures";
import type { Page } from "@playwright/test";

/** Marks the document: if the page reloads, the mark is gone. */
async function markDocument(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 42));
  return () => page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark === 42);
}

test("a VM stopped on the pool shows as halted on its open page and in the open list", async ({ page, sim, vm, context }) => {
  const dns = vm("lab", "dns-01");
  await gotoLive(page, `/vms/${dns.uuid}`);
  await expect(page.locator("main header").first()).toContainText("Running");
  const list = await context.newPage();
  await gotoLive(list, `/vms?q=${encodeURIComponent("name:dns-01 pool:lab")}`);
  const row = list.getByRole("row").filter({ hasText: "dns-01" });
  await expect(row).toContainText("Running");
  const pageKept = await markDocument(page);
  const listKept = await markDocument(list);

  await sim.changeVm(dns.uuid, { power_state: "Halted" });
  await expect(page.locator("main header").first()).toContainText("Halted");
  await expect(row).toContainText("Halted");
  expect(await pageKept()).toBe(true);
  expect(await listKept()).toBe(true);

  await sim.changeVm(dns.uuid, { power_state: "Running" });
  await expect(page.locator("main header").first()).toContainText("Running");
  await expect(row).toContainText("Running");
});

test("a VM renamed on the pool gets its new name in the open list", async ({ page, sim, vm }) => {
  const proxy = vm("lab", "proxy-02");
  await gotoLive(page, `/vms?q=${encodeURIComponent("pool:lab proxy")}`);
  await expect(page.getByRole("link", { name: "proxy-02", exact: true })).toBeVisible();
  await sim.changeVm(proxy.uuid, { fields: { name_label: "proxy-02-renamed" } });
  await expect(page.getByRole("link", { name: "proxy-02-renamed" })).toBeVisible();
  await sim.changeVm(proxy.uuid, { fields: { name_label: "proxy-02" } });
  await expect(page.getByRole("link", { name: "proxy-02", exact: true })).toBeVisible();
});

test("a disconnected pool shows a banner and its VMs as last known, until it is back", async ({ page, sim, run }) => {
  const dev = run.pools.find((pool) => pool.name === "dev")!;
  await gotoLive(page, `/vms?pool=${dev.id}`);
  const table = page.getByRole("table", { name: "Virtual machines" });
  await expect(table.getByRole("row")).not.toHaveCount(1);
  try {
    for (const host of dev.hosts) await sim.setHostState(host.address, "refuse");
    const banner = page.getByRole("status").filter({ hasText: "Pool dev" });
    await expect(banner).toContainText("showing last known state", { timeout: 10_000 });
    // Its VMs stay, marked as last known.
    await expect(table.getByText("(last known state)").first()).toBeAttached();
    // The other pages that show its objects have the banner too.
    await page.goto("/");
    await expect(page.getByRole("status").filter({ hasText: "Pool dev" })).toBeVisible();
    await page.goto("/hosts");
    await expect(page.getByRole("status").filter({ hasText: "Pool dev" })).toBeVisible();
  } finally {
    for (const host of dev.hosts) await sim.setHostState(host.address, "up");
  }
  await expect(page.getByRole("status").filter({ hasText: "Pool dev" })).toBeHidden({ timeout: 30_000 });
});
