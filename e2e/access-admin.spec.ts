/**
 * Administering access through the UI, as a global admin: accounts, the last-admin rule, password resets,
 * groups, ACLs with the object picker, each user's "what they can reach and why", and the audit log.
 */
import { auditEntries, auditSince, signedInContext, uniqueName } from "./support/access";
import { createUser, expect, test } from "./support/fixtures";

test("an admin creates an account, grants it a role on a VM with the object picker, and its page shows what it reaches", async ({ page, vm }, info) => {
  const username = uniqueName("alice", info);
  const target = vm("lab", "web-01");

  await page.goto("/admin/users");
  await page.getByRole("link", { name: "New user" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Display name").fill("Alice Operator");
  await page.getByRole("textbox", { name: "Password", exact: true }).fill("alice-first-password");
  await page.getByRole("textbox", { name: "Confirm password" }).fill("alice-first-password");
  await page.getByRole("button", { name: "Create user" }).click();

  await expect(page.getByRole("heading", { level: 1, name: username })).toBeVisible();
  await expect(page.getByText("ACL-based", { exact: true })).toBeVisible();
  await expect(page.getByText(`${username} sees nothing`)).toBeVisible();

  await page.getByRole("link", { name: "Grant access" }).click();
  await expect(page).toHaveURL(/\/admin\/acls\?subject=user%3A/);
  const grantForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Grant" }) });
  await expect(grantForm.getByLabel("User or group")).toHaveValue(/^user:/);
  await grantForm.getByLabel("Kind of object").selectOption("vm");
  await grantForm.getByLabel("Search objects by name or uuid").fill(target.uuid);
  const results = grantForm.getByRole("list", { name: "Matching objects" });
  await expect(results.getByRole("button")).toHaveCount(1);
  await results.getByRole("button", { name: /web-01/ }).click();
  await expect(grantForm.getByTestId("picked-object")).toHaveText("web-01");
  await grantForm.getByRole("radio", { name: /^Operator/ }).check();
  await grantForm.getByRole("button", { name: "Grant" }).click();
  await expect(grantForm.getByText(`${username} is now Operator of VM web-01.`)).toBeVisible();

  // The new ACL is listed, and the user's page explains it.
  const aclRow = page.getByRole("table", { name: "ACLs" }).getByRole("row").filter({ hasText: username });
  await expect(aclRow).toContainText("VM web-01");
  await aclRow.getByRole("link", { name: username }).click();
  const acls = page.getByRole("table", { name: `ACLs of ${username}` });
  await expect(acls.getByRole("row").filter({ hasText: "VM web-01" })).toContainText("Direct ACL");
  await expect(acls).toContainText("lab");
  const reach = page.getByRole("table", { name: `Objects ${username} can reach` });
  await expect(reach.getByRole("row")).toHaveCount(2); // header + the VM
  await expect(reach.getByRole("row").nth(1)).toContainText("VM web-01");
  await expect(reach.getByRole("row").nth(1)).toContainText("operator on this object");
});

test("the last enabled administrator can be neither disabled nor demoted, and the refusal is explained", async ({ page }) => {
  await page.goto("/admin/users");
  await page.getByRole("link", { name: "admin", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "admin" })).toBeVisible();

  await page.getByRole("button", { name: "Disable account" }).click();
  await expect(page.getByText("This is the last enabled administrator: make another user an administrator first.")).toBeVisible();

  const accountForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Save" }) });
  await accountForm.getByRole("radio", { name: /^ACL-based user/ }).check();
  await accountForm.getByRole("button", { name: "Save" }).click();
  await expect(accountForm.getByText("This is the last enabled administrator")).toBeVisible();

  await page.reload();
  await expect(page.getByText("Global admin", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Disable account" })).toBeVisible();
});

test("a password reset ends the user's sessions and makes them choose a new password, after which they stay signed in", async ({
  page,
  browser,
  run,
}, info) => {
  // Two sign-ins through the login page and a password change (scrypt, a child process each): 44 s of the 45 on a busy machine.
  test.slow();
  const username = uniqueName("bob", info);
  const { id } = await createUser({ username, password: "bob-original-password" });
  const before = await signedInContext(browser, run, username, "bob-original-password");

  await page.goto(`/admin/users/${id}`);
  const resetForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Reset password" }) });
  await resetForm.getByRole("button", { name: "Reset password" }).click();
  await expect(resetForm.getByText("Password reset: the user's sessions have ended")).toBeVisible();
  const temporary = (await resetForm.getByRole("status", { name: "Temporary password" }).textContent())?.trim();
  expect(temporary).toMatch(/^[A-Za-z0-9]{16}$/);
  await expect(page.getByText("Must change password")).toBeVisible();

  // The session opened before the reset is over.
  await before.page.goto("/settings/password");
  await expect(before.page).toHaveURL(/\/login/);
  await before.context.close();

  // With the temporary password, the login and every page lead to the change-password form.
  const after = await signedInContext(browser, run, username, temporary!);
  await expect(after.page).toHaveURL(/\/settings\/password$/);
  await after.page.goto("/vms");
  await expect(after.page).toHaveURL(/\/settings\/password$/);
  await expect(after.page.getByText("Choose a new password to continue")).toBeVisible();
  await expect(after.page.getByText("An administrator reset your password.")).toBeVisible();
  await after.page.getByRole("textbox", { name: "Temporary password" }).fill(temporary!);
  await after.page.getByRole("textbox", { name: "New password", exact: true }).fill("bob-chosen-password");
  await after.page.getByRole("textbox", { name: "Confirm new password" }).fill("bob-chosen-password");
  await after.page.getByRole("button", { name: "Change password" }).click();
  await expect(after.page).toHaveURL(`${run.baseUrl}/`);

  // Still signed in (the session was renewed), and no longer asked to change the password.
  await after.page.goto("/settings/password");
  await expect(after.page.getByRole("heading", { level: 1, name: "Change password" })).toBeVisible();
  await expect(after.page.getByText("Choose a new password to continue")).toHaveCount(0);
  await after.context.close();

  const again = await signedInContext(browser, run, username, "bob-chosen-password");
  await expect(again.page).not.toHaveURL(/\/settings\/password/);
  await again.context.close();
});

test('an account created with "must change password" leads its user to the change-password form until they have', async ({ page, browser, run }, info) => {
  const since = auditSince();
  const username = uniqueName("erin", info);
  await page.goto("/admin/users/new");
  const mustChange = page.getByRole("checkbox", { name: "Must change password at next login" });
  await expect(mustChange).toBeChecked(); // the default: an admin-chosen password is temporary
  await page.getByLabel("Username").fill(username);
  await page.getByRole("textbox", { name: "Password", exact: true }).fill("erin-initial-password");
  await page.getByRole("textbox", { name: "Confirm password" }).fill("erin-initial-password");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("heading", { level: 1, name: username })).toBeVisible();
  await expect(page.getByText("Must change password")).toBeVisible();

  // The audit entry records the flag, never the password.
  const [created] = (await auditEntries(run, { action: "user.create", from: since })).filter((entry) => entry.params.username === username);
  expect(created?.params).toEqual({ username, displayName: "", isAdmin: false, mustChangeAtFirstLogin: true });
  expect(JSON.stringify(created)).not.toContain("erin-initial-password");

  // The login leads to the change-password form, and so does every page until the password is changed.
  const erin = await signedInContext(browser, run, username, "erin-initial-password");
  await expect(erin.page).toHaveURL(/\/settings\/password$/);
  // A new account is welcomed and asked for its own password, not told that a password was reset.
  await expect(erin.page.getByText("Welcome to XenDeck: choose your own password")).toBeVisible();
  await expect(erin.page.getByText("An administrator reset your password")).toHaveCount(0);
  await erin.page.goto("/vms");
  await expect(erin.page).toHaveURL(/\/settings\/password$/);
  await expect(erin.page.getByText("0 VMs in 0 pools")).toHaveCount(0);
  await erin.page.getByRole("textbox", { name: "Password you were given" }).fill("erin-initial-password");
  await erin.page.getByRole("textbox", { name: "New password", exact: true }).fill("erin-own-password");
  await erin.page.getByRole("textbox", { name: "Confirm new password" }).fill("erin-own-password");
  await erin.page.getByRole("button", { name: "Change password" }).click();
  await expect(erin.page).toHaveURL(`${run.baseUrl}/`);
  await erin.page.goto("/vms");
  await expect(erin.page).toHaveURL(/\/vms$/);
  await expect(erin.page.getByText("0 VMs in 0 pools")).toBeVisible();
  await erin.context.close();

  // Unticked, the account is usable at once with the password the admin chose.
  const other = uniqueName("frank", info);
  await page.goto("/admin/users/new");
  await page.getByLabel("Username").fill(other);
  await page.getByRole("textbox", { name: "Password", exact: true }).fill("frank-chosen-password");
  await page.getByRole("textbox", { name: "Confirm password" }).fill("frank-chosen-password");
  await page.getByRole("checkbox", { name: "Must change password at next login" }).uncheck();
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("heading", { level: 1, name: other })).toBeVisible();
  await expect(page.getByText("Must change password")).toHaveCount(0);
  const frank = await signedInContext(browser, run, other, "frank-chosen-password");
  await frank.page.goto("/vms");
  await expect(frank.page).toHaveURL(/\/vms$/);
  await frank.context.close();
});

test("a group gives its members its ACLs; the member's page says through which group", async ({ page, run }, info) => {
  const username = uniqueName("carol", info);
  const groupName = uniqueName("night-shift", info);
  await createUser({ username, password: "carol-password-1" });
  const dev = run.pools.find((pool) => pool.name === "dev")!;

  await page.goto("/admin/groups");
  const createForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Create group" }) });
  await createForm.getByLabel("Name").fill(groupName);
  await createForm.getByLabel("Description").fill("Operators on call");
  await createForm.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("heading", { level: 1, name: groupName })).toBeVisible();

  const addForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Add member" }) });
  await addForm.getByLabel("User").selectOption({ label: username });
  await addForm.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("table", { name: `Members of ${groupName}` }).getByRole("link", { name: username })).toBeVisible();

  await page.getByRole("link", { name: "Grant access" }).click();
  const grantForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Grant" }) });
  await grantForm.getByLabel("Kind of object").selectOption("pool");
  await grantForm.getByLabel("Search objects by name or uuid").fill(dev.uuid);
  await grantForm.getByRole("list", { name: "Matching objects" }).getByRole("button").first().click();
  await grantForm.getByRole("button", { name: "Grant" }).click();
  await expect(grantForm.getByText(`group ${groupName} is now Viewer of Pool dev.`)).toBeVisible();

  await page.getByRole("table", { name: "ACLs" }).getByRole("row").filter({ hasText: groupName }).getByRole("link", { name: groupName }).click();
  // Deleting the group would say what goes with it, in agreement with the count (issue 17 #9); cancelled here.
  await page.getByRole("button", { name: "Delete group" }).click();
  const deleteGroup = page.getByRole("dialog", { name: `Delete group ${groupName}?` });
  await expect(deleteGroup).toContainText("Its ACL is removed too.");
  await deleteGroup.getByRole("button", { name: "Cancel" }).click();
  await page
    .getByRole("table", { name: `Members of ${groupName}` })
    .getByRole("link", { name: username })
    .click();
  const acls = page.getByRole("table", { name: `ACLs of ${username}` });
  await expect(acls.getByRole("row").filter({ hasText: "Pool dev" })).toContainText(`Group ${groupName}`);
  const vmsOfDev = run.vms.filter((candidate) => candidate.pool === "dev").length;
  const summary = page.getByText(new RegExp(`1 pool, 3 hosts, ${vmsOfDev} VMs`));
  // vm-management.spec has a clone in dev for a few seconds: if the suite ever runs both at once, the count is
  // one more meanwhile, so the page is read again until it shows the seeded count.
  let reads = 0;
  await expect(async () => {
    if (reads++ > 0) await page.reload();
    await expect(summary).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });

  // Removing the member takes the access away.
  const membership = page.locator("li").filter({ hasText: groupName });
  await membership.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText(`${username} sees nothing`)).toBeVisible();
});

