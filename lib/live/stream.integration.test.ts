/**
 * The live stream of real users against the simulator: a restricted user hears only of what they may view,
 * status changes reach those who see something in the pool, and the stream ends once the account is disabled.
 */
import { describe, expect, it } from "vitest";
import { recordChangesAs } from "@/lib/audit/record";
import { updateUser } from "@/lib/auth/users";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { openLiveStream } from "./stream";

const env = inventoryEnvironmentForFile();

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a stream's frames in the background; `frames` grows as they arrive. */
function collect(stream: ReadableStream<Uint8Array>) {
  const frames: Frame[] = [];
  let text = "";
  let ended = false;
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) frames.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
    ended = true;
  })();
  return { frames, isEnded: () => ended, text: () => JSON.stringify(frames) };
}

describe("the live stream", () => {
  it("carries nothing outside a restricted user's rights", async () => {
    const { vms, user, sim, admin } = env();
    const [mine, other, marker] = vms("lab").filter((vm) => vm.powerState === "Running");
    const foreign = vms("production").find((vm) => vm.powerState === "Running")!;
    const restricted = await user("stream-restricted", [
      { kind: "vm", uuid: mine!.uuid, role: "viewer" },
      { kind: "vm", uuid: marker!.uuid, role: "viewer" },
    ]);
    const controller = new AbortController();
    const restrictedFrames = collect(await openLiveStream(restricted, controller.signal));
    const adminFrames = collect(await openLiveStream(admin, controller.signal));
    try {
      sim.outside.vm(other!.uuid, { power_state: "Halted" });
      sim.outside.vm(foreign.uuid, { power_state: "Halted" });
      sim.outside.vm(mine!.uuid, { fields: { name_label: "renamed-by-test" } });
      await eventually(() => adminFrames.text().includes(foreign.uuid) && adminFrames.text().includes(other!.uuid));
      // Every stream was offered those changes by the time the admin's carries them (the hub offers each change
      // to all streams at once, and a stream keeps their order): once the restricted stream carries a later
      // change, it has passed them all.
      sim.outside.vm(marker!.uuid, { fields: { name_description: "marker" } });
      await eventually(() => restrictedFrames.text().includes(marker!.uuid));
      const restrictedText = restrictedFrames.text();
      expect(restrictedText).toContain(mine!.uuid);
      expect(restrictedText).not.toContain(other!.uuid);
      expect(restrictedText).not.toContain(foreign.uuid);
      expect(restrictedText).not.toContain(env().pools.production!.id);
      // Everything it carries is the user's VMs (or their disks and interfaces).
      const visible = [mine!.uuid, marker!.uuid];
      for (const frame of restrictedFrames.frames.filter((f) => f.event === "changes")) {
        for (const object of frame.data.objects as { uuid: string; related?: string[] }[]) {
          expect(visible.includes(object.uuid) || object.related?.some((uuid) => visible.includes(uuid))).toBe(true);
        }
      }
    } finally {
      controller.abort();
      sim.outside.vm(other!.uuid, { power_state: "Running" });
      sim.outside.vm(foreign.uuid, { power_state: "Running" });
      sim.outside.vm(mine!.uuid, { fields: { name_label: mine!.name } });
    }
  });

  it("tells of a pool's status those who see something in it, and nobody else", async () => {
    const { vms, user, sim, pools } = env();
    const inProduction = await user("stream-production", [{ kind: "vm", uuid: vms("production")[0]!.uuid, role: "viewer" }]);
    const inLab = await user("stream-lab", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    const controller = new AbortController();
    const productionFrames = collect(await openLiveStream(inProduction, controller.signal));
    const labFrames = collect(await openLiveStream(inLab, controller.signal));
    try {
      for (const host of sim.pools[1]!.hosts) await sim.faults.setHostState(host.address, "refuse");
      await eventually(() => productionFrames.frames.some((frame) => frame.event === "status" && frame.data.state !== "connected"));
      expect(productionFrames.frames.find((frame) => frame.event === "status")!.data).toMatchObject({ pool: pools.production!.id });
    } finally {
      await sim.faults.reset();
    }
    await eventually(() => productionFrames.frames.some((frame) => frame.event === "status" && frame.data.state === "connected"));
    controller.abort();
    expect(labFrames.frames.filter((frame) => frame.event === "status")).toEqual([]);
  });

  it("ends once the account is disabled", async () => {
    const { vms, user, sim, admin } = env();
    const [target, unseen] = vms("lab").filter((vm) => vm.powerState === "Running");
    const leaver = await user("stream-leaver", [{ kind: "vm", uuid: target!.uuid, role: "viewer" }]);
    const controller = new AbortController();
    const frames = collect(await openLiveStream(leaver, controller.signal));
    try {
      const disabled = await updateUser(leaver.id, { disabled: true }, recordChangesAs(admin, "user.update"));
      expect(disabled.ok).toBe(true);
      // Every message offered to the stream re-reads the account once its copy is 2 s old: changes the user
      // cannot see are offered too, so poke one until the stream ends.
      let pokes = 0;
      await eventually(() => {
        sim.outside.vm(unseen!.uuid, { fields: { name_description: `poke ${++pokes}` } });
        return frames.isEnded();
      });
      expect(frames.frames.at(-1)).toEqual({ event: "end", data: { reason: "session" } });
      expect(frames.text()).not.toContain('"changes"');
    } finally {
      controller.abort();
    }
  });
});
