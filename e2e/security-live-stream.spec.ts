/**
 * The live update stream (server-sent events) of a restricted user carries nothing outside their rights: VMs of
 * another pool change while the operator's, the viewer's and a no-rights user's streams are open, and none of
 * them hears of it (not the VM, not its pool). The admin's stream, opened the same way, hears of both changes.
 * No stream is waited for with a pause: each check waits for a later change that stream does hear of.
 */
import { cookieHeader, signedInContext, uniqueName } from "./support/access";
import { createUser, expect, grant, test } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";

/** An open /api/live stream, read in the background into `text`. */
class LiveStream {
  text = "";
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async open(run: RunInfo, user: string, cookie: string): Promise<LiveStream> {
    const stream = new LiveStream();
    const response = await fetch(`${run.baseUrl}/api/live`, {
      headers: { Cookie: cookie, Accept: "text/event-stream" },
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

test("restricted users' live streams carry nothing about objects outside their rights", async ({ run, sim, browser }, info) => {
  test.slow(); // an account of its own, signed in through the login page
  // Lab: not the restricted users' pool, and never disconnected by other specs (so the admin hears of it).
  const outside = quietVm(run, "lab");
  const inside = quietVm(run, "production");
  const lab = run.pools.find((pool) => pool.name === "lab")!;
  // A user without rights of their own for this test: at the end they get one, to tell when their stream has
  // gone past the changes they must not hear of.
  const nobody = uniqueName("no-rights", info);
  await createUser({ username: nobody, password: "no-rights-password-1" });
  const signedIn = await signedInContext(browser, run, nobody, "no-rights-password-1");
  const nobodyCookie = (await signedIn.context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
  await signedIn.context.close();
  const streams = {
    operator: await LiveStream.open(run, "operator", cookieHeader(run, "operator")),
    viewer: await LiveStream.open(run, "viewer", cookieHeader(run, "viewer")),
    nobody: await LiveStream.open(run, nobody, nobodyCookie),
    admin: await LiveStream.open(run, "admin", cookieHeader(run, "admin")),
  };
  try {
    const stamp = Date.now();
    await sim.changeVm(outside.uuid, { fields: { name_description: `outside change ${stamp}` } });
    // Every stream was offered the lab change by the time the admin's carries it (the server offers a change to
    // all streams at once, and each stream keeps the order of what it is offered).
    await expect.poll(() => streams.admin.text).toContain(outside.uuid);
    await sim.changeVm(inside.uuid, { fields: { name_description: `inside change ${stamp}` } });
    // The production change, made after it, reaches the admin, the operator and the viewer: their streams are past
    // the lab change.
    await expect.poll(() => streams.admin.text).toContain(inside.uuid);
    await expect.poll(() => streams.operator.text).toContain(inside.uuid);
    await expect.poll(() => streams.viewer.text).toContain(inside.uuid);
    // The user without rights heard nothing of either; give them the production VM and change it until they hear
    // of it (a stream re-reads its user's rights every 2 s): their stream is then past both changes too.
    expect(streams.nobody.text).not.toContain("event: changes");
    await grant(nobody, { kind: "vm", uuid: inside.uuid, role: "viewer" });
    await expect
      .poll(async () => {
        await sim.changeVm(inside.uuid, { fields: { name_description: `seen by ${nobody} ${Date.now()}` } });
        return streams.nobody.text;
      })
      .toContain(inside.uuid);

    for (const user of ["operator", "viewer", "nobody"] as const) {
      const text = streams[user].text;
      expect(text, `${user}'s stream`).not.toContain(outside.uuid);
      expect(text, `${user}'s stream`).not.toContain(lab.uuid);
      expect(text, `${user}'s stream`).not.toContain(lab.id!);
    }
  } finally {
    await Promise.all(Object.values(streams).map((stream) => stream.close()));
  }
});

test("a stream without a valid session is refused", async ({ run }) => {
  const response = await fetch(`${run.baseUrl}/api/live`, { headers: { Cookie: "next-auth.session-token=forged" } });
  expect(response.status).toBe(401);
  expect(await response.text()).not.toContain("event:");
});