test("the audit log shows who did what, is filtered through the URL, and exports what it shows", async ({ page, run }, info) => {
  const since = auditSince();
  const username = uniqueName("dave", info);
  await createUser({ username, password: "dave-password-1" });

  await page.goto(`/audit?${new URLSearchParams({ action: "user.create", from: since.slice(0, 19) })}`);
  const table = page.getByRole("table", { name: "Audit entries" });
  const row = table.getByRole("row").filter({ hasText: username });
  await expect(row).toContainText("user.create");
  await expect(row).toContainText("OK");
  await expect(page.getByLabel("Action")).toHaveValue("user.create");

  // Export what the page shows, as CSV and JSON.
  const csvHref = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(csvHref).toContain("action=user.create");
  const csv = await page.request.get(csvHref!);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  expect(csv.headers()["content-disposition"]).toMatch(/attachment; filename="xendeck-audit-.*\.csv"/);
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe(
    "id,at,actorUsername,actorId,address,action,objectKind,objectUuid,objectLabel,poolId,outcome,errorCode,errorText,taskRef,params,prevHash,hash",
  );
  expect(lines.slice(1).every((line) => line.includes(",user.create,"))).toBe(true);
  expect(lines.some((line) => line.includes(username))).toBe(true);
  // The object filter takes the object's name, not only its uuid (issue 17 #10).
  await page.goto(`/audit?${new URLSearchParams({ from: since.slice(0, 19) })}`);
  await page.getByLabel("Object", { exact: true }).fill(username);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(new RegExp(`object=${username}`));
  await expect(table.getByRole("row").filter({ hasText: username }).filter({ hasText: "user.create" })).toBeVisible();

  const json = await auditEntries(run, { action: "user.create", from: since });
  expect(json.map((entry) => entry.objectKind === "user" && entry.action)).toContain("user.create");
  // (Chain verification from this page: security-audit-chain.spec.ts, the only spec that verifies.)
});

