/**
 * What each role sees and may do in the console, with real accounts: the operator and the viewer hold their
 * role on pool "production", "nobody" holds nothing, an "owner" holds operator on two VMs of their own only.
 * Then an admin grants a role through the ACL page and the user's next page shows the new VMs.
 */
import type { Page } from "@playwright/test";
import { signedInContext, uniqueName } from "./support/access";
import { createUser, expect, test } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";
import type { SimControl } from "./support/sim-control";

const vmsOf = (run: RunInfo, pool: string) => run.vms.filter((vm) => vm.pool === pool);

/** The pool column of every row of the VM list (one page of up to 200 rows; without selection boxes for a viewer). */
async function listedPools(page: Page): Promise<string[]> {
  await page.goto("/vms?perPage=200");
  const table = page.getByRole("table", { name: "Virtual machines" });
  await expect(table).toBeVisible();
  const column = (await table.locator("thead th").allTextContents()).findIndex((text) => text.startsWith("Pool")) + 1;
  return table.locator(`tbody tr td:nth-child(${column})`).allTextContents();
}

/**
 * Clicks a lifecycle button of the VM page (confirming when it asks), then waits until the pool has the VM in
 * `expected` state and the page shows it.
 */
async function runOperation(page: Page, sim: SimControl, vmUuid: string, label: string, expected: string, confirm = false): Promise<void> {
  const toolbar = page.getByRole("toolbar", { name: "VM actions" });
  const button = toolbar.getByRole("button", { name: label, exact: true });
  // The rare operations (the forced ones...) are in the toolbar's "More" menu.
  if ((await button.count()) === 0) {
    await toolbar.getByRole("button", { name: "More" }).click();
    await page.getByRole("menuitem", { name: label, exact: true }).click();
  } else await button.click();
  if (confirm) await page.getByRole("dialog").getByRole("button", { name: label, exact: true }).click();
  await expect.poll(async () => (await sim.vm(vmUuid)).record.power_state, { timeout: 15_000 }).toBe(expected);
  await expect(page.locator("h1").locator("xpath=..")).toContainText(expected, { timeout: 15_000 });
}

test.describe("the operator of pool production", () => {
  test.use({ as: "operator" });

  test("sees only that pool's VMs, starts and stops one, and is offered no delete", async ({ page, run, sim }) => {
    const pools = await listedPools(page);
    expect(pools).toHaveLength(vmsOf(run, "production").length);
    expect(new Set(pools)).toEqual(new Set(["production"]));
    await expect(page.getByText(`${vmsOf(run, "production").length} VMs in 1 pool`)).toBeVisible();

    const target = vmsOf(run, "production").filter((vm) => vm.powerState === "Halted")[0]!;
    await page.goto(`/vms/${target.uuid}`);
    await expect(page.getByRole("heading", { level: 1, name: target.name })).toBeVisible();
    const toolbar = page.getByRole("toolbar", { name: "VM actions" });
    await expect(toolbar.getByRole("button", { name: "Start", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: /delete|destroy|remove/i })).toHaveCount(0);

    await runOperation(page, sim, target.uuid, "Start", "Running");
    await runOperation(page, sim, target.uuid, "Force shutdown", "Halted", true);
  });

  test("gets a not-found page for a VM of another pool, by URL", async ({ page, run }) => {
    const elsewhere = vmsOf(run, "lab")[0]!;
    await page.goto(`/vms/${elsewhere.uuid}`);
    await expect(page.getByRole("heading", { name: /not found/i })).toBeVisible();
    await expect(page.getByText(elsewhere.uuid)).toHaveCount(0);
  });
});

