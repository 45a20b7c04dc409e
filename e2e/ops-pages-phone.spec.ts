/**
 * The alerts, tasks, storage, network and host pages at phone width (390 px): wide tables scroll inside their own
 * frame, the page itself never scrolls sideways.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

test.use({ viewport: { width: 390, height: 844 } });

/** How far the page scrolls sideways (0: not at all). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("no alerts, tasks, storage, network or host page scrolls sideways at 390 px", async ({ page, run }) => {
  test.setTimeout(120_000);
  const lab = run.pools.find((pool) => pool.name === "lab")!;
  await page.goto("/storage");
  const sr = await page.getByRole("table", { name: "Storage repositories" }).getByRole("link", { name: "NFS storage (nas-01)" }).first().getAttribute("href");
  await page.goto("/networks");
  const network = await page.getByRole("table", { name: "Networks" }).getByRole("link", { name: "VLAN 20 (DMZ)" }).first().getAttribute("href");
  for (const path of ["/alerts", "/tasks", "/storage", sr!, "/networks", network!, `/hosts/${lab.hosts[1]!.uuid}`]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await overflow(page), path).toBeLessThanOrEqual(0);
  }
});