test.describe("as a user without administration rights", () => {
  test.use({ as: "viewer" });

  test("the audit page shows only their own entries, and no administration page exists for them", async ({ page, run }) => {
    await page.goto("/audit");
    await expect(page.getByRole("heading", { level: 1, name: "My activity" })).toBeVisible();
    await expect(page.getByLabel("User", { exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Verify chain" })).toHaveCount(0);
    const who = page.getByRole("table", { name: "Audit entries" }).getByRole("row").locator("td:nth-child(3)");
    await expect(who.first()).toContainText("viewer");
    for (const text of await who.allTextContents()) expect(text).toContain("viewer");

    // Not "forbidden": the pages answer as if they did not exist, and render nothing of their own.
    for (const path of ["/admin/users", "/admin/users/new", "/admin/groups", "/admin/acls", `/admin/users/${run.users.admin.username}`]) {
      const response = await page.goto(path);
      await expect(page.getByRole("heading", { name: "This page was not found" }), path).toBeVisible();
      const html = (await response?.text()) ?? "";
      for (const leak of ["New user", "Grant access", "Create group", "Global administrator"]) expect(html, `${path} mentions ${leak}`).not.toContain(leak);
    }
  });
});

test("the ACL page names each object with its pool and links it, clears the form after a grant, counts in words, and asks before removing", async ({
  page,
  vm,
}, info) => {
  const username = uniqueName("acl-page", info);
  const { id } = await createUser({ username, password: "acl-page-password-1" });
  const target = vm("lab", "dns-01");
  // A laptop's width: the filter row fits on one line.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/admin/acls");
  const filterRow = page.getByRole("search", { name: "Filter ACLs" });
  const tops = await filterRow.locator("input, select").evaluateAll((fields) => fields.map((field) => Math.round(field.getBoundingClientRect().top)));
  expect(tops.length).toBeGreaterThan(1);
  expect(new Set(tops).size).toBe(1);
  expect(await filterRow.evaluate((form) => form.scrollWidth <= form.clientWidth)).toBe(true);

  const grantForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Grant" }) });
  await grantForm.getByLabel("User or group").selectOption(`user:${id}`);
  await grantForm.getByLabel("Kind of object").selectOption("vm");
  await grantForm.getByLabel("Search objects by name or uuid").fill(target.uuid);
  await grantForm
    .getByRole("list", { name: "Matching objects" })
    .getByRole("button", { name: /dns-01/ })
    .click();
  await grantForm.getByRole("radio", { name: /^Viewer/ }).check();
  await grantForm.getByRole("button", { name: "Grant" }).click();
  await expect(grantForm.getByText(`${username} is now Viewer of VM dns-01.`)).toBeVisible();
  // Ready for the next grant: nothing of the last one is left in the form.
  await expect(grantForm.getByLabel("User or group")).toHaveValue("");
  await expect(grantForm.getByTestId("picked-object")).toHaveCount(0);
  await expect(grantForm.getByLabel("Search objects by name or uuid")).toHaveValue("");

  await page.goto(`/admin/acls?subject=user:${id}`);
  await expect(page.getByText("1 ACL matches the filter")).toBeVisible();
  const row = page.getByRole("table", { name: "ACLs" }).getByRole("row").filter({ hasText: username });
  await expect(row).toContainText("· lab");
  await expect(row.getByRole("link", { name: "VM dns-01" })).toHaveAttribute("href", `/vms/${target.uuid}`);

  // Remove is a button that asks first; cancelling keeps the ACL.
  await row.getByRole("button", { name: "Remove" }).click();
  const confirm = page.getByRole("dialog", { name: `Remove ${username}'s access to VM dns-01?` });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Remove" }).click();
  await confirm.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText("0 ACLs match the filter")).toBeVisible();
  await expect(row).toHaveCount(0);
});
