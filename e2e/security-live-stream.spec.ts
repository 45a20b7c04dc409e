/**
 * The live update stream (server-sent events) of a restricted user carries nothing outside their rights: VMs of
 * another pool change while the operator's, the viewer's and a no-rights user's streams are open, and none of
 * them hears of it (not the VM, not its pool). The admin's stream, opened the same way, hears of both changes.
 */
import { cookieHeader } from "./support/access";
import { expect, test } from "./support/fixtures";
import type { RunInfo, SeededUser } from "./support/run-info";

/** An open /api/live stream, read in the background into `text`. */
class LiveStream {
  text = "";
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async open(run: RunInfo, user: SeededUser): Promise<LiveStream> {
    const stream = new LiveStream();
    const response = await fetch(`${run.baseUrl}/api/live`, {
      headers: { Cookie: cookieHeader(run, user), Accept: "text/event-stream" },
      signal: stream.abort.signal,
    });
    expect(response.status, `${user}'s stream`).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    stream.done = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          stream.text += decoder.decode(value, { stream: true });
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    await expect.poll(() => stream.text, { message: `${user}'s stream opens` }).toContain("event: ready");
    return stream;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

/** A running VM of `pool` near the end of the list (other specs use the first ones). */
function quietVm(run: RunInfo, pool: string) {
  return run.vms.filter((vm) => vm.pool === pool && vm.powerState === "Running").at(-3)!;
}

test("restricted users' live streams carry nothing about objects outside their rights", async ({ run, sim }) => {
  // Lab: not the restricted users' pool, and never disconnected by other specs (so the admin hears of it).
  const outside = quietVm(run, "lab");
  const inside = quietVm(run, "production");
  const lab = run.pools.find((pool) => pool.name === "lab")!;
  const streams = {
    operator: await LiveStream.open(run, "operator"),
    viewer: await LiveStream.open(run, "viewer"),
    nobody: await LiveStream.open(run, "nobody"),
    admin: await LiveStream.open(run, "admin"),
  };
  try {
    const stamp = Date.now();
    await sim.changeVm(outside.uuid, { fields: { name_description: `outside change ${stamp}` } });
    await sim.changeVm(inside.uuid, { fields: { name_description: `inside change ${stamp}` } });

    // Both changes reach the admin; the production one reaches the operator and the viewer.
    await expect.poll(() => streams.admin.text).toContain(outside.uuid);
    await expect.poll(() => streams.admin.text).toContain(inside.uuid);
    await expect.poll(() => streams.operator.text).toContain(inside.uuid);
    await expect.poll(() => streams.viewer.text).toContain(inside.uuid);
    // Give the lab change every chance to arrive (it was made first).
    await new Promise((resolve) => setTimeout(resolve, 1500));

    for (const user of ["operator", "viewer", "nobody"] as const) {
      const text = streams[user].text;
      expect(text, `${user}'s stream`).not.toContain(outside.uuid);
      expect(text, `${user}'s stream`).not.toContain(lab.uuid);
      expect(text, `${user}'s stream`).not.toContain(lab.id!);
    }
    expect(streams.nobody.text).not.toContain(inside.uuid);
    expect(streams.nobody.text).not.toContain("event: changes");
  } finally {
    await Promise.all(Object.values(streams).map((stream) => stream.close()));
  }
});

test("a stream without a valid session is refused", async ({ run }) => {
  const response = await fetch(`${run.baseUrl}/api/live`, { headers: { Cookie: "next-auth.session-token=forged" } });
  expect(response.status).toBe(401);
  expect(await response.text()).not.toContain("event:");
});
