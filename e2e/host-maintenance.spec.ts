/**
 * An admin takes a host through an upgrade's routine from its page: the maintenance pre-flight names the VMs that
 * cannot leave and why; once they are stopped, maintenance mode empties the host; a reboot asks first, shows the
 * host going away and coming back (still in maintenance); exit re-enables it. Each step is checked in the
 * simulator. Pool "dr-site" is for specs like this one, whose changes would disturb the others.
 */
import { expect, test } from "./support/fixtures";

/** A host's absence after a reboot at the run's speed (8 s at speed 1, the run is at 0.1). */
const USUAL_HOST_BOOT_MS = 800;

test("maintenance mode empties a host, a reboot brings it back, exit re-enables it", async ({ page, run, sim, vm }) => {
  test.setTimeout(90_000);
  const pool = run.pools.find((candidate) => candidate.name === "dr-site")!;
  const host = pool.hosts[1]!;
  const stuck = ["api-02", "api-03"].map((name) => vm("dr-site", name));
  await page.goto(`/hosts/${host.uuid}`);
  const header = page.locator("main header").first();
  await expect(header).toContainText("Enabled");
  const toolbar = page.getByRole("toolbar", { name: "Host maintenance" });

  // The pre-flight: the VMs whose disks are on this host's own storage cannot leave; nothing changes.
  await toolbar.getByRole("button", { name: "Enter maintenance mode" }).click();
  const dialog = page.getByRole("dialog", { name: `Put ${host.name} in maintenance mode?` });
  const blocking = dialog.getByRole("list", { name: "VMs that prevent the evacuation" });
  for (const { name } of stuck) {
    await expect(blocking).toContainText(`${name}: The VM “${name}” needs the storage “Local storage on ${host.name}”, which the host cannot reach`);
  }
  await dialog.getByRole("button", { name: "Enter maintenance mode" }).click();
  await expect(dialog.getByText(`2 VMs cannot leave ${host.name}, so nothing was changed`, { exact: false })).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await sim.host(host.uuid)).record.enabled).toBe(true);

  // Their owner stops them; now every VM can go.
  for (const { uuid } of stuck) await sim.changeVm(uuid, { power_state: "Halted" });
  await toolbar.getByRole("button", { name: "Enter maintenance mode" }).click();
  await expect(dialog.getByText(`Every VM on ${host.name} can move to another host.`)).toBeVisible();
  await dialog.getByRole("button", { name: "Enter maintenance mode" }).click();
  await expect(page.getByText(`${host.name} is in maintenance mode: its VMs moved to other hosts`)).toBeVisible();
  await expect(header).toContainText("Maintenance mode");
  await expect(page.getByRole("table", { name: "Resident VMs" })).toContainText("No VM to show");
  const emptied = await sim.host(host.uuid);
  expect(emptied.record).toMatchObject({ enabled: false, other_config: expect.objectContaining({ MAINTENANCE_MODE: "true" }) });
  for (const ref of emptied.record.resident_VMs) expect((await sim.vm(ref)).record.is_control_domain).toBe(true);

  // Reboot: asked first; the host goes away, then comes back still in maintenance.
  await sim.duration("host_boot", 8_000);
  try {
    await toolbar.getByRole("button", { name: "Reboot" }).click();
    const confirm = page.getByRole("dialog", { name: `Reboot ${host.name}?` });
    await expect(confirm).toContainText("it goes away for a few minutes, then comes back by itself");
    await confirm.getByRole("button", { name: "Reboot" }).click();
    await expect(page.getByText(`${host.name} is rebooting`).first()).toBeVisible();
    await expect.poll(async () => (await sim.host(host.uuid)).live).toBe(false);
    await expect(header).toContainText("Not live");
    await expect.poll(async () => (await sim.host(host.uuid)).live, { timeout: 20_000 }).toBe(true);
    await expect(header).toContainText("Maintenance mode", { timeout: 20_000 });
    await expect(header).not.toContainText("Rebooting");
  } finally {
    await sim.duration("host_boot", USUAL_HOST_BOOT_MS);
  }
  expect((await sim.host(host.uuid)).record.enabled).toBe(false);

  // Exit: the host takes VMs again.
  await toolbar.getByRole("button", { name: "Exit maintenance mode" }).click();
  await expect(page.getByText(`${host.name} left maintenance mode and takes VMs again`)).toBeVisible();
  await expect(header).toContainText("Enabled");
  expect((await sim.host(host.uuid)).record).toMatchObject({ enabled: true, other_config: expect.not.objectContaining({ MAINTENANCE_MODE: "true" }) });
});
