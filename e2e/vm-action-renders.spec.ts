/**
 * One render path after an action: starting a VM from its page re-renders the page through the live stream
 * only. The action's own answer carries no re-render (nothing revalidated), the button asks for no refresh of its
 * own, and the page never reloads: every re-render the page asks for follows new live events (the task's
 * progress and the VM's new state), so no change is rendered twice.
 */
import { expect, gotoLive, test } from "./support/fixtures";

/** What the page did, recorded in the page itself (an init script wraps `EventSource` and `fetch`). */
interface Recorded {
  /** Live stream events received so far. */
  liveEvents: number;
  /** Per re-render request (`router.refresh()`: an RSC request that is not a prefetch), the live events received before it. */
  renders: number[];
  /** Per server action call, its answer's `x-action-revalidated` header (null: nothing revalidated). */
  actions: (string | null | "pending")[];
}

declare global {
  interface Window {
    recorded: Recorded;
  }
}

test("starting a VM re-renders its page through the live stream only, once per burst of live events", async ({ page, sim, vm }) => {
  // A running VM of lab that no other spec uses (the halted ones all have a spec of their own), halted from
  // outside first: the test ends with it running, as it was.
  const target = vm("lab", "app-03");
  await sim.changeVm(target.uuid, { power_state: "Halted" });
  await page.addInitScript(() => {
    const recorded: Recorded = { liveEvents: 0, renders: [], actions: [] };
    window.recorded = recorded;
    const NativeEventSource = window.EventSource;
    window.EventSource = class extends NativeEventSource {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        for (const type of ["ready", "changes", "status", "resync", "pools", "end"]) this.addEventListener(type, () => recorded.liveEvents++);
      }
    };
    const nativeFetch = window.fetch.bind(window);
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (headers.has("next-action")) {
        const index = recorded.actions.push("pending") - 1;
        return nativeFetch(input, init).then((response) => {
          recorded.actions[index] = response.headers.get("x-action-revalidated");
          return response;
        });
      }
      if (headers.get("rsc") === "1" && !headers.has("next-router-prefetch") && !headers.has("next-router-segment-prefetch")) {
        recorded.renders.push(recorded.liveEvents);
      }
      return nativeFetch(input, init);
    };
  });
  const documents: string[] = [];
  try {
    await gotoLive(page, `/vms/${target.uuid}`);
    const header = page.locator("main header").first();
    await expect(header).toContainText("Halted");
    const before = await page.evaluate(() => ({ renders: window.recorded.renders.length, liveEvents: window.recorded.liveEvents }));
    page.on("request", (request) => {
      if (request.resourceType() === "document") documents.push(request.url());
    });

    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect(page.getByText(`${target.name} started`)).toBeVisible();
    await expect(header).toContainText("Running");

    const recorded = await page.evaluate(() => window.recorded);
    // One action call, whose answer re-renders nothing.
    expect(recorded.actions).toHaveLength(1);
    expect([null, "0"]).toContain(recorded.actions[0]);
    // The page was re-rendered (it shows the new state) without a reload, and each re-render followed live events
    // that no earlier re-render had seen.
    const renders = recorded.renders.slice(before.renders);
    expect(renders.length).toBeGreaterThan(0);
    renders.forEach((seen, i) =>
      expect(seen, `live events before re-render ${i + 1} of ${renders.length}`).toBeGreaterThan(i === 0 ? before.liveEvents : renders[i - 1]!),
    );
    expect(documents).toEqual([]);
  } finally {
    if ((await sim.vm(target.uuid)).record.power_state !== "Running") await sim.changeVm(target.uuid, { power_state: "Running" });
  }
});