test.describe("the viewer of pool production", () => {
  test.use({ as: "viewer" });

  test("sees that pool's VMs without any action button", async ({ page, run }) => {
    const pools = await listedPools(page);
    expect(new Set(pools)).toEqual(new Set(["production"]));
    expect(pools).toHaveLength(vmsOf(run, "production").length);
    for (const label of ["Start", "Shut down", "Reboot", "Force shutdown", "Suspend", "Pause"]) {
      await expect(page.getByRole("button", { name: label, exact: true })).toHaveCount(0);
    }

    const target = vmsOf(run, "production").find((vm) => vm.powerState === "Running")!;
    await page.goto(`/vms/${target.uuid}`);
    await expect(page.getByRole("heading", { level: 1, name: target.name })).toBeVisible();
    await expect(page.getByText(target.uuid)).toBeVisible();
    await expect(page.getByRole("toolbar", { name: "VM actions" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /start|shut|reboot|suspend|pause|delete/i })).toHaveCount(0);
  });
});

test.describe("a user with no ACL", () => {
  test.use({ as: "nobody" });

  test("sees empty lists and gets a not-found page for a VM by URL", async ({ page, run }) => {
    await page.goto("/vms");
    await expect(page.getByText("0 VMs in 0 pools")).toBeVisible();
    await expect(page.getByText("You have no access to any VM yet")).toBeVisible();
    await page.goto("/hosts");
    await expect(page.getByRole("link", { name: run.pools[0]!.hosts[0]!.name })).toHaveCount(0);

    const target = vmsOf(run, "production")[0]!;
    await page.goto(`/vms/${target.uuid}`);
    await expect(page.getByRole("heading", { name: /not found/i })).toBeVisible();
    await expect(page.getByText(target.name, { exact: true })).toHaveCount(0);
  });
});

test("a user with operator on two VMs of their own sees exactly those, and can start and stop them", async ({ browser, run, sim }, info) => {
  const username = uniqueName("owner", info);
  // Two halted VMs of pool "production" that no other spec starts: the operator's test takes the first halted
  // one, the security controls the one before last (lab's belong to the lifecycle specs).
  const halted = vmsOf(run, "production").filter((vm) => vm.powerState === "Halted");
  const mine = [halted[1]!, halted.at(-1)!];
  await createUser({ username, password: "owner-password-1", acls: mine.map((vm) => ({ kind: "vm" as const, uuid: vm.uuid, role: "operator" as const })) });
  const { context, page } = await signedInContext(browser, run, username, "owner-password-1");
  try {
    await page.goto("/vms");
    const names = await page.getByRole("table", { name: "Virtual machines" }).locator("tbody tr td:nth-child(2)").allTextContents();
    expect(names.sort()).toEqual(mine.map((vm) => vm.name).sort());

    await page.goto(`/vms/${mine[0]!.uuid}`);
    await runOperation(page, sim, mine[0]!.uuid, "Start", "Running");
    await runOperation(page, sim, mine[0]!.uuid, "Shut down", "Halted", true);
  } finally {
    await context.close();
  }
});

test("an admin grants a role through the ACL page and the user's next page shows the new VMs", async ({ page, browser, run }, info) => {
  const username = uniqueName("newcomer", info);
  const { id } = await createUser({ username, password: "newcomer-password-1" });
  const user = await signedInContext(browser, run, username, "newcomer-password-1");
  try {
    await user.page.goto("/vms");
    await expect(user.page.getByText("0 VMs in 0 pools")).toBeVisible();

    await page.goto(`/admin/acls?subject=user:${id}`);
    const grantForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Grant" }) });
    await grantForm.getByLabel("Kind of object").selectOption("pool");
    await grantForm.getByLabel("Search objects by name or uuid").fill("dev");
    await grantForm
      .getByRole("list", { name: "Matching objects" })
      .getByRole("button", { name: /^Pool dev/ })
      .click();
    await expect(grantForm.getByTestId("picked-object")).toHaveText("dev");
    await grantForm.getByRole("radio", { name: /^Viewer/ }).check();
    await grantForm.getByRole("button", { name: "Grant" }).click();
    await expect(grantForm.getByText(`${username} is now Viewer of Pool dev.`)).toBeVisible();

    // The same session, next page: the new rights apply without signing in again.
    await user.page.reload();
    await expect(user.page.getByText(`${vmsOf(run, "dev").length} VMs in 1 pool`)).toBeVisible();
    const pools = await listedPools(user.page);
    expect(new Set(pools)).toEqual(new Set(["dev"]));
  } finally {
    await user.context.close();
  }
});
