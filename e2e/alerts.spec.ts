/**
 * Alerts as an admin and a viewer see them: an alert raised on a pool appears live in the pane and, when critical,
 * in the navigation's badge; an admin dismisses it (gone from the pool); a viewer of one VM sees that VM's alerts
 * and tasks only. Pool "dr-site" is this spec's (with the maintenance spec, on other VMs).
 */
import { expect as pwExpect } from "@playwright/test";
import { apiAs, callServerAction, actionId, signedInContext, uniqueName } from "./support/access";
import { createUser, expect, test } from "./support/fixtures";

const CPU_ALARM = 'value: 0.950000\nconfig:\n<variable>\n\t<name value="cpu_usage"/>\n\t<alarm_trigger_level value="0.9"/>\n</variable>\n';

const exists = async (sim: { object: (cls: string, key: string) => Promise<unknown> }, ref: string) =>
  sim.object("message", ref).then(
    () => true,
    () => false,
  );

test("a critical alert appears live in the badge and the pane, and an admin dismisses it", async ({ browser, run, sim, vm }, info) => {
  // A second browser context and several pages: slow on a loaded machine.
  test.setTimeout(120_000);
  const username = uniqueName("alert-admin", info);
  await createUser({ username, password: "alert-admin-password", isAdmin: true });
  const { context, page } = await signedInContext(browser, run, username, "alert-admin-password");
  try {
    const target = vm("dr-site", "proxy-01");
    // Looking at the pane marks everything seen: no badge afterwards.
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole("complementary").getByTestId("alerts-badge")).toHaveCount(0, { timeout: 20_000 });
    // Any other page shows the badge; a light one.
    await page.goto("/networks");
    await expect(page.getByRole("heading", { level: 1, name: "Networks" })).toBeVisible({ timeout: 20_000 });
    const badge = page.getByRole("complementary").getByTestId("alerts-badge");
    await expect(badge).toHaveCount(0);

    const ref = await sim.alert("dr-site", { name: "HA_HOST_FAILED", priority: 1, cls: "VM", obj_uuid: target.uuid, body: "Host xcp-dr-site-09 failed" });
    await expect(badge).toHaveText(/^1\b/, { timeout: 20_000 });

    await page
      .getByRole("complementary")
      .getByRole("link", { name: /^Alerts/ })
      .click();
    const table = page.getByRole("table", { name: "Alerts" });
    const row = table.getByRole("row").filter({ hasText: "Host xcp-dr-site-09 failed" });
    await expect(row).toContainText("HA: host failed", { timeout: 20_000 });
    await expect(row).toContainText("Critical");
    await expect(row.getByRole("link", { name: "proxy-01" })).toHaveAttribute("href", `/vms/${target.uuid}`);
    await expect(badge).toHaveCount(0);

    // A second one arrives while the pane is open.
    const second = await sim.alert("dr-site", { name: "VM_CRASHED", priority: 3, cls: "VM", obj_uuid: target.uuid, body: "crashed during the night" });
    const secondRow = table.getByRole("row").filter({ hasText: "crashed during the night" });
    await expect(secondRow).toBeVisible({ timeout: 20_000 });

    // Dismiss both at once.
    await row.getByRole("checkbox").check();
    await secondRow.getByRole("checkbox").check();
    await page.getByRole("toolbar", { name: "Actions on the selected alerts" }).getByRole("button", { name: "Dismiss 2 alerts" }).click();
    await page.getByRole("dialog", { name: "Dismiss 2 alerts?" }).getByRole("button", { name: "Dismiss" }).click();
    await expect(row).toHaveCount(0, { timeout: 20_000 });
    await expect(secondRow).toHaveCount(0, { timeout: 20_000 });
    await pwExpect.poll(() => exists(sim, ref)).toBe(false);
    expect(await exists(sim, second)).toBe(false);
  } finally {
    await context.close();
  }
});

test("a viewer of one VM sees that VM's alerts and tasks, and no one else's", async ({ browser, run, sim, vm }, info) => {
  // A second browser context and several pages: slow on a loaded machine.
  test.setTimeout(120_000);
  const mine = vm("dr-site", "files-01");
  const other = vm("dr-site", "dns-01");
  const username = uniqueName("one-vm-viewer", info);
  await createUser({ username, password: "one-vm-viewer-password", acls: [{ kind: "vm", uuid: mine.uuid, role: "viewer" }] });
  await sim.alert("dr-site", { name: "ALARM", priority: 3, cls: "VM", obj_uuid: mine.uuid, body: CPU_ALARM });
  await sim.alert("dr-site", { name: "ALARM", priority: 3, cls: "VM", obj_uuid: other.uuid, body: CPU_ALARM });
  // An admin snapshots both VMs: the tasks stay listed after they finish.
  const admin = await apiAs(run, "admin");
  try {
    for (const target of [mine, other]) {
      const { body } = await callServerAction(admin, run, {
        id: actionId(run, "vmManagementAction"),
        page: "/",
        args: [{ operation: "snapshot", vm: target.uuid, name: `${target.name} for ${username}` }],
      });
      expect(body).toContain('"ok":true');
    }
  } finally {
    await admin.dispose();
  }

  const { context, page } = await signedInContext(browser, run, username, "one-vm-viewer-password");
  try {
    await page.goto("/alerts");
    const alerts = page.getByRole("table", { name: "Alerts" });
    await expect(alerts.getByRole("link", { name: "files-01" }).first()).toBeVisible();
    await expect(alerts.getByText("dns-01")).toHaveCount(0);
    await expect(alerts.getByRole("checkbox")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /dismiss/i })).toHaveCount(0);

    await page.goto("/tasks");
    const finished = page.getByRole("table", { name: "Finished tasks" });
    await expect(finished.getByRole("row").filter({ hasText: "Snapshot files-01" })).toContainText("Succeeded");
    await expect(finished.getByText("Snapshot dns-01")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Cancel" })).toHaveCount(0);

    // The alert is on the VM's own page too.
    await page.goto(`/vms/${mine.uuid}`);
    await expect(page.getByRole("table", { name: "Alerts about files-01" })).toContainText("High CPU usage");
  } finally {
    await context.close();
  }
});
