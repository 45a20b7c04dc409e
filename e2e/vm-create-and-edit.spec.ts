/**
 * Creating a VM and editing its hardware from the browser: an admin creates a Debian VM in pool "lab" from its
 * template with two disks and one interface and starts it, then on its Hardware tab changes its vCPUs and
 * memory, inserts and ejects an ISO, adds and removes a disk and an interface, and finally deletes it (so that
 * the pool keeps the VM count other specs expect). An operator of pool "production" edits a VM's tags there but
 * is offered no hardware edit and no New VM button. Every step is checked in the simulator, not only on the page.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const GiB = 1024 ** 3;

/** The dialog a button opened, by its title. */
const dialog = (page: Page, name: string | RegExp) => page.getByRole("dialog", { name });

test.describe("an admin", () => {
  test("creates a started Debian VM with two disks and an interface, edits its hardware, then deletes it", async ({ page, sim }) => {
    // One long journey on one VM (a creation, seven edits, a delete): three times the usual time.
    test.slow();
    await page.goto("/vms");
    await page.getByRole("link", { name: "New VM" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New VM" })).toBeVisible();
    await page.getByLabel("Pool").selectOption({ label: "lab" });
    await page.getByRole("combobox", { name: "Template", exact: true }).selectOption({ label: "Debian Bookworm 12" });
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("e2e-debian");
    await page.getByLabel("vCPUs").fill("2");
    await page.getByLabel("Memory").fill("2 GiB");
    // The template's provision spec gives the first disk; a second one is added.
    await expect(page.getByLabel("Size of disk 1")).not.toHaveValue("");
    await page.getByRole("button", { name: "Add a disk" }).click();
    await page.getByLabel("Size of disk 2").fill("5 GiB");
    await page.getByLabel("Name of disk 2 (optional)").fill("e2e-debian data");
    await expect(page.getByLabel("Network of interface 1")).toBeVisible();
    await expect(page.getByLabel("Network of interface 2")).toHaveCount(0);
    await expect(page.getByLabel("Start the VM once created")).toBeChecked();
    await page.getByRole("button", { name: "Create VM" }).click();

    await expect(page.getByRole("heading", { level: 1, name: "e2e-debian" })).toBeVisible({ timeout: 30_000 });
    const uuid = page.url().split("/vms/")[1]!;
    const created = (await sim.vm(uuid)).record;
    expect(created).toMatchObject({ power_state: "Running", VCPUs_max: 2, memory_static_max: 2 * GiB, is_a_template: false });
    expect(created.VIFs as string[]).toHaveLength(1);
    // Two disks and the (empty) CD drive.
    expect(created.VBDs as string[]).toHaveLength(3);

    // vCPUs and memory, live.
    await page.getByRole("navigation", { name: "VM sections" }).getByRole("link", { name: "Hardware" }).click();
    await page.getByRole("button", { name: "Edit vCPUs and memory" }).click();
    const resources = dialog(page, "vCPUs and memory of e2e-debian");
    await resources.getByLabel("vCPUs").fill("1");
    await resources.getByLabel("Dynamic minimum").fill("1 GiB");
    await resources.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("e2e-debian: 1 vCPUs, memory 1 GiB–2 GiB")).toBeVisible();
    expect((await sim.vm(uuid)).record).toMatchObject({ VCPUs_at_startup: 1, memory_dynamic_min: GiB, memory_dynamic_max: 2 * GiB });

    // An ISO in, then out.
    const cd = page.getByLabel("CD drive contents");
    await expect(cd).toHaveText("Empty");
    await page.getByRole("button", { name: "Insert ISO" }).click();
    const insert = dialog(page, "Insert an ISO into e2e-debian");
    const iso = (await insert.getByLabel("ISO").locator("option").first().textContent())!.replace(/ \(.*\)$/, "");
    await insert.getByRole("button", { name: "Insert" }).click();
    await expect(cd).toHaveText(iso);
    await page.getByRole("button", { name: "Eject" }).click();
    await expect(cd).toHaveText("Empty");

    // A disk added to the running VM (plugged at once), then detached.
    const disks = page.getByRole("table", { name: "Disks" });
    await page.getByRole("button", { name: "Add a disk" }).click();
    const addDisk = dialog(page, "New disk for e2e-debian");
    await addDisk.getByLabel("Name").fill("e2e-scratch");
    await addDisk.getByLabel("Size").fill("1 GiB");
    await addDisk.getByRole("button", { name: "Add disk" }).click();
    const scratch = disks.getByRole("row").filter({ hasText: "e2e-scratch" });
    await expect(scratch).toContainText("Yes");
    expect((await sim.vm(uuid)).record.VBDs as string[]).toHaveLength(4);
    await scratch.getByRole("button", { name: "Detach" }).click();
    await dialog(page, "Detach e2e-scratch?").getByRole("button", { name: "Detach" }).click();
    await expect(scratch).toHaveCount(0);
    expect((await sim.vm(uuid)).record.VBDs as string[]).toHaveLength(3);

    // An interface added (plugged), then removed.
    const interfaces = page.getByRole("table", { name: "Network interfaces" });
    await page.getByRole("button", { name: "Add an interface" }).click();
    await dialog(page, "New network interface for e2e-debian").getByRole("button", { name: "Add interface" }).click();
    const eth1 = interfaces.getByRole("row").filter({ hasText: "eth1" });
    await expect(eth1).toContainText("Yes");
    expect((await sim.vm(uuid)).record.VIFs as string[]).toHaveLength(2);
    await eth1.getByRole("button", { name: "Remove" }).click();
    await dialog(page, "Remove eth1?").getByRole("button", { name: "Remove interface" }).click();
    await expect(eth1).toHaveCount(0);
    expect((await sim.vm(uuid)).record.VIFs as string[]).toHaveLength(1);

    // Cleaned up: halted from outside, deleted with its disks.
    await sim.changeVm(uuid, { power_state: "Halted" });
    await page.goto(`/vms/${uuid}`);
    await page.getByRole("toolbar", { name: "VM management" }).getByRole("button", { name: "Delete", exact: true }).click();
    const remove = dialog(page, "Delete e2e-debian?");
    await remove.getByLabel("Type e2e-debian to confirm").fill("e2e-debian");
    await remove.getByRole("button", { name: "Delete VM" }).click();
    await expect(page).toHaveURL(/\/vms$/);
    await expect(sim.vm(uuid)).rejects.toThrow(/no VM/);
  });
});

test.describe("the operator of pool production", () => {
  test.use({ as: "operator" });

  test("edits a VM's tags but is offered no hardware edit and no New VM", async ({ page, sim, run }) => {
    const target = run.vms.filter((vm) => vm.pool === "production" && vm.powerState === "Running").at(-2)!;
    await page.goto("/vms");
    await expect(page.getByRole("heading", { level: 1, name: "Virtual machines" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New VM" })).toHaveCount(0);

    await page.goto(`/vms/${target.uuid}/hardware`);
    await expect(page.getByRole("heading", { level: 2, name: "Disks" })).toBeVisible();
    for (const label of ["Edit vCPUs and memory", "Add a disk", "Attach a disk", "Add an interface", "Resize", "Detach"]) {
      await expect(page.getByRole("button", { name: label })).toHaveCount(0);
    }
    const tag = "e2e-operator-tag";
    await page.getByLabel("New tag").fill(tag);
    await page.getByRole("button", { name: "Add tag" }).click();
    await expect(page.getByRole("list", { name: "Tags" }).getByText(tag)).toBeVisible();
    expect((await sim.vm(target.uuid)).record.tags).toContain(tag);
    await page.getByRole("button", { name: `Remove tag ${tag}` }).click();
    await expect(page.getByRole("list", { name: "Tags" }).getByText(tag)).toHaveCount(0);
    expect((await sim.vm(target.uuid)).record.tags).not.toContain(tag);
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the New VM form and the Hardware tab do not scroll sideways", async ({ page, vm }) => {
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.goto("/vms/new");
    await page.getByRole("combobox", { name: "Template", exact: true }).selectOption({ label: "Debian 12 Cloud-init (Hub) (cloud-init)" });
    await expect(page.getByLabel("User data")).toBeVisible();
    await page.getByRole("button", { name: "Add a disk" }).click();
    await page.getByRole("button", { name: "Add an interface" }).click();
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.goto(`/vms/${vm("lab", "web-01").uuid}/hardware`);
    await expect(page.getByRole("heading", { level: 2, name: "Disks" })).toBeVisible();
    expect(await sideways()).toBeLessThanOrEqual(0);
  });
});
