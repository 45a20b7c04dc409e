/**
 * VM management from the VM page: the operator of pool "production" snapshots a VM, deletes the snapshot, and is
 * offered nothing of an admin's; the admin renames, clones, migrates and deletes (the clone, so that the pools keep the VM counts
 * other specs expect) VMs of pool "dev". Each step is checked in the simulator, not only on the page. The VMs
 * used here are ones no other spec touches (see the seeded data: production's backup-01, dev's log-01 and
 * db-03).
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const ADMIN_BUTTONS = /^(Delete|Clone|Copy|Migrate|Edit|Revert)$/;

/** Waits until pool `label` is connected as the app sees it (another spec disconnects "dev" for a while). */
async function poolConnected(page: Page, label: string): Promise<void> {
  await expect
    .poll(
      async () => ((await (await page.request.get("/api/pools")).json()) as { label: string; state: string }[]).find((pool) => pool.label === label)?.state,
      {
        timeout: 30_000,
      },
    )
    .toBe("connected");
}

test.describe("the operator of pool production", () => {
  test.use({ as: "operator" });

  test("snapshots a VM of theirs, sees it in the list, deletes it, and is offered no admin operation", async ({ page, sim, vm }) => {
    const target = vm("production", "backup-01");
    const before = (await sim.vm(target.uuid)).record.snapshots as string[];
    await page.goto(`/vms/${target.uuid}`);
    const toolbar = page.getByRole("toolbar", { name: "VM management" });
    await expect(toolbar.getByRole("button", { name: "Snapshot", exact: true })).toBeVisible();
    await expect(toolbar.getByRole("button", { name: ADMIN_BUTTONS })).toHaveCount(0);

    await toolbar.getByRole("button", { name: "Snapshot", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Snapshot ${target.name}` });
    const name = dialog.getByLabel("Snapshot name");
    await expect(name).toBeFocused();
    // The proposed name: the VM's and the date.
    await expect(name).toHaveValue(new RegExp(`^${target.name} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$`));
    await name.fill("");
    await dialog.getByRole("button", { name: "Take snapshot" }).click();
    await expect(dialog.getByText("Enter a name")).toBeVisible();

    await name.fill("before patching");
    await dialog.getByRole("button", { name: "Take snapshot" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(`Snapshot “before patching” of ${target.name} taken`)).toBeVisible();
    const snapshots = page.getByRole("table", { name: "Snapshots" });
    await expect(snapshots.getByRole("row").filter({ hasText: "before patching" })).toBeVisible();
    // The operator may delete it (issue 17 #8: removing the snapshot after the upgrade is their job), not revert to it.
    const row = snapshots.getByRole("row").filter({ hasText: "before patching" });
    await expect(row.getByRole("button", { name: "Revert" })).toHaveCount(0);

    const after = (await sim.vm(target.uuid)).record.snapshots as string[];
    expect(after).toHaveLength(before.length + 1);
    const snapshotRef = after.find((ref) => !before.includes(ref))!;
    const snapshot = await sim.vm(snapshotRef);
    expect(snapshot.record).toMatchObject({ name_label: "before patching", is_a_snapshot: true, snapshot_of: (await sim.vm(target.uuid)).ref });

    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete snapshot “before patching”?" }).getByRole("button", { name: "Delete snapshot" }).click();
    await expect(snapshots.getByRole("row").filter({ hasText: "before patching" })).toHaveCount(0);
    await expect(sim.vm(snapshotRef)).rejects.toThrow(/no VM/);
    expect((await sim.vm(target.uuid)).record.snapshots).toEqual(before);
  });
});

test.describe("an admin", () => {
  test("renames a VM, clones it, opens the clone and deletes it, and sees each result", async ({ page, sim, vm }) => {
    await poolConnected(page, "dev");
    const source = vm("dev", "log-01");
    await page.goto(`/vms/${source.uuid}`);
    const toolbar = page.getByRole("toolbar", { name: "VM management" });

    // Rename, with a description.
    await toolbar.getByRole("button", { name: "Edit", exact: true }).click();
    const edit = page.getByRole("dialog", { name: `Edit ${source.name}` });
    await edit.getByLabel("Name").fill("syslog-01");
    await edit.getByLabel("Description").fill("Central syslog");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "syslog-01" })).toBeVisible();
    await expect(page.getByText("Central syslog")).toBeVisible();
    expect((await sim.vm(source.uuid)).record).toMatchObject({ name_label: "syslog-01", name_description: "Central syslog" });

    // Clone: a new VM with its own disks, opened from the result.
    await toolbar.getByRole("button", { name: "Clone", exact: true }).click();
    const clone = page.getByRole("dialog", { name: "Clone syslog-01" });
    await expect(clone.getByLabel("Name of the clone")).toHaveValue("syslog-01 (clone)");
    await clone.getByLabel("Name of the clone").fill("syslog-02");
    await clone.getByRole("button", { name: "Clone" }).click();
    await expect(page.getByText("syslog-01 cloned as “syslog-02”")).toBeVisible();
    await page.getByRole("link", { name: "Open syslog-02" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "syslog-02" })).toBeVisible();
    const cloneUuid = page.url().split("/vms/")[1]!;
    const cloned = await sim.vm(cloneUuid);
    expect(cloned.record).toMatchObject({ name_label: "syslog-02", power_state: "Halted" });
    expect(cloned.record.VBDs).not.toEqual((await sim.vm(source.uuid)).record.VBDs);

    // The clone is also open in another tab (issue 17 #10): once deleted, that tab says so and leads back to the list.
    const otherTab = await page.context().newPage();
    await otherTab.goto(`/vms/${cloneUuid}`);
    await expect(otherTab.getByRole("heading", { level: 1, name: "syslog-02" })).toBeVisible();

    // Delete the clone: confirmed by typing its name, then back to the list with a notice.
    await page.getByRole("toolbar", { name: "VM management" }).getByRole("button", { name: "Delete", exact: true }).click();
    const remove = page.getByRole("dialog", { name: "Delete syslog-02?" });
    await expect(remove).toContainText("This cannot be undone");
    await remove.getByLabel("Type syslog-02 to confirm").fill("syslog-0");
    await remove.getByRole("button", { name: "Delete VM" }).click();
    await expect(remove.getByText("Type the VM's name exactly as shown (syslog-02) to confirm")).toBeVisible();
    await expect.poll(async () => (await sim.vm(cloneUuid)).record.name_label).toBe("syslog-02");
    await remove.getByLabel("Type syslog-02 to confirm").fill("syslog-02");
    await remove.getByRole("button", { name: "Delete VM" }).click();
    await expect(page).toHaveURL(/\/vms$/);
    await expect(page.getByText("syslog-02 was deleted")).toBeVisible();
    await expect(sim.vm(cloneUuid)).rejects.toThrow(/no VM/);
    expect((await sim.vm(source.uuid)).record.name_label).toBe("syslog-01");
    await expect(otherTab.getByRole("heading", { level: 1, name: "syslog-02 no longer exists" })).toBeVisible();
    await expect(otherTab.getByText("It was deleted, or your access to it was removed, while its page was open.")).toBeVisible();
    await otherTab.getByRole("link", { name: "Back to the VM list" }).click();
    await expect(otherTab).toHaveURL(/\/vms$/);
    await otherTab.close();
  });

  test("migrates a running VM to another host of its pool", async ({ page, sim, vm, run }) => {
    await poolConnected(page, "dev");
    const target = vm("dev", "db-03");
    const from = (await sim.vm(target.uuid)).record.resident_on;
    await page.goto(`/vms/${target.uuid}`);
    // Clone is for halted VMs only: disabled, with XAPI's reason.
    const toolbar = page.getByRole("toolbar", { name: "VM management" });
    await toolbar.getByRole("button", { name: "Clone", exact: true }).focus();
    await expect(page.getByRole("tooltip").filter({ hasText: "The VM is running; only a halted VM can be cloned" })).toBeVisible();

    await toolbar.getByRole("button", { name: "Migrate", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Migrate ${target.name}` });
    // The pool's other hosts only.
    const choices = await dialog.getByLabel("Destination host").locator("option").allTextContents();
    expect(choices).toHaveLength(2);
    const destination = choices[1]!;
    await dialog.getByLabel("Destination host").selectOption({ label: destination });
    await dialog.getByRole("button", { name: "Migrate" }).click();
    await expect(page.getByText(`${target.name} migrated to ${destination}`)).toBeVisible();
    const moved = await sim.vm(target.uuid);
    expect(moved.record.power_state).toBe("Running");
    expect(moved.record.resident_on).not.toBe(from);
    const host = run.pools.find((pool) => pool.name === "dev")!.hosts.find((candidate) => candidate.name === destination)!;
    await expect(page.getByRole("main").getByRole("link", { name: destination, exact: true })).toHaveAttribute("href", `/hosts/${host.uuid}`);
  });
});
