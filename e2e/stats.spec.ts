/**
 * Performance graphs: a VM's Stats tab draws its CPU, memory, network and disk graphs and switches ranges; a VM
 * that starts gets a graph that grows while the page is open; a host that does not answer gets a message instead
 * of graphs; and a viewer of one VM finds that VM alone in the dashboard's top lists. VMs used here are lab's that
 * no other spec touches (lab's first ones belong to the lifecycle specs).
 */
import { signedInContext, uniqueName } from "./support/access";
import { createUser, expect, test } from "./support/fixtures";
import { runInfo } from "./support/run-info";
import type { Page } from "@playwright/test";

const chart = (page: Page, title: string) => page.getByRole("figure", { name: `${title} chart` });
/** How many points the chart's first line has, and the time of its newest (the figure says them, for tests and tools). */
const points = async (page: Page, title: string) => Number(await chart(page, title).getAttribute("data-points"));
const newest = async (page: Page, title: string) => Number((await chart(page, title).getAttribute("data-last-time")) ?? 0);

test("the VM Stats tab draws CPU, memory, network and disk graphs", async ({ page, vm }) => {
  const db = vm("lab", "db-02");
  await page.goto(`/vms/${db.uuid}`);
  await page.getByRole("navigation", { name: "VM sections" }).getByRole("link", { name: "Stats" }).click();
  await expect(page).toHaveURL(new RegExp(`/vms/${db.uuid}/stats$`));
  for (const title of ["CPU", "Memory", "Network", "Disk"]) {
    await expect(chart(page, title).locator("canvas").first()).toBeVisible();
  }
  await expect(page.getByText("Live: a point every 5 seconds")).toBeVisible();
  expect(await points(page, "CPU")).toBeGreaterThan(100);
  await expect(chart(page, "CPU").getByRole("list", { name: "CPU: last values" })).toContainText("%");
  await expect(chart(page, "Memory").getByRole("list", { name: "Memory: last values" })).toContainText(/[KMG]iB/);
  // Hovering a graph shows every series' value at that time.
  await chart(page, "CPU").locator(".u-over").hover();
  await expect(chart(page, "CPU").getByText(/^Total: \d/)).toBeVisible();
});

test("the VM Stats tab switches to longer ranges", async ({ page, vm }) => {
  await page.goto(`/vms/${vm("lab", "db-02").uuid}/stats`);
  await page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: "1 week" }).click();
  await expect(page).toHaveURL(/range=1w/);
  await expect(page.getByText("A point every hour")).toBeVisible();
  await expect(chart(page, "CPU").locator("canvas").first()).toBeVisible();
  expect(await points(page, "CPU")).toBeGreaterThan(150);
});

test("a VM that starts gets a graph that grows while its Stats tab is open", async ({ page, sim, vm }) => {
  const log = vm("lab", "log-01");
  await sim.changeVm(log.uuid, { power_state: "Halted" });
  try {
    await page.goto(`/vms/${log.uuid}/stats`);
    await expect(page.getByText("No statistics while the VM is not running")).toBeVisible();

    const startedAt = Date.now();
    await sim.changeVm(log.uuid, { power_state: "Running" });
    // The page follows the VM (live updates), then its host reports the new domain every 5 seconds: points of
    // after the start appear at the right, then newer ones, without reloading.
    await expect(chart(page, "CPU").locator("canvas").first()).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => newest(page, "CPU"), { timeout: 30_000 }).toBeGreaterThan(startedAt);
    expect(await points(page, "CPU")).toBeGreaterThan(0);
    const first = await newest(page, "CPU");
    await expect.poll(() => newest(page, "CPU"), { timeout: 30_000 }).toBeGreaterThan(first);
  } finally {
    await sim.changeVm(log.uuid, { power_state: "Paused" });
  }
});

