/**
 * VM consoles in the browser: an operator opens a VM's console (noVNC through XenDeck's websocket proxy), sees
 * the screen drawn, types into it and the simulated guest receives it, reboots the VM and the console comes back
 * by itself. A viewer gets no Console tab, and forged console websockets (a VM of another pool, no session,
 * another site's Origin, a viewer's) are refused and audited. A global admin gets the host's text console.
 */
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { ConsoleHttpError, openWebSocket } from "../lib/dev/test/console-clients";
import { auditEntries, auditSince } from "./support/access";
import { expect, test } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";

/** Distinct colours on the console's canvas (a blank or unpainted screen has one). */
function canvasColours(page: Page): Promise<number> {
  return page.locator("[data-testid=vm-console] canvas").evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let index = 0; index < data.length && colours.size < 8; index += 4 * 7) colours.add((data[index]! << 16) | (data[index + 1]! << 8) | data[index + 2]!);
    return colours.size;
  });
}

const canvasSize = (page: Page) => page.locator("[data-testid=vm-console] canvas").evaluate((canvas: HTMLCanvasElement) => `${canvas.width}x${canvas.height}`);
const consoleState = (page: Page) => page.locator("[data-console-state]");

/** Opens a console websocket from the page (same origin, the page's cookies) and resolves with how it closed. */
function forgedSocket(page: Page, vmUuid: string): Promise<{ code: number; reason: string }> {
  return page.evaluate(
    (uuid) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(`ws://${window.location.host}/api/consoles/${uuid}`, ["binary"]);
        socket.onclose = (event) => resolve({ code: event.code, reason: event.reason });
      }),
    vmUuid,
  );
}

function sessionCookieOf(run: RunInfo, user: keyof RunInfo["users"]): string {
  const state = JSON.parse(readFileSync(run.users[user].storageState, "utf8")) as { cookies: { name: string; value: string }[] };
  return state.cookies
    .filter((cookie) => cookie.name.includes("session-token"))
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .join("; ");
}

test.describe("as an operator", () => {
  test.use({ as: "operator" });

  test("opens the console, sees the screen, types into the guest, and the console comes back after a reboot", async ({ page, context, sim, vm }) => {
    const target = vm("production", "app-04");
    await page.goto(`/vms/${target.uuid}`);
    await page.getByRole("navigation", { name: "VM sections" }).getByRole("link", { name: "Console" }).click();
    await expect(page).toHaveURL(new RegExp(`/vms/${target.uuid}/console$`));
    await expect(consoleState(page)).toHaveAttribute("data-console-state", "connected");
    await expect.poll(() => canvasColours(page)).toBeGreaterThan(1);
    const before = await canvasSize(page);

    await page.locator("[data-testid=vm-console] canvas").click();
    await page.keyboard.type("root");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await sim.console(target.uuid)).typed).toContain("root\r");
    await expect.poll(async () => (await sim.console(target.uuid)).screen?.lines.join("\n")).toContain("Password:");

    // Send text: typed as keystrokes on the guest's layout.
    await page.getByRole("button", { name: "Send text…" }).click();
    await page.getByLabel("Text to type into the guest").fill("secret\nhostname\n");
    await page.getByRole("button", { name: "Type it" }).click();
    await expect.poll(async () => (await sim.console(target.uuid)).typed).toContain("secret\rhostname\r");

    // Ctrl+Alt+Del reaches the guest.
    await page.getByRole("button", { name: "Ctrl+Alt+Del" }).click();
    await expect.poll(async () => (await sim.console(target.uuid)).ctrlAltDel).toBe(1);

    // A reboot from another tab: the console closes with the old domain and reconnects to the new one.
    const overview = await context.newPage();
    await overview.goto(`/vms/${target.uuid}`);
    await overview.getByRole("button", { name: "Reboot", exact: true }).click();
    await expect(overview.getByText(`${target.name} rebooted`)).toBeVisible();
    await overview.close();
    await expect.poll(() => canvasSize(page), { timeout: 20_000 }).not.toBe(before);
    await expect(consoleState(page)).toHaveAttribute("data-console-state", "connected");
    await expect.poll(() => canvasColours(page)).toBeGreaterThan(1);
    await page.locator("[data-testid=vm-console] canvas").click();
    await page.keyboard.type("again");
    await expect.poll(async () => (await sim.console(target.uuid)).typed).toContain("again");

    // The same console alone in a window of its own.
    const opened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Pop out" }).click();
    const popup = await opened;
    await expect(popup).toHaveURL(new RegExp(`/consoles/${target.uuid}$`));
    await expect(consoleState(popup)).toHaveAttribute("data-console-state", "connected");
    await expect.poll(() => canvasColours(popup)).toBeGreaterThan(1);
    await popup.close();
  });
});

