/**
 * Starting and stopping VMs from the UI: the VM page's buttons, the list's bulk actions, confirmation of the
 * drastic ones, and readable errors when XAPI refuses. Each test uses its own VMs of pool "lab" and checks the
 * simulator, not only the page.
 */
import { expect, test } from "./support/fixtures";
import type { Page } from "@playwright/test";

const powerBadge = (page: Page) => page.locator("main header").first();

test("start a halted VM and shut it down again from its page", async ({ page, sim, vm }) => {
  const web = vm("lab", "web-01");
  expect((await sim.vm(web.uuid)).record.power_state).toBe("Halted");
  await page.goto(`/vms/${web.uuid}`);
  await expect(powerBadge(page)).toContainText("Halted");
  // Operations the state does not allow are disabled, with XAPI's reason.
  const shutDown = page.getByRole("button", { name: "Shut down", exact: true });
  await expect(shutDown).toHaveAttribute("aria-disabled", "true");
  await shutDown.focus();
  await expect(page.getByRole("tooltip").filter({ hasText: "The VM is halted; only a running VM can be shut down" })).toBeVisible();

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByRole("progressbar", { name: /Starting web-01/ })).toBeVisible();
  await expect(page.getByText("web-01 started")).toBeVisible();
  await expect(powerBadge(page)).toContainText("Running");
  expect((await sim.vm(web.uuid)).record.power_state).toBe("Running");

  await page.getByRole("button", { name: "Shut down", exact: true }).click();
  await page.getByRole("dialog", { name: "Shut down web-01?" }).getByRole("button", { name: "Shut down" }).click();
  await expect(page.getByText("web-01 shut down")).toBeVisible();
  await expect(powerBadge(page)).toContainText("Halted");
  expect((await sim.vm(web.uuid)).record.power_state).toBe("Halted");
});

test("start on a chosen host, then a force shutdown that asks for confirmation", async ({ page, sim, vm, run }) => {
  const runner = vm("lab", "ci-runner-02");
  const host = run.pools.find((pool) => pool.name === "lab")!.hosts[2]!;
  await page.goto(`/vms/${runner.uuid}`);

  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Start on…" }).click();
  const startDialog = page.getByRole("dialog", { name: "Start ci-runner-02 on…" });
  await startDialog.getByLabel("Host").selectOption({ label: host.name });
  await startDialog.getByRole("button", { name: "Start" }).click();
  await expect(page.getByText("ci-runner-02 started")).toBeVisible();
  const started = await sim.vm(runner.uuid);
  expect(started.record.power_state).toBe("Running");
  await expect(page.getByRole("main").getByRole("link", { name: host.name })).toBeVisible();

  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Force shutdown" }).click();
  const confirm = page.getByRole("dialog", { name: "Force shutdown ci-runner-02?" });
  await expect(confirm).toContainText("anything its guest had not saved is lost");
  // Cancelling changes nothing.
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  expect((await sim.vm(runner.uuid)).record.power_state).toBe("Running");

  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Force shutdown" }).click();
  await confirm.getByRole("button", { name: "Force shutdown" }).click();
  await expect(page.getByText("ci-runner-02 powered off")).toBeVisible();
  await expect(powerBadge(page)).toContainText("Halted");
  expect((await sim.vm(runner.uuid)).record.power_state).toBe("Halted");
});

test("bulk start from the list: each VM gets its own outcome, and one it does not apply to is skipped with the reason", async ({ page, sim, vm }) => {
  const halted = vm("lab", "api-02");
  const running = vm("lab", "vpn-01");
  await page.goto(`/vms?q=${encodeURIComponent("pool:lab")}&perPage=100`);
  const table = page.getByRole("table", { name: "Virtual machines" });
  await table.getByRole("checkbox", { name: "Select api-02" }).check();
  await table.getByRole("checkbox", { name: "Select vpn-01" }).check();
  await expect(page.getByText("2 selected")).toBeVisible();

  const bar = page.getByRole("toolbar", { name: "Actions on the selected VMs" });
  await bar.getByRole("button", { name: /^Start/ }).click();
  const results = page.getByRole("status").filter({ hasText: "Start:" });
  await expect(results).toContainText("1 started, 1 skipped");
  await expect(results).toContainText("vpn-01: skipped: The VM is running; only a halted VM can be started");
  await expect(results).toContainText("api-02 started");
  expect((await sim.vm(halted.uuid)).record.power_state).toBe("Running");
  expect((await sim.vm(running.uuid)).record.power_state).toBe("Running");

  // Back to halted, through the bulk force shutdown and its confirmation.
  await table.getByRole("checkbox", { name: "Select api-02" }).check();
  await bar.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Force shutdown" }).click();
  await page.getByRole("dialog", { name: "Force shutdown 1 VM?" }).getByRole("button", { name: "Force shutdown" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Force shutdown:" })).toContainText("1 powered off");
  expect((await sim.vm(halted.uuid)).record.power_state).toBe("Halted");
});

test("an operation XAPI refuses ends with a readable error, and nothing changes", async ({ page, sim, vm }) => {
  const node = vm("lab", "k8s-node-02");
  await page.goto(`/vms/${node.uuid}`);
  await sim.failNext("Async.VM.start", node.uuid, ["HOST_NOT_ENOUGH_FREE_MEMORY", String(16 * 1024 ** 3), String(2 * 1024 ** 3)]);
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByRole("main").getByText("The host does not have enough free memory: 16 GiB needed, 2.0 GiB available")).toBeVisible();
  await expect(powerBadge(page)).toContainText("Halted");
  expect((await sim.vm(node.uuid)).record.power_state).toBe("Halted");
});
