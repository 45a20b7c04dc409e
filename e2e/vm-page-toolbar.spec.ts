/**
 * The VM page's toolbar as the admin of issue 17 met it (#6, #10): the everyday operations in view, shutting down
 * and rebooting a running VM asking first, the rare ones (pause, the forced variants, start on…) in a "More" menu
 * driven by the keyboard, and XAPI's raw operation names folded away behind "details". The VM (lab's backup-01)
 * is one no other spec acts on.
 */
import { expect, test } from "./support/fixtures";

test("a running VM: reboot asks first, the rare operations sit in a keyboard-driven More menu, XAPI's names are folded away", async ({ page, sim, vm }) => {
  const target = vm("lab", "backup-01");
  await sim.changeVm(target.uuid, { power_state: "Running" });
  await page.goto(`/vms/${target.uuid}`);
  const toolbar = page.getByRole("toolbar", { name: "VM actions" });
  await expect(toolbar.getByRole("button", { name: "Shut down", exact: true })).toBeEnabled();
  await expect(toolbar.getByRole("button", { name: "Reboot", exact: true })).toBeEnabled();
  // The forced variants and pause are not buttons of their own.
  for (const rare of ["Force shutdown", "Force reboot", "Pause", "Start on…"]) await expect(toolbar.getByRole("button", { name: rare })).toHaveCount(0);

  // Reboot asks first; cancelling sends nothing.
  await toolbar.getByRole("button", { name: "Reboot", exact: true }).click();
  const confirm = page.getByRole("dialog", { name: `Reboot ${target.name}?` });
  await expect(confirm).toContainText("asked to restart");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();

  // The More menu, by keyboard: Enter opens it on its first item, the arrows move, Escape closes it and gives the focus back.
  const more = toolbar.getByRole("button", { name: "More" });
  await more.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await expect(menu).toBeVisible();
  await expect(more).toHaveAttribute("aria-expanded", "true");
  const items = menu.getByRole("menuitem");
  await expect(items.first()).toBeFocused();
  expect(await items.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("Pause"), expect.stringContaining("Force shutdown")]));
  await page.keyboard.press("ArrowDown");
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(more).toBeFocused();

  // Pause chosen with the keyboard, then Unpause from the same menu.
  await page.keyboard.press("Enter");
  await menu.getByRole("menuitem", { name: "Pause", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect.poll(async () => (await sim.vm(target.uuid)).record.power_state).toBe("Paused");
  await expect(page.locator("h1").locator("xpath=..")).toContainText("Paused");
  await toolbar.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Unpause", exact: true }).click();
  await expect.poll(async () => (await sim.vm(target.uuid)).record.power_state).toBe("Running");

  // XAPI's own operation names are details, folded away until asked for.
  const details = page.getByText("Details: the operations XAPI allows now");
  await expect(details).toBeVisible();
  const raw = page.getByText("clean_shutdown", { exact: true });
  await expect(raw).toBeHidden();
  await details.click();
  await expect(raw).toBeVisible();
});
