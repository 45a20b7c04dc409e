/**
 * A long copy, started from the VM page, shows on the tasks page while it runs (progress, who started it, the
 * shell's indicator) and is cancelled from there; it stays listed as cancelled, and nothing was copied. The copy
 * is made long for this test only (every spec shares the simulator): its usual length comes back at the end.
 */
import { expect, test } from "./support/fixtures";

/** A copy at the run's speed (5 s at speed 1, the run is at 0.1). */
const USUAL_COPY_MS = 500;

test("a long copy shows on the tasks page and is cancelled from there", async ({ page, context, sim, vm }) => {
  // Two pages and a copy that runs until cancelled: slow on a loaded machine.
  test.setTimeout(120_000);
  const source = vm("dr-site", "redis-01");
  await sim.duration("copy", 60_000);
  try {
    await page.goto(`/vms/${source.uuid}`);
    await page.getByRole("toolbar", { name: "VM management" }).getByRole("button", { name: "Copy", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Copy redis-01" });
    await dialog.getByLabel("Name of the copy").fill("redis-01 (never)");
    await dialog.getByRole("button", { name: "Copy" }).click();
    await expect(dialog.getByRole("progressbar", { name: /Copying redis-01/ })).toBeVisible();

    // Another tab: the tasks page, and the shell's indicator.
    const tasks = await context.newPage();
    await tasks.goto("/tasks");
    const running = tasks.getByRole("table", { name: "Running tasks" });
    const row = running.getByRole("row").filter({ hasText: "Copy redis-01" });
    await expect(row).toContainText("admin");
    await expect(row.getByRole("link", { name: "redis-01" })).toHaveAttribute("href", `/vms/${source.uuid}`);
    await expect(row.getByRole("progressbar")).toBeVisible();
    await expect(tasks.getByRole("complementary").getByTestId("tasks-indicator")).toBeVisible();

    await row.getByRole("button", { name: "Cancel" }).click();
    await tasks.getByRole("dialog", { name: "Cancel “Copy redis-01”?" }).getByRole("button", { name: "Cancel the task" }).click();
    const finished = tasks.getByRole("table", { name: "Finished tasks" }).getByRole("row").filter({ hasText: "Copy redis-01" });
    await expect(finished).toContainText("Cancelled");
    await expect(row).toHaveCount(0);

    // The VM page's dialog says so; nothing was copied.
    await expect(dialog.getByText("The operation was cancelled")).toBeVisible();
    await expect(sim.vm("redis-01 (never)")).rejects.toThrow(/no VM/);
  } finally {
    await sim.duration("copy", USUAL_COPY_MS);
  }
});
