/**
 * Compatibility with Xen Orchestra's XAPI client (npm `xen-api`, unmodified), over both of its transports:
 * it connects to a pool member (and must follow HOST_IS_SLAVE to the master), fills its object cache through
 * its own event.inject + get_all_records + event.from loop, runs operations with callAsync (watching the
 * tasks through events) and sees the results in its cache; it creates a VM from a cloud template the way Xen
 * Orchestra does, uploading the config drive with its own putResource (which copes with XAPI answering 200
 * before reading the body).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "xen-api";
import { startSimulator, type Simulator } from "./index";
import { eventually } from "@/lib/dev/test/eventually";

/** The part of xen-api's client this test uses. */
interface XoRecord {
  $ref: string;
  $type: string;
  [field: string]: unknown;
}
interface XoClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readonly objectsFetched: Promise<void>;
  readonly objects: { all: Record<string, XoRecord> };
  readonly pool: XoRecord;
  callAsync(method: string, ...args: unknown[]): Promise<unknown>;
  call(method: string, ...args: unknown[]): Promise<unknown>;
  getObject(idOrRef: string, fallback?: unknown): XoRecord | undefined;
  putResource(body: Buffer, pathname: string, options?: { query?: Record<string, string> }): Promise<unknown>;
}

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 10, speed: 0.03 });
});
afterAll(() => sim.stop());
// xen-api reports connection errors with console.warn (e.g. its event loop when the simulator stops).
beforeEach(() => void vi.spyOn(console, "warn").mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

/** Xen Orchestra's client of `url`, following events as Xen Orchestra does. */
const xoClient = (url: string, transport: string) =>
  createClient({
    url,
    auth: { user: sim.username, password: sim.password },
    transport,
    watchEvents: true,
    eventPollDelay: 50,
    syncStackTraces: false,
  }) as XoClient;

describe.each(["xml-rpc", "json-rpc"])("xen-api over %s", (transport) => {
  it("creates a VM from a cloud template as Xen Orchestra does, with a config drive uploaded by putResource", async () => {
    const xapi = xoClient(sim.pools[0].masterUrl, transport);
    try {
      await xapi.connect();
      await xapi.objectsFetched;
      const template = Object.values(xapi.objects.all).find((o) => o.$type === "VM" && o.name_label === "Debian 12 Cloud-init (Hub)")!;
      const vm = (await xapi.callAsync("VM.clone", template.$ref, `cloud ${transport}`)) as string;
      await xapi.callAsync("VM.provision", vm);
      // Xen Orchestra replaces the template's interfaces with the ones asked for.
      for (const vif of (await xapi.call("VM.get_VIFs", vm)) as string[]) await xapi.call("VIF.destroy", vif);
      const drive = (await xapi.callAsync("VDI.create", {
        name_label: "XO CloudConfigDrive",
        name_description: "",
        SR: xapi.pool.default_SR,
        virtual_size: 10 * 1024 ** 2,
        type: "user",
        sharable: false,
        read_only: false,
        other_config: {},
      })) as string;
      const image = Buffer.concat([Buffer.from(`#cloud-config\nhostname: cloud-${transport}\n`), Buffer.alloc(64 * 1024)]);
      await xapi.putResource(image, "/import_raw_vdi", { query: { format: "raw", vdi: drive } });
      expect(sim.inspect.vdiContent(drive)?.size).toBe(image.length);
      const [device] = (await xapi.call("VM.get_allowed_VBD_devices", vm)) as string[];
      const vbd = (await xapi.callAsync("VBD.create", {
        VM: vm,
        VDI: drive,
        userdevice: device,
        bootable: false,
        mode: "RW",
        type: "Disk",
        unpluggable: true,
        empty: false,
        other_config: {},
        qos_algorithm_type: "",
        qos_algorithm_params: {},
      })) as string;
      const [vifDevice] = (await xapi.call("VM.get_allowed_VIF_devices", vm)) as string[];
      const network = Object.values(xapi.objects.all).find((o) => o.$type === "network" && o.bridge === "xenbr0")!.$ref;
      const vif = (await xapi.callAsync("VIF.create", {
        device: vifDevice,
        network,
        VM: vm,
        MAC: "",
        MTU: 1500,
        other_config: {},
        qos_algorithm_type: "",
        qos_algorithm_params: {},
      })) as string;
      await xapi.callAsync("VM.start", vm, false, false);
      const running = await eventually(() => {
        const record = xapi.getObject(vm, undefined);
        return record?.power_state === "Running" && record;
      });
      expect(running?.VBDs).toEqual(expect.arrayContaining([vbd]));
      expect(running?.VIFs).toEqual([vif]);
      await eventually(() => xapi.getObject(vbd, undefined)?.currently_attached === true);
      expect(sim.inspect.consistencyErrors()).toEqual([]);
    } finally {
      await xapi.disconnect();
    }
  });

  it("connects through a member, syncs its cache, and sees callAsync results through its event loop", async () => {
    const member = sim.pools[0].hosts[1];
    sim.inspect.clearCallLog();
    const xapi = xoClient(member.url, transport);
    try {
      await xapi.connect();
      await xapi.objectsFetched;
      const calls = sim.inspect.callLog();
      expect(calls.find((c) => c.method === "session.login_with_password")?.host).toBe(member.address);
      expect(calls.filter((c) => c.method === "event.inject").every((c) => c.host === sim.pools[0].master.address)).toBe(true);
      expect(xapi.pool.name_label).toBe("lab");

      const cached = Object.values(xapi.objects.all);
      const vms = cached.filter((o) => o.$type === "VM");
      expect(vms).toHaveLength(sim.inspect.all("VM").length);
      expect(cached.filter((o) => o.$type === "host")).toHaveLength(2);
      expect(cached.filter((o) => o.$type === "VDI")).toHaveLength(sim.inspect.all("VDI").length);

      const running = vms.find((v) => v.power_state === "Running" && !v.is_control_domain && !v.is_a_template)!;
      const ref = running.$ref;
      expect(await xapi.callAsync("VM.clean_shutdown", ref)).toBe("");
      await eventually(() => xapi.getObject(ref)?.power_state === "Halted");
      expect(xapi.getObject(ref)?.resident_on).toBe("OpaqueRef:NULL");

      await xapi.callAsync("VM.start", ref, false, false);
      const started = await eventually(() => {
        const record = xapi.getObject(ref);
        return record?.power_state === "Running" && record;
      });
      expect(sim.pools[0].hosts.map((h) => h.ref)).toContain(started?.resident_on);

      const snapshot = (await xapi.callAsync("VM.snapshot", ref, `compat ${transport}`)) as string;
      expect(snapshot).toMatch(/^OpaqueRef:/);
      const cachedSnapshot = await eventually(() => xapi.getObject(snapshot, undefined));
      expect(cachedSnapshot).toMatchObject({ name_label: `compat ${transport}`, is_a_snapshot: true, snapshot_of: ref });
      await eventually(() => (xapi.getObject(ref)?.snapshots as string[]).includes(snapshot));

      // A failing operation rejects with the XAPI error from the task's error_info.
      await expect(xapi.callAsync("VM.start", ref, false, false)).rejects.toMatchObject({
        code: "VM_BAD_POWER_STATE",
        params: [ref, "halted", "running"],
      });
      // xen-api destroys the tasks it created once they are settled.
      await eventually(() => sim.inspect.all<{ name_label: string; status: string }>("task").every((t) => t.record.status === "pending"));
    } finally {
      await xapi.disconnect();
    }
  });
});
