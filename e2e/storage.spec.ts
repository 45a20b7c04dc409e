/**
 * Storage and networks as an admin finds them: an SR page lists its disks with the VMs using them and its hosts;
 * every host's "Local storage" is named with its host wherever an SR is shown or picked (issue 17 #5); the migrate
 * dialog offers only the hosts that can run the VM and says why not the others (issue 17 #4); a network page
 * lists its VLAN interfaces per host. Nothing here changes the pools.
 */
import { expect, test } from "./support/fixtures";

test("an SR page lists its disks with their VMs, and its hosts", async ({ page, vm }) => {
  const db = vm("lab", "db-01");
  await page.goto(`/vms/${db.uuid}`);
  const disks = page.getByRole("table", { name: "Disks" });
  await disks.getByRole("link", { name: "NFS storage (nas-01)" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "NFS storage (nas-01)" })).toBeVisible();
  const onSr = page.getByRole("table", { name: "Disks on this storage" });
  await expect(
    onSr
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: "db-01", exact: true }) })
      .first(),
  ).toBeVisible();
  const hosts = page.getByRole("table", { name: "Hosts attached to this storage" });
  for (const name of ["xcp-lab-01", "xcp-lab-02", "xcp-lab-03"]) await expect(hosts.getByRole("row").filter({ hasText: name })).toContainText("Plugged");
});

test("every local SR is named with its host: the storage list, the pool page and the copy dialog", async ({ page, run, vm }) => {
  const lab = run.pools.find((pool) => pool.name === "lab")!;
  const locals = lab.hosts.map((host) => `Local storage on ${host.name}`);

  await page.goto("/storage");
  const list = page.getByRole("table", { name: "Storage repositories" });
  for (const name of locals) await expect(list.getByRole("link", { name, exact: true })).toBeVisible();

  await page.goto(`/pools/${lab.id}`);
  for (const name of locals) await expect(page.getByRole("table", { name: "Storage repositories" }).getByRole("link", { name, exact: true })).toBeVisible();

  await page.goto(`/vms/${vm("lab", "api-02").uuid}`);
  await page.getByRole("toolbar", { name: "VM management" }).getByRole("button", { name: "Copy", exact: true }).click();
  const options = await page.getByRole("dialog", { name: "Copy api-02" }).getByLabel("Storage for the disks").locator("option").allTextContents();
  for (const name of locals) expect(options.some((option) => option.startsWith(`${name} ·`))).toBe(true);
  expect(options.filter((option) => option.startsWith("Local storage ·"))).toEqual([]);
});

test("the migrate dialog offers only hosts that can run the VM, and says why not the others", async ({ page, vm }) => {
  // app-02 runs on xcp-lab-01 with a disk on that host's own storage: it can run nowhere else.
  const app = vm("lab", "app-02");
  await page.goto(`/vms/${app.uuid}`);
  await page.getByRole("toolbar", { name: "VM management" }).getByRole("button", { name: "Migrate", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Migrate app-02" });
  const reason = "The VM “app-02” needs the storage “Local storage on xcp-lab-01”, which the host cannot reach";
  const reasons = dialog.getByRole("list", { name: "Hosts that cannot run this VM" });
  await expect(reasons).toContainText(`xcp-lab-02: ${reason}`);
  await expect(reasons).toContainText(`xcp-lab-03: ${reason}`);
  for (const name of ["xcp-lab-02", "xcp-lab-03"]) await expect(dialog.getByRole("option", { name: new RegExp(`^${name} \\(`) })).toBeDisabled();
  await expect(dialog.getByText("No other host can run this VM now")).toBeVisible();
});

test("a network page lists its VLAN interfaces per host and the VMs on it", async ({ page, run }) => {
  await page.goto("/networks");
  const networks = page.getByRole("table", { name: "Networks" });
  const dmz = networks.getByRole("row").filter({ hasText: "VLAN 20 (DMZ)" }).filter({ hasText: "lab" });
  await expect(dmz).toContainText("20");
  await dmz.getByRole("link", { name: "VLAN 20 (DMZ)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "VLAN 20 (DMZ)" })).toBeVisible();
  const pifs = page.getByRole("table", { name: "Physical interfaces per host" });
  for (const host of run.pools.find((pool) => pool.name === "lab")!.hosts)
    await expect(pifs.getByRole("row").filter({ hasText: host.name })).toContainText("20");
  await expect(page.getByRole("table", { name: "VM interfaces on this network" }).getByRole("link").first()).toBeVisible();
});