test("a host's Stats tab draws its graphs, and says so when the host does not answer", async ({ page, sim, run }) => {
  const lab = run.pools.find((pool) => pool.name === "lab")!;
  const host = lab.hosts[2]!;
  await page.goto(`/hosts/${host.uuid}/stats?range=2h`);
  for (const title of ["CPU", "Load", "Memory", "Network"]) await expect(chart(page, title).locator("canvas").first()).toBeVisible();

  await sim.setHostState(host.address, "refuse");
  try {
    await page.goto(`/hosts/${host.uuid}/stats?range=1y`);
    await expect(page.getByText("Statistics are unavailable")).toBeVisible();
    await expect(page.getByText(`${host.name} does not answer statistics requests`)).toBeVisible();
    await expect(page.getByRole("figure")).toHaveCount(0);
  } finally {
    await sim.setHostState(host.address, "up");
  }
});

test("fits a phone: the page never scrolls sideways, in the dark theme too", async ({ page, vm }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  await page.goto(`/vms/${vm("lab", "db-02").uuid}/stats`);
  await expect(chart(page, "Disk").locator("canvas").first()).toBeVisible();
  expect(await pageWidth()).toBeLessThanOrEqual(390);
  await page.goto("/");
  await expect(page.getByRole("list", { name: "Top VMs by CPU" }).getByRole("listitem").first()).toBeVisible();
  expect(await pageWidth()).toBeLessThanOrEqual(390);
});

test("a viewer of one VM sees only that VM in the dashboard's top lists, and no host", async ({ browser, run, vm }, testInfo) => {
  // It creates an account and signs in through the login page first (scrypt, a child process): slow on a busy machine.
  test.slow();
  const mine = vm("lab", "app-02");
  const username = uniqueName("stats-viewer", testInfo);
  await createUser({ username, password: "stats-viewer-password", acls: [{ kind: "vm", uuid: mine.uuid, role: "viewer" }] });
  const { context, page } = await signedInContext(browser, run, username, "stats-viewer-password");
  try {
    await page.goto("/");
    for (const metric of ["CPU", "memory", "network", "disk"]) {
      const list = page.getByRole("list", { name: `Top VMs by ${metric}` });
      await expect(list.getByRole("listitem")).toHaveCount(1);
      await expect(list.getByRole("link")).toHaveText(mine.name);
    }
    await expect(page.getByRole("table", { name: "Host usage" })).toHaveCount(0);
    // Its own VM's statistics answer; another VM's and any host's do not exist for it.
    expect((await page.request.get(`/api/stats/vms/${mine.uuid}?range=10m`)).status()).toBe(200);
    expect((await page.request.get(`/api/stats/vms/${vm("lab", "db-02").uuid}?range=10m`)).status()).toBe(404);
    expect((await page.request.get(`/api/stats/hosts/${run.pools[0]!.hosts[0]!.uuid}`)).status()).toBe(404);
  } finally {
    await context.close();
  }
});

test("the stats routes answer nothing without a session", async ({ playwright, run, vm }) => {
  const anonymous = await playwright.request.newContext({ baseURL: run.baseUrl, storageState: { cookies: [], origins: [] } });
  try {
    for (const path of [`/api/stats/vms/${vm("lab", "db-02").uuid}`, `/api/stats/hosts/${run.pools[0]!.hosts[0]!.uuid}`, "/api/stats/overview"]) {
      expect((await anonymous.get(path)).status(), path).toBe(401);
    }
  } finally {
    await anonymous.dispose();
  }
});

test("the dashboard ranks the busiest VMs of every pool for an admin, with host usage", async ({ page }) => {
  await page.goto("/");
  const cpu = page.getByRole("list", { name: "Top VMs by CPU" });
  await expect(cpu.getByRole("listitem")).toHaveCount(5);
  // Every host of every pool registered at setup has its row (other specs may register more pools meanwhile).
  const hostUsage = page.getByRole("table", { name: "Host usage" });
  for (const host of runInfo()
    .pools.filter((pool) => pool.id !== null)
    .flatMap((pool) => pool.hosts)) {
    await expect(hostUsage.getByRole("row").filter({ hasText: host.name }).first()).toBeVisible();
  }
});
