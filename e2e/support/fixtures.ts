/**
 * The tests' `test` and `expect`. Every test runs signed in as one of the seeded users (`as`, default
 * "admin"), with:
 *   sim    the simulator's control API (outside changes, faults, inspection)
 *   run    what the global setup started (URLs, users, pools, VMs; e2e/support/run-info.ts)
 *   vm     finds a seeded VM by pool and name: `vm("lab", "web-01")`
 *
 *   test.use({ as: "viewer" });
 *   test("…", async ({ page, sim, vm }) => { … });
 *
 * `signIn(page, username, password)` signs in through the login page (for tests about sessions).
 * `gotoLive(page, url)` opens a page and waits until its live update stream is open (before changing things).
 * `createUser(...)` makes a throwaway account (tests that disable or change one must not use the seeded ones).
 */
import { test as base, expect, type Page } from "@playwright/test";
import { runDbCli } from "./db";
import { runInfo, type RunInfo, type SeededUser } from "./run-info";
import { SimControl } from "./sim-control";

export { expect };

type VmFinder = (pool: string, name: string) => RunInfo["vms"][number];

export const test = base.extend<{ as: SeededUser; sim: SimControl; run: RunInfo; vm: VmFinder }>({
  as: ["admin", { option: true }],
  baseURL: async ({}, use) => use(runInfo().baseUrl),
  storageState: async ({ as }, use) => use(runInfo().users[as].storageState),
  run: async ({}, use) => use(runInfo()),
  sim: async ({}, use) => use(new SimControl(runInfo().controlUrl)),
  vm: async ({}, use) =>
    use((pool, name) => {
      const found = runInfo().vms.find((vm) => vm.pool === pool && vm.name === name);
      if (!found) throw new Error(`no seeded VM ${name} in pool ${pool}`);
      return found;
    }),
});

/**
 * Opens `url` and resolves once the page's live update stream answered: the server subscribes a stream before
 * it answers, so every change made after this reaches the page.
 */
export async function gotoLive(page: Page, url: string): Promise<void> {
  const streamOpen = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/live" && response.ok());
  await page.goto(url);
  await streamOpen;
}

/** Signs in through the login page. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

/**
 * Creates an account through XenDeck's repositories (as admin); `acls` name objects by XAPI uuid. Usernames
 * must be unique per run: pass something like `disabled-${test.info().workerIndex}`.
 */
export function createUser(user: {
  username: string;
  password: string;
  isAdmin?: boolean;
  acls?: { kind: "pool" | "host" | "vm" | "sr" | "network"; uuid: string; role: "viewer" | "operator" | "admin" }[];
}): Promise<{ id: string }> {
  return runDbCli(runInfo().appEnv, ["create-user", JSON.stringify(user)]);
}

/** Changes an account as an admin would (e.g. `{ disabled: true }`). */
export async function updateUser(username: string, changes: { disabled?: boolean; isAdmin?: boolean; displayName?: string }): Promise<void> {
  await runDbCli(runInfo().appEnv, ["update-user", username, JSON.stringify(changes)]);
}

/** Gives an existing account a role on an object. */
export async function grant(
  username: string,
  acl: { kind: "pool" | "host" | "vm" | "sr" | "network"; uuid: string; role: "viewer" | "operator" | "admin" },
): Promise<void> {
  await runDbCli(runInfo().appEnv, ["add-acl", username, JSON.stringify(acl)]);
}
