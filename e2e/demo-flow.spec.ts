/** The README's demo flow: an admin logs in and sees both demo pools and their VMs. */
import { expect, signIn, test } from "./support/fixtures";

test.use({ storageState: { cookies: [], origins: [] } });

test("an admin logs in and sees the pools and their VMs", async ({ page, run }) => {
  await signIn(page, "admin", run.users.admin.password);
  await expect(page).toHaveTitle(/Dashboard/);
  await page.getByRole("link", { name: "VMs", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Virtual machines" })).toBeVisible();
  const table = page.getByRole("table", { name: "Virtual machines" });
  await expect(table.getByRole("cell", { name: "lab" }).first()).toBeVisible();
  await expect(table.getByRole("cell", { name: "production" }).first()).toBeVisible();
});
