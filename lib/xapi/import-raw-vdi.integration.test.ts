/**
 * `importRawVdi` against the simulator over HTTP: the image lands in the disk (the pool's own task is the
 * outcome), and the pool's refusals come back as XAPI errors read from that task, not as a broken connection:
 * an image bigger than the disk (VDI_IO_ERROR), a disk a running VM uses (VDI_IN_USE). Read-only pools send nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim";
import { XapiClient } from "./client";
import { XapiReadOnlyError } from "./errors";
import { importRawVdi } from "./import-raw-vdi";
import type { SrRecord, VbdRecord, VmRecord } from "./model/records.generated";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const MiB = 1024 * 1024;

let sim: Simulator;
let client: XapiClient;
beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 6, speed: 0.05 });
  client = new XapiClient({ url: sim.pools[0]!.masterUrl, username: sim.username, password: sim.password, logger: quiet });
});
afterAll(async () => {
  await client.close();
  await sim.stop();
});

async function newDisk(size: number): Promise<string> {
  const nfs = sim.inspect.all<SrRecord>("SR").find((sr) => sr.record.type === "nfs")!.ref;
  return client.callAsync<string>("VDI.create", [
    { name_label: "upload target", name_description: "", SR: nfs, virtual_size: size, type: "user", sharable: false, read_only: false, other_config: {} },
  ]);
}

const tasksLeft = () => sim.inspect.all<{ name_label: string }>("task").filter((task) => task.record.name_label === "Disk image upload");

describe("importRawVdi", () => {
  it("writes the image into the disk and leaves no task behind", async () => {
    const vdi = await newDisk(2 * MiB);
    const image = Buffer.alloc(MiB, 7);
    image.write("hello", 0);
    await importRawVdi(client, vdi, image);
    const content = sim.inspect.vdiContent(vdi)!;
    expect(content.size).toBe(MiB);
    expect(content.head.subarray(0, 5).toString()).toBe("hello");
    // Destroyed in the background once finished.
    await expect.poll(tasksLeft).toEqual([]);
  });

  it("reports an image bigger than the disk as the pool's VDI_IO_ERROR", async () => {
    const vdi = await newDisk(2 * MiB);
    await expect(importRawVdi(client, vdi, Buffer.alloc(3 * MiB))).rejects.toMatchObject({ code: "VDI_IO_ERROR", params: ["Device I/O errors"] });
    // Destroyed in the background once finished.
    await expect.poll(tasksLeft).toEqual([]);
  });

  it("reports a disk a running VM uses as VDI_IN_USE", async () => {
    const running = sim.inspect.all<VmRecord>("VM").find((vm) => vm.record.power_state === "Running" && !vm.record.is_control_domain)!;
    const disk = running.record.VBDs.map((ref) => sim.inspect.get<VbdRecord>("VBD", ref)!.record).find((vbd) => vbd.type === "Disk" && vbd.currently_attached)!;
    await expect(importRawVdi(client, disk.VDI, Buffer.alloc(MiB))).rejects.toMatchObject({ code: "VDI_IN_USE" });
  });

  it("sends nothing to a read-only pool", async () => {
    const readOnly = new XapiClient({ url: sim.pools[0]!.masterUrl, username: sim.username, password: sim.password, logger: quiet, readOnly: true });
    try {
      await expect(importRawVdi(readOnly, "OpaqueRef:whatever", Buffer.alloc(16))).rejects.toBeInstanceOf(XapiReadOnlyError);
    } finally {
      await readOnly.close();
    }
  });
});
