/**
 * Bulk operations from the VM list, as the admin of issue 17 used them (#2, #10): a selection mixing running and
 * paused VMs, buttons and confirmations that count only the VMs the operation applies to, outcomes that say what
 * was skipped and why, a mixed outcome shown as mixed; "select all" offering every matching VM; a row saying
 * what runs on its VM. The VMs used here (lab's k8s-node-01, -03 and -04) are ones no other spec acts on; their
 * states are set through the simulator first.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const table = (page: Page) => page.getByRole("table", { name: "Virtual machines" });
const rowOf = (page: Page, name: string) => table(page).getByRole("row").filter({ hasText: name });

test("bulk shut down leaves out a paused VM, says so, and shows one failure among successes as a mixed outcome", async ({ page, sim, vm }) => {
  const first = vm("lab", "k8s-node-01");
  const second = vm("lab", "k8s-node-03");
  const paused = vm("lab", "k8s-node-04");
  await sim.changeVm(first.uuid, { power_state: "Running" });
  await sim.changeVm(second.uuid, { power_state: "Running" });
  await sim.changeVm(paused.uuid, { power_state: "Paused" });

  await page.goto(`/vms?q=${encodeURIComponent("k8s-node pool:lab")}&perPage=100`);
  await expect(rowOf(page, first.name)).toContainText("Running");
  await expect(rowOf(page, second.name)).toContainText("Running");
  await expect(rowOf(page, paused.name)).toContainText("Paused");
  for (const target of [first, second, paused])
    await table(page)
      .getByRole("checkbox", { name: `Select ${target.name}` })
      .check();

  // Three selected, two it applies to: the button and the confirmation count two, and name the one left out.
  const bar = page.getByRole("toolbar", { name: "Actions on the selected VMs" });
  await bar.getByRole("button", { name: "Shut down (2)" }).click();
  const confirm = page.getByRole("dialog", { name: "Shut down 2 VMs?" });
  await expect(confirm).toContainText("1 selected VM is skipped");
  await sim.failNext("Async.VM.clean_shutdown", second.uuid, ["INTERNAL_ERROR", "the guest agent did not answer"]);
  await confirm.getByRole("button", { name: "Shut down" }).click();

  const results = page.getByRole("status").filter({ hasText: "Shut down:" });
  await expect(results).toContainText("1 shut down, 1 failed, 1 skipped");
  await expect(results).toHaveAttribute("data-outcome", "mixed");
  await expect(results).toContainText(`${paused.name}: skipped:`);
  await expect(results).toContainText(`${second.name}:`);
  expect((await sim.vm(first.uuid)).record.power_state).toBe("Halted");
  expect((await sim.vm(second.uuid)).record.power_state).toBe("Running");
  // Nothing was sent for the paused VM.
  expect((await sim.vm(paused.uuid)).record.power_state).toBe("Paused");

  // The forced variant applies to the running and the paused one, not the halted one: from the More menu, counted the same way.
  await expect(rowOf(page, first.name)).toContainText("Halted");
  for (const target of [first, second, paused])
    await table(page)
      .getByRole("checkbox", { name: `Select ${target.name}` })
      .check();
  await bar.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Force shutdown (2)" }).click();
  const force = page.getByRole("dialog", { name: "Force shutdown 2 VMs?" });
  await expect(force).toContainText("1 selected VM is skipped");
  await force.getByRole("button", { name: "Force shutdown" }).click();
  const forced = page.getByRole("status").filter({ hasText: "Force shutdown:" });
  await expect(forced).toContainText("2 powered off, 1 skipped");
  await expect(forced).toHaveAttribute("data-outcome", "success");
  for (const target of [first, second, paused]) expect((await sim.vm(target.uuid)).record.power_state).toBe("Halted");
});

test('"select all" offers every VM matching the search, not only the page', async ({ page }) => {
  // Two pools' VMs, 25 a page: more than a page.
  await page.goto(`/vms?q=${encodeURIComponent("-pool:production")}&perPage=25`);
  await expect(table(page).locator("tbody tr")).toHaveCount(25);
  await page.getByRole("checkbox", { name: "Select all VMs on this page" }).check();
  await expect(page.getByText("All 25 VMs on this page are selected.")).toBeVisible();
  const selectAll = page.getByRole("button", { name: /^Select all \d+ VMs matching the search$/ });
  const matching = Number(/\d+/.exec((await selectAll.textContent())!)![0]);
  expect(matching).toBeGreaterThan(25);
  await selectAll.click();
  await expect(page.getByText(`All ${matching} VMs matching the search are selected, on every page.`)).toBeVisible();
  await page.getByRole("button", { name: "Clear the selection" }).click();
  await expect(page.getByText("Select VMs to act on several at once.")).toBeVisible();
});

test("a VM's row says what runs on it while a task runs", async ({ page, sim, vm }) => {
  const target = vm("lab", "k8s-node-01");
  await page.goto(`/vms?q=${encodeURIComponent(`name:${target.name} pool:lab`)}`);
  await expect(rowOf(page, target.name)).toBeVisible();
  // A start begun elsewhere (another client of the pool): XAPI lists it among the VM's current operations.
  await sim.changeVm(target.uuid, { fields: { current_operations: { "OpaqueRef:e2e-outside-start": "start" } } });
  try {
    await expect(rowOf(page, target.name)).toContainText("Starting…");
  } finally {
    await sim.changeVm(target.uuid, { fields: { current_operations: {} } });
  }
  await expect(rowOf(page, target.name)).not.toContainText("Starting…");
});
