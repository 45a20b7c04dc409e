/**
 * Issue 17 #1: no console page scrolls sideways on a phone (390 px wide). The pages are not listed here: they are
 * found the way a person finds them, from the navigation and then from the links on each page (a list leads to
 * one VM, host, pool, user…, a VM page to its tabs), one page per kind of address, so a page added later is
 * checked without touching this spec.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const PHONE = { width: 390, height: 844 };
/** Nav → list → item → item's tab. */
const MAX_DEPTH = 3;

test.use({ viewport: PHONE });

/**
 * The kind of page an address leads to: its path with the ids (uuids, database ids, numbers) replaced, so that
 * one VM stands for every VM ("/vms/:id/stats").
 */
function pageKind(pathname: string): string {
  return pathname
    .split("/")
    .map((segment) => (/\d/.test(segment) || segment.length >= 20 ? ":id" : segment))
    .join("/");
}

/** Console pages this page links to (same origin, not API routes or downloads), by path. */
async function linkedPages(page: Page, scope: string): Promise<string[]> {
  const hrefs = await page.locator(scope).evaluateAll((roots) =>
    roots.flatMap((root) =>
      Array.from(root.querySelectorAll<HTMLAnchorElement>("a[href]"))
        .filter((link) => !link.hasAttribute("download") && link.target !== "_blank")
        .map((link) => new URL(link.href, location.href))
        .filter((url) => url.origin === location.origin && !url.pathname.startsWith("/api/") && url.pathname !== "/login")
        .map((url) => url.pathname),
    ),
  );
  return [...new Set(hrefs)];
}

/** The page's width beyond the viewport, with what sticks out (for the failure message). */
async function sidewaysOverflow(page: Page): Promise<{ scrollWidth: number; culprits: string[] }> {
  return page.evaluate((width) => {
    const culprits = Array.from(document.querySelectorAll<HTMLElement>("body *"))
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5 && getComputedStyle(element).position !== "fixed";
      })
      // The innermost ones: their ancestors stick out only because of them.
      .filter((element, _, all) => !all.some((other) => other !== element && element.contains(other)))
      .slice(0, 5)
      .map((element) => {
        const label = (element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40);
        return `<${element.tagName.toLowerCase()} class="${element.className}"> "${label}" right=${Math.round(element.getBoundingClientRect().right)}`;
      });
    return { scrollWidth: document.documentElement.scrollWidth, culprits };
  }, PHONE.width);
}

/** Waits until the page (streamed parts included) has loaded and its main region shows. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("load");
  await expect(page.locator("main#main")).toBeVisible();
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

test("no console page scrolls sideways at 390 px", async ({ page }) => {
  // Every kind of page, one after another, on a busy machine.
  test.setTimeout(300_000);
  await page.goto("/");
  await settle(page);
  const navigation = await linkedPages(page, "nav, header");
  expect(navigation, "the navigation links to the console's pages").toEqual(expect.arrayContaining(["/", "/vms", "/hosts", "/pools", "/audit"]));

  const seen = new Set<string>();
  const queue = navigation.map((path) => ({ path, depth: 1 }));
  const visited: string[] = [];
  const problems: string[] = [];
  while (queue.length > 0) {
    const { path, depth } = queue.shift()!;
    if (seen.has(pageKind(path))) continue;
    seen.add(pageKind(path));
    const response = await page.goto(path);
    expect(response?.status(), `${path} answers`).toBeLessThan(400);
    await settle(page);
    visited.push(path);
    const { scrollWidth, culprits } = await sidewaysOverflow(page);
    if (scrollWidth > PHONE.width) problems.push(`${path}: ${scrollWidth} px wide; ${culprits.join("; ")}`);
    if (depth < MAX_DEPTH) for (const next of await linkedPages(page, "main")) queue.push({ path: next, depth: depth + 1 });
  }

  test.info().annotations.push({ type: "pages visited", description: visited.join(" ") });
  // The crawl reached the pages behind the lists, not only the lists.
  for (const kind of ["/vms/:id", "/hosts/:id", "/pools/:id", "/storage/:id", "/networks/:id", "/admin/users/:id"]) expect([...seen]).toContain(kind);
  expect(problems, `pages wider than ${PHONE.width} px (of ${visited.length} visited: ${visited.join(", ")})`).toEqual([]);
});

test("the Snapshot dialog and the More menu fit a phone's screen, their buttons inside them", async ({ page, vm }) => {
  await page.goto(`/vms/${vm("lab", "web-01").uuid}`);
  await page.getByRole("toolbar", { name: "VM management" }).getByRole("button", { name: "Snapshot" }).click();
  const dialog = page.getByRole("dialog", { name: "Snapshot web-01" });
  await expect(dialog.getByLabel("Snapshot name")).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThan(0);
  expect(box.x + box.width).toBeLessThan(PHONE.width);
  expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
  for (const button of await dialog.getByRole("button").all()) {
    const inner = (await button.boundingBox())!;
    expect(inner.x).toBeGreaterThan(box.x);
    expect(inner.x + inner.width).toBeLessThan(box.x + box.width);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole("toolbar", { name: "VM actions" }).getByRole("button", { name: "More" }).click();
  const menu = page.getByRole("menu");
  await expect(menu.getByRole("menuitem").first()).toBeFocused();
  const menuBox = (await menu.boundingBox())!;
  expect(menuBox.x).toBeGreaterThanOrEqual(0);
  expect(menuBox.x + menuBox.width).toBeLessThanOrEqual(PHONE.width);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
});
