/**
 * Detail pages answer a real HTTP 404 (not a 200 carrying the not-found UI) for objects that do not exist, and
 * the very same answer for objects the user may not see, so that existence does not leak: VMs, hosts, pools,
 * and the administration pages of users and groups. The same URLs answer 200 to someone allowed to see them.
 */
import type { Page } from "@playwright/test";
import { userId } from "./support/access";
import { expect, test } from "./support/fixtures";

const UNKNOWN_UUID = "00000000-dead-4bad-8bad-000000000000";

/** Opens `path` and checks the status code and the not-found page, with nothing of the object in it. */
async function expectNotFound(page: Page, path: string, heading: string, secrets: string[] = []): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: heading }), path).toBeVisible();
  const html = (await response?.text()) ?? "";
  for (const secret of secrets) expect(html, `${path} mentions ${secret}`).not.toContain(secret);
}

async function expectFound(page: Page, path: string, heading: string): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: heading }), path).toBeVisible();
}

test.describe("as an admin", () => {
  test("unknown VMs, hosts, pools, users, groups and URLs are 404s; existing ones are 200s", async ({ page, run, vm }) => {
    await expectNotFound(page, `/vms/${UNKNOWN_UUID}`, "This VM was not found");
    await expectNotFound(page, "/vms/not-even-a-uuid", "This VM was not found");
    await expectNotFound(page, `/hosts/${UNKNOWN_UUID}`, "This host was not found");
    await expectNotFound(page, `/pools/${UNKNOWN_UUID}`, "This pool was not found");
    await expectNotFound(page, "/pools/no-such-pool", "This pool was not found");
    await expectNotFound(page, `/admin/users/${UNKNOWN_UUID}`, "This page was not found");
    await expectNotFound(page, `/admin/groups/${UNKNOWN_UUID}`, "This page was not found");
    await expectNotFound(page, "/no/such/page", "This page was not found");

    const production = run.pools.find((pool) => pool.name === "production")!;
    const target = vm("production", run.vms.find((candidate) => candidate.pool === "production")!.name);
    await expectFound(page, `/vms/${target.uuid}`, target.name);
    await expectFound(page, `/hosts/${production.hosts[0]!.uuid}`, production.hosts[0]!.name);
    await expectFound(page, `/pools/${production.id}`, "production");
    await expectFound(page, `/admin/users/${userId(run, "viewer")}`, "viewer");
  });
});

test.describe("as a user with no ACL", () => {
  test.use({ as: "nobody" });

  test("objects that exist but are not theirs answer exactly like unknown ones", async ({ page, run }) => {
    const production = run.pools.find((pool) => pool.name === "production")!;
    const target = run.vms.find((candidate) => candidate.pool === "production")!;
    await expectNotFound(page, `/vms/${UNKNOWN_UUID}`, "This VM was not found");
    await expectNotFound(page, `/vms/${target.uuid}`, "This VM was not found", [target.name]);
    await expectNotFound(page, `/hosts/${production.hosts[0]!.uuid}`, "This host was not found", [production.hosts[0]!.name, production.hosts[0]!.address]);
    await expectNotFound(page, `/pools/${production.id}`, "This pool was not found", [production.uuid]);
    await expectNotFound(page, `/pools/${UNKNOWN_UUID}`, "This pool was not found");
    await expectNotFound(page, `/hosts/${UNKNOWN_UUID}`, "This host was not found");
    // Administration pages do not exist for non-admins, even for a real account.
    await expectNotFound(page, `/admin/users/${userId(run, "admin")}`, "This page was not found", ["Global admin"]);
  });
});

test.describe("as the operator of pool production", () => {
  test.use({ as: "operator" });

  test("a VM, host or pool of another pool is a 404", async ({ page, run }) => {
    const lab = run.pools.find((pool) => pool.name === "lab")!;
    const elsewhere = run.vms.find((candidate) => candidate.pool === "lab")!;
    await expectNotFound(page, `/vms/${elsewhere.uuid}`, "This VM was not found", [elsewhere.name]);
    await expectNotFound(page, `/hosts/${lab.hosts[0]!.uuid}`, "This host was not found", [lab.hosts[0]!.name]);
    await expectNotFound(page, `/pools/${lab.id}`, "This pool was not found", [lab.uuid]);
  });
});