test.describe("refusals", () => {
  test.use({ as: "viewer" });

  test("a viewer has no Console tab; forged console websockets are refused and audited", async ({ page, browser, run, vm }) => {
    const since = auditSince();
    const production = vm("production", "k8s-node-06");
    const otherPool = vm("lab", "db-01");

    await page.goto(`/vms/${production.uuid}`);
    await expect(page.getByRole("navigation", { name: "VM sections" }).getByRole("link", { name: "Overview" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "VM sections" }).getByRole("link", { name: "Console" })).toHaveCount(0);
    await page.goto(`/vms/${production.uuid}/console`);
    await expect(page.getByText("You may not open this console")).toBeVisible();

    // The viewer's own browser, forging the websocket the Console tab would open.
    expect((await forgedSocket(page, production.uuid)).code).toBe(4003);
    // A VM of a pool the viewer has no access to: the same answer as a VM that does not exist.
    expect(await forgedSocket(page, otherPool.uuid)).toEqual({ code: 4004, reason: "This VM does not exist, or you do not have access to it." });

    // No session at all.
    const anonymous = await browser.newContext({ baseURL: run.baseUrl, storageState: { cookies: [], origins: [] } });
    const anonymousPage = await anonymous.newPage();
    await anonymousPage.goto("/login");
    expect((await forgedSocket(anonymousPage, production.uuid)).code).toBe(1006);
    await anonymous.close();

    // Another site's page, with the operator's cookies (cross-site websocket hijacking): refused before the upgrade.
    const url = `${run.baseUrl.replace("http", "ws")}/api/consoles/${production.uuid}`;
    const hijack = await openWebSocket(url, { headers: { Origin: "https://evil.example", Cookie: sessionCookieOf(run, "operator") } }).catch(
      (error: unknown) => error,
    );
    expect(hijack).toBeInstanceOf(ConsoleHttpError);
    expect((hijack as ConsoleHttpError).status).toBe(403);

    await expect
      .poll(async () =>
        (await auditEntries(run, { object: production.uuid, from: since }))
          .filter((entry) => entry.action === "vm.console")
          .map((entry) => `${entry.outcome} ${entry.errorCode} ${entry.actorUsername}`)
          .sort(),
      )
      .toEqual(["refused BAD_ORIGIN null", "refused NOT_ALLOWED viewer", "refused NOT_SIGNED_IN null"]);
    expect((await auditEntries(run, { object: otherPool.uuid, from: since })).map((entry) => `${entry.action} ${entry.outcome} ${entry.errorCode}`)).toEqual([
      "vm.console refused NOT_FOUND",
    ]);
  });
});

test("a global admin uses a host's text console", async ({ page, run, sim }) => {
  const lab = run.pools.find((pool) => pool.name === "lab")!;
  const host = lab.hosts[1]!;
  await page.goto(`/hosts/${host.uuid}`);
  await page.getByRole("navigation", { name: "Host sections" }).getByRole("link", { name: "Console" }).click();
  const terminal = page.locator("[data-testid=text-console] .xterm-rows");
  await expect(terminal).toContainText("login:");
  await page.locator("[data-testid=text-console] .xterm").click();
  await page.keyboard.type("root");
  await page.keyboard.press("Enter");
  await expect(terminal).toContainText("Password:");
  const dom0 = (await sim.vm(`Control domain on host: ${host.name}`)).record.uuid;
  await expect.poll(async () => (await sim.console(dom0)).typed).toContain("root\r");
});
