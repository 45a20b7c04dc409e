/**
 * What non-admins see, as the admin of issue 17 found it (#3, #8): a viewer whose ACLs name VMs only gets counts
 * and links that agree with what they may open, and "no access" when that is the reason; every user has the
 * audit log (their own activity); a VM page says the user's role there, where it comes from and what the missing
 * actions need; a viewer has no selection boxes that would do nothing.
 */
import { signedInContext, uniqueName } from "./support/access";
import { createUser, expect, test } from "./support/fixtures";

test("a viewer of two VMs only: counts and links agree with what they may open, and the reason given is no access", async ({ browser, run, vm }, info) => {
  // It creates an account and signs in through the login page (scrypt, a child process): slow on a busy machine.
  test.slow();
  const mine = [vm("lab", "mysql-01"), vm("lab", "dc-01")];
  const username = uniqueName("vm-viewer", info);
  await createUser({
    username,
    password: "vm-viewer-password",
    acls: mine.map((target) => ({ kind: "vm" as const, uuid: target.uuid, role: "viewer" as const })),
  });
  const { context, page } = await signedInContext(browser, run, username, "vm-viewer-password");
  try {
    // The dashboard does not count pools they cannot open as theirs.
    await page.goto("/");
    await expect(page.getByText("no access to the pools themselves; your VMs or hosts are in 1 pool")).toBeVisible();
    await page.goto("/pools");
    await expect(page.getByText("You have no access to the pools themselves: your access is to some VMs or hosts of lab.")).toBeVisible();
    await page.goto("/hosts");
    await expect(page.getByText("You have no access to any host.")).toBeVisible();
    await expect(page.getByText("No pool is connected")).toHaveCount(0);

    // The list shows their two VMs, without selection boxes (a viewer has nothing to do with a selection).
    await page.goto("/vms");
    await expect(page.getByText("2 VMs in 1 pool")).toBeVisible();
    await expect(page.getByRole("table", { name: "Virtual machines" }).getByRole("checkbox")).toHaveCount(0);

    // The VM page names the pool without linking to a page that would answer "not found", and says what their access is.
    await page.goto(`/vms/${mine[0]!.uuid}`);
    await expect(page.getByRole("heading", { level: 1, name: mine[0]!.name })).toBeVisible();
    await expect(page.getByRole("main").getByRole("link", { name: "lab", exact: true })).toHaveCount(0);
    const access = page.getByRole("region", { name: "Your access" });
    await expect(access).toContainText("Viewer here, through an ACL on this VM.");
    await expect(access).toContainText("need the Operator role");
    await expect(access).toContainText("need the Admin role");

    // Their own activity is in the navigation.
    await page.getByRole("navigation").getByRole("link", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole("heading", { level: 1, name: "My activity" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Audit entries" }).getByRole("row").filter({ hasText: "login" }).first()).toBeVisible();
  } finally {
    await context.close();
  }
});

test.describe("the operator of pool production", () => {
  test.use({ as: "operator" });

  test("reads on a VM page their role, where it comes from, and what the actions they are not offered need", async ({ page, vm }) => {
    await page.goto(`/vms/${vm("production", "app-04").uuid}`);
    const access = page.getByRole("region", { name: "Your access" });
    await expect(access).toContainText("Operator here, through pool production.");
    await expect(access).toContainText(/Delete, clone, .* need the Admin role\./);
    await expect(page.getByRole("navigation").getByRole("link", { name: "Audit log" })).toBeVisible();
  });
});
