/**
 * VM hardware over real HTTP, against xapi_vm.ml, vm_memory_constraints.ml and xapi_templates.ml: vCPU and
 * memory setters (power states, constraint errors, the memory overhead), the vCPU topology checked at start,
 * VM.provision from `other_config:disks` (SR by uuid, partial failures left as xapi leaves them), clones and
 * copies of templates, and a whole VM creation in the order Xen Orchestra calls XAPI, with the events a cache
 * follows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, SrRecord, VbdRecord, VdiRecord, VifRecord, VmMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { macFromSeed } from "./mac-addresses";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const NULL = "OpaqueRef:NULL";

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 80, speed: 0.02 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

const fault = (method: string, ...params: unknown[]) => xapi.faultOf(method, ...params);
const vm = (ref: string) => sim.inspect.vm(ref)!.record;
const metrics = (ref: string) => sim.inspect.get<VmMetricsRecord>("VM_metrics", vm(ref).metrics)!.record;
const vbd = (ref: string) => sim.inspect.get<VbdRecord>("VBD", ref)!.record;
const vdi = (ref: string) => sim.inspect.get<VdiRecord>("VDI", ref)!.record;
const vif = (ref: string) => sim.inspect.get<VifRecord>("VIF", ref)!.record;
const sr = (type: string) => sim.inspect.all<SrRecord>("SR").find((s) => s.record.type === type)!;
const template = (name: string) => sim.inspect.all<VmRecord>("VM").find((v) => v.record.is_a_template && v.record.name_label === name)!.ref;
const dom0 = () => sim.inspect.all<VmRecord>("VM").find((v) => v.record.is_control_domain)!.ref;
const disks = (ref: string) =>
  vm(ref)
    .VBDs.map(vbd)
    .filter((v) => v.type === "Disk");
const used = new Set<string>();
function take(state: string, filter: (v: VmRecord) => boolean = () => true): string {
  const found = sim.inspect
    .all<VmRecord>("VM")
    .find((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.power_state === state && !used.has(v.ref) && filter(v.record));
  if (!found) throw new Error(`no ${state} VM left`);
  used.add(found.ref);
  return found.ref;
}

describe("vCPUs", () => {
  it("VCPUs_max changes while halted, within 0 < VCPUs_at_startup <= VCPUs_max, and moves the memory overhead", async () => {
    const halted = take("Halted");
    const before = vm(halted);
    await xapi.s("VM.set_VCPUs_max", halted, before.VCPUs_max + 8);
    expect(vm(halted).VCPUs_max).toBe(before.VCPUs_max + 8);
    expect(vm(halted).memory_overhead).toBeGreaterThan(before.memory_overhead);
    expect(vm(halted).memory_overhead).toBe(Number(await xapi.s("VM.compute_memory_overhead", halted)));
    const rule = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max";
    expect(await fault("VM.set_VCPUs_max", halted, 0)).toEqual(["INVALID_VALUE", rule, "0"]);
    await xapi.s("VM.set_VCPUs_at_startup", halted, 3);
    expect(await fault("VM.set_VCPUs_max", halted, 2)).toEqual(["INVALID_VALUE", rule, "2"]);
    expect(await fault("VM.set_VCPUs_at_startup", halted, before.VCPUs_max + 9)).toEqual(["INVALID_VALUE", rule, String(before.VCPUs_max + 9)]);
    expect(await fault("VM.set_VCPUs_at_startup", halted, 0)).toEqual(["INVALID_VALUE", rule, "0"]);
    expect(vm(halted)).toMatchObject({ VCPUs_at_startup: 3, VCPUs_max: before.VCPUs_max + 8 });
  });

  it("a running VM keeps VCPUs_max, takes a new startup count, and changes its live count up to VCPUs_max", async () => {
    const running = take("Running", (v) => v.VCPUs_max >= 2);
    const max = vm(running).VCPUs_max;
    expect(await fault("VM.set_VCPUs_max", running, max + 1)).toEqual(["VM_BAD_POWER_STATE", running, "halted", "running"]);
    await xapi.s("VM.set_VCPUs_at_startup", running, 1);
    expect(vm(running).VCPUs_at_startup).toBe(1);
    expect(metrics(running).VCPUs_number).toBe(max);
    const token = ((await xapi.s("event.from", ["vm", "vm_metrics"], "", 0)) as { token: string }).token;
    await xapi.s("VM.set_VCPUs_number_live", running, max - 1 || 1);
    expect(metrics(running).VCPUs_number).toBe(max - 1 || 1);
    expect(vm(running).VCPUs_at_startup).toBe(max - 1 || 1);
    const batch = (await xapi.s("event.from", ["vm", "vm_metrics"], token, 0)) as { events: { class: string; ref: string }[] };
    expect(batch.events.map((e) => `${e.class} ${e.ref}`)).toEqual(expect.arrayContaining([`vm ${running}`, `vm_metrics ${vm(running).metrics}`]));
    const live = "VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max";
    expect(await fault("VM.set_VCPUs_number_live", running, max + 1)).toEqual(["INVALID_VALUE", live, String(max)]);
    expect(await fault("VM.set_VCPUs_number_live", running, 0)).toEqual(["INVALID_VALUE", live, String(max)]);
    const halted = take("Halted");
    expect(await fault("VM.set_VCPUs_number_live", halted, 1)).toEqual(["VM_BAD_POWER_STATE", halted, "running", "halted"]);
    expect(await fault("VM.set_VCPUs_at_startup", dom0(), 2)).toEqual(["OPERATION_NOT_ALLOWED", "set_VCPUs_at_startup is not allowed on dom0"]);
  });

  it("refuses to start an HVM guest whose VCPUs_max is not a multiple of its cores per socket", async () => {
    const halted = take("Halted", (v) => v.platform["cores-per-socket"] === "2" && v.VCPUs_max === 4);
    await xapi.s("VM.set_VCPUs_at_startup", halted, 3);
    await xapi.s("VM.set_VCPUs_max", halted, 3);
    expect(await fault("VM.start", halted, false, false)).toEqual(["VCPU_MAX_NOT_CORES_PER_SOCKET_MULTIPLE", "3", "2"]);
    expect(vm(halted)).toMatchObject({ power_state: "Halted", scheduled_to_be_resident_on: NULL, current_operations: {} });
    await xapi.s("VM.remove_from_platform", halted, "cores-per-socket");
    await xapi.s("VM.add_to_platform", halted, "cores-per-socket", "3");
    await xapi.s("VM.start", halted, false, false);
    expect(metrics(halted).VCPUs_number).toBe(3);
  });
});

describe("memory", () => {
  it("set_memory_limits and set_memory change a halted VM within static_min <= dynamic_min <= dynamic_max <= static_max", async () => {
    const halted = take("Halted");
    await xapi.s("VM.set_memory_limits", halted, 512 * MiB, 8 * GiB, 2 * GiB, 6 * GiB);
    expect(vm(halted)).toMatchObject({
      memory_static_min: 512 * MiB,
      memory_static_max: 8 * GiB,
      memory_dynamic_min: 2 * GiB,
      memory_dynamic_max: 6 * GiB,
      memory_target: 2 * GiB,
    });
    expect(await fault("VM.set_memory_limits", halted, 512 * MiB, 4 * GiB, 2 * GiB, 6 * GiB)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
    expect(await fault("VM.set_memory_limits", halted, 3 * GiB, 8 * GiB, 2 * GiB, 6 * GiB)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
    await xapi.s("VM.set_memory", halted, 3 * GiB);
    expect(vm(halted)).toMatchObject({ memory_static_min: 512 * MiB, memory_static_max: 3 * GiB, memory_dynamic_min: 3 * GiB, memory_dynamic_max: 3 * GiB });
    await xapi.s("VM.set_memory_static_range", halted, GiB, 4 * GiB);
    expect(vm(halted)).toMatchObject({ memory_static_min: GiB, memory_static_max: 4 * GiB });
    expect(await fault("VM.set_memory_static_max", halted, 2 * GiB)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
    await xapi.s("VM.set_memory_dynamic_range", halted, 2 * GiB, 4 * GiB);
    expect(vm(halted)).toMatchObject({ memory_dynamic_min: 2 * GiB, memory_dynamic_max: 4 * GiB, memory_target: 2 * GiB });
  });

  it("a running VM only changes its dynamic range; the balloon follows", async () => {
    const running = take("Running", (v) => v.memory_static_max >= 2 * GiB);
    const max = vm(running).memory_static_max;
    for (const [method, args] of [
      ["VM.set_memory_limits", [512 * MiB, max, max, max]],
      ["VM.set_memory", [max]],
      ["VM.set_memory_static_max", [max]],
      ["VM.set_memory_static_range", [512 * MiB, max]],
    ] as const) {
      expect(await fault(method, running, ...args), method).toEqual(["VM_BAD_POWER_STATE", running, "halted", "running"]);
    }
    await xapi.s("VM.set_memory_dynamic_range", running, max / 2, max - GiB / 2);
    expect(vm(running)).toMatchObject({ memory_dynamic_min: max / 2, memory_dynamic_max: max - GiB / 2, memory_target: max / 2 });
    expect(metrics(running).memory_actual).toBe(max - GiB / 2);
    expect(await fault("VM.set_memory_dynamic_max", running, max + GiB)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
    expect(await fault("VM.set_memory_dynamic_min", running, max)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
  });

  it("refuses a dynamic minimum the host could not guarantee (HOST_NOT_ENOUGH_FREE_MEMORY, in KiB)", async () => {
    const running = take("Running");
    const hostRef = vm(running).resident_on;
    const { memory_static_max, memory_dynamic_max } = vm(running);
    sim.outside.vm(running, { fields: { memory_static_max: 8 * TiB, memory_dynamic_max: 8 * TiB } });
    const host = sim.inspect.get<HostRecord>("host", hostRef)!.record;
    const total = sim.inspect.get<{ memory_total: number }>("host_metrics", host.metrics)!.record.memory_total;
    const residents = sim.inspect.all<VmRecord>("VM").filter((v) => v.record.resident_on === hostRef);
    const available = total - host.memory_overhead - residents.reduce((sum, v) => sum + v.record.memory_dynamic_min + v.record.memory_overhead, 0);
    const old = vm(running).memory_dynamic_min;
    expect(await fault("VM.set_memory_dynamic_range", running, 8 * TiB, 8 * TiB)).toEqual([
      "HOST_NOT_ENOUGH_FREE_MEMORY",
      String(Math.trunc((8 * TiB - old) / 1024)),
      String(Math.trunc(available / 1024)),
    ]);
    expect(vm(running).memory_dynamic_min).toBe(old);
    sim.outside.vm(running, { fields: { memory_static_max, memory_dynamic_max } });
  });

  it("keeps a control domain's memory pinned", async () => {
    const d = dom0();
    const m = vm(d).memory_static_max;
    expect(await fault("VM.set_memory_dynamic_range", d, m / 2, m)).toEqual(["MEMORY_CONSTRAINT_VIOLATION_MAXPIN", "control domain"]);
  });
});

describe("VM.provision", () => {
  const specFor = (...parts: string[]) => `<provision>${parts.join("")}</provision>`;
  const disk = (device: string, size: number, srUuid: string, type = "system", bootable = device === "0") =>
    `<disk device="${device}" size="${size}" sr="${srUuid}" bootable="${bootable}" type="${type}"/>`;
  async function cloneOf(name: string, newName: string, spec?: string): Promise<string> {
    const ref = (await xapi.s("VM.clone", template(name), newName)) as string;
    if (spec !== undefined) {
      await xapi.s("VM.remove_from_other_config", ref, "disks");
      await xapi.s("VM.add_to_other_config", ref, "disks", spec);
    }
    return ref;
  }

  it("cloning a default template gives a custom template with a new mac_seed and its base template's name", async () => {
    const source = vm(template("Debian Bookworm 12"));
    const ref = await cloneOf("Debian Bookworm 12", "debian-custom");
    const rec = vm(ref);
    expect(rec).toMatchObject({ is_a_template: true, is_default_template: false, name_label: "debian-custom" });
    expect(rec.other_config).toMatchObject({ base_template_name: "Debian Bookworm 12", disks: source.other_config.disks });
    expect(rec.other_config.default_template).toBeUndefined();
    expect(rec.other_config.mac_seed).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.other_config.mac_seed).not.toBe(source.other_config.mac_seed);
  });

  it("creates the disks of the spec on the SRs it names, then drops the spec", async () => {
    const nfs = sr("nfs").record.uuid;
    const lvm = sr("lvmoiscsi");
    const ref = await cloneOf("Debian Bookworm 12", "two-disks", specFor(disk("0", 10 * GiB, nfs), disk("1", 20 * GiB, lvm.record.uuid, "user")));
    await xapi.s("VM.provision", ref);
    const rec = vm(ref);
    expect(rec.is_a_template).toBe(false);
    expect(rec.other_config.disks).toBeUndefined();
    const [system, data] = disks(ref).sort((a, b) => a.userdevice.localeCompare(b.userdevice));
    expect(system).toMatchObject({ userdevice: "0", bootable: true, unpluggable: false, mode: "RW", other_config: { owner: "" }, currently_attached: false });
    expect(data).toMatchObject({ userdevice: "1", bootable: false, unpluggable: true });
    expect(vdi(system.VDI)).toMatchObject({
      name_label: "0",
      name_description: "Created by template provisioner",
      virtual_size: 10 * GiB,
      type: "system",
      SR: sr("nfs").ref,
      sm_config: { vmhint: rec.uuid, vdi_type: "vhd" },
    });
    expect(vdi(data.VDI)).toMatchObject({ name_label: "1", virtual_size: 20 * GiB, type: "user", SR: lvm.ref });
    expect(await fault("VM.provision", ref)).toEqual(["PROVISION_ONLY_ALLOWED_ON_TEMPLATE"]);
  });

  it("needs an SR in the spec (UUID_INVALID), after making the VM a VM", async () => {
    const ref = await cloneOf("Debian Bookworm 12", "no-sr");
    expect(await fault("VM.provision", ref)).toEqual(["UUID_INVALID", "sr", ""]);
    expect(vm(ref)).toMatchObject({ is_a_template: false, VBDs: [] });
    expect(vm(ref).other_config.disks).toContain('sr=""');
  });

  it("leaves the disks made before a failure, as xapi does", async () => {
    const nfs = sr("nfs").record.uuid;
    const lvm = sr("lvmoiscsi").record.uuid;
    const ref = await cloneOf("Debian Bookworm 12", "half-made", specFor(disk("0", 10 * GiB, nfs), disk("1", 2000 * GiB, lvm, "user")));
    expect(await fault("VM.provision", ref)).toEqual(["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
    expect(disks(ref).map((d) => d.userdevice)).toEqual(["0"]);
    expect(vm(ref).other_config.disks).toBeDefined();
  });

  it("refuses a spec it cannot read", async () => {
    const ref = await cloneOf("Debian Bookworm 12", "bad-spec", `<provision><disk device="0"/></provision>`);
    expect(await fault("VM.provision", ref)).toEqual(["INTERNAL_ERROR", "Xapi_templates.Parse_failure"]);
  });
});

describe("VM.provision as a task", () => {
  it("reports progress per disk while it creates them, and stops when cancelled", async () => {
    const slow = await startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1, durations: { provision: 10, vdi_create: 600_000 } });
    try {
      const client = new TestClient(slow.pools[0].masterUrl);
      await client.login(slow.username, slow.password);
      const debian = slow.inspect.all<VmRecord>("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!.ref;
      const nfs = slow.inspect.all<SrRecord>("SR").find((s) => s.record.type === "nfs")!;
      const ref = (await client.s("VM.clone", debian, "slow")) as string;
      await client.s("VM.remove_from_other_config", ref, "disks");
      await client.s(
        "VM.add_to_other_config",
        ref,
        "disks",
        `<provision><disk device="0" size="${GiB}" sr="${nfs.record.uuid}" bootable="true" type="system"/></provision>`,
      );
      const task = (await client.s("Async.VM.provision", ref)) as string;
      // Wait for the task to reach the disk creation, through its events.
      let token = "";
      for (;;) {
        const batch = (await client.s("event.from", [`task/${task}`], token, 5)) as { token: string; events: { snapshot?: { progress: number } }[] };
        token = batch.token;
        if (batch.events.some((e) => (e.snapshot?.progress ?? 0) >= 0.2)) break;
      }
      expect(slow.inspect.get<SrRecord>("SR", nfs.ref)!.record.current_operations).toEqual({ [task]: "vdi_create" });
      expect(slow.inspect.vm(ref)!.record.current_operations).toEqual({ [task]: "provision" });
      await client.s("task.cancel", task);
      expect(await client.waitTask(task)).toMatchObject({ status: "cancelled" });
      expect(slow.inspect.vm(ref)!.record).toMatchObject({ is_a_template: false, VBDs: [], current_operations: {} });
      expect(slow.inspect.get<SrRecord>("SR", nfs.ref)!.record).toMatchObject({ current_operations: {}, VDIs: nfs.record.VDIs });
    } finally {
      await slow.stop();
    }
  });
});

describe("tags", () => {
  it("adds a tag once, removes it, and ignores a tag that is not there", async () => {
    const halted = take("Halted");
    const before = vm(halted).tags;
    await xapi.s("VM.add_tags", halted, "edited");
    await xapi.s("VM.add_tags", halted, "edited");
    expect(vm(halted).tags).toEqual([...before, "edited"]);
    await xapi.s("VM.remove_tags", halted, "edited");
    await xapi.s("VM.remove_tags", halted, "never-there");
    expect(vm(halted).tags).toEqual(before);
  });
});

describe("copies of templates", () => {
  it("a clone of a VM gets new MACs from its new mac_seed and owns its disk copies", async () => {
    const halted = take("Halted", (v) => v.VIFs.length > 0);
    const clone = (await xapi.s("VM.clone", halted, "cloned")) as string;
    const seed = vm(clone).other_config.mac_seed;
    expect(seed).not.toBe(vm(halted).other_config.mac_seed);
    for (const ref of vm(clone).VIFs) {
      expect(vif(ref)).toMatchObject({ MAC: macFromSeed(Number(vif(ref).device), seed), MAC_autogenerated: true, currently_attached: false });
    }
    expect(disks(clone).every((d) => d.other_config.owner === "")).toBe(true);
  });

  it("VM.copy of a cloud template puts its disk on the chosen SR", async () => {
    const cloud = template("Debian 12 Cloud-init (Hub)");
    const lvm = sr("lvmoiscsi").ref;
    const copy = (await xapi.s("VM.copy", cloud, "from-hub", lvm)) as string;
    expect(vm(copy)).toMatchObject({ is_a_template: true, tags: ["cloud-init"] });
    expect(vm(copy).other_config.base_template_name).toBe("Debian Bookworm 12");
    expect(disks(copy).map((d) => vdi(d.VDI).SR)).toEqual([lvm]);
  });
});

describe("a new VM, in the order Xen Orchestra calls XAPI", () => {
  it("clone, provision, vCPUs and memory, boot order, CD, disks, interfaces, start", async () => {
    const token = ((await xapi.s("event.from", ["*"], "", 0)) as { token: string }).token;
    const ref = (await xapi.s("VM.clone", template("Debian Bookworm 12"), "web-new")) as string;
    // Disks are given explicitly: the template's spec goes.
    await xapi.s("VM.remove_from_other_config", ref, "disks");
    await xapi.s("VM.provision", ref);
    await xapi.s("VM.set_VCPUs_max", ref, 2);
    await xapi.s("VM.set_VCPUs_at_startup", ref, 2);
    await xapi.s("VM.set_memory_limits", ref, 512 * MiB, 2 * GiB, 2 * GiB, 2 * GiB);
    await xapi.s("VM.set_HVM_boot_params", ref, { ...vm(ref).HVM_boot_params, order: "dc" });
    const iso = sim.inspect.all<SrRecord>("SR").find((s) => s.record.content_type === "iso")!.record.VDIs[0];
    const cd = (await xapi.s("VBD.create", {
      VM: ref,
      VDI: iso,
      userdevice: "3",
      bootable: true,
      mode: "RO",
      type: "CD",
      unpluggable: true,
      empty: false,
      other_config: {},
      qos_algorithm_type: "",
      qos_algorithm_params: {},
    })) as string;
    const created: string[] = [];
    for (const size of [20 * GiB, 50 * GiB]) {
      const disk = (await xapi.s("VDI.create", {
        name_label: `web-new ${size / GiB}G`,
        name_description: "",
        SR: sr("nfs").ref,
        virtual_size: size,
        type: "system",
        sharable: false,
        read_only: false,
        other_config: {},
      })) as string;
      const [device] = (await xapi.s("VM.get_allowed_VBD_devices", ref)) as string[];
      created.push(
        (await xapi.s("VBD.create", {
          VM: ref,
          VDI: disk,
          userdevice: device,
          bootable: created.length === 0,
          mode: "RW",
          type: "Disk",
          unpluggable: true,
          empty: false,
          other_config: { owner: "" },
          qos_algorithm_type: "",
          qos_algorithm_params: {},
        })) as string,
      );
    }
    const [vifDevice] = (await xapi.s("VM.get_allowed_VIF_devices", ref)) as string[];
    const network = sim.inspect.all<{ bridge: string }>("network").find((n) => n.record.bridge === "xenbr0")!.ref;
    const nic = (await xapi.s("VIF.create", {
      device: vifDevice,
      network,
      VM: ref,
      MAC: "",
      MTU: 1500,
      other_config: {},
      qos_algorithm_type: "",
      qos_algorithm_params: {},
    })) as string;
    await xapi.s("VM.start", ref, false, false);

    const rec = vm(ref);
    expect(rec).toMatchObject({
      power_state: "Running",
      is_a_template: false,
      VCPUs_max: 2,
      VCPUs_at_startup: 2,
      memory_static_max: 2 * GiB,
      HVM_boot_params: { order: "dc" },
    });
    expect(rec.other_config.base_template_name).toBe("Debian Bookworm 12");
    expect(rec.VBDs.sort()).toEqual([cd, ...created].sort());
    expect(created.map((r) => vbd(r).userdevice)).toEqual(["0", "1"]);
    expect([cd, ...created].every((r) => vbd(r).currently_attached)).toBe(true);
    expect(vif(nic)).toMatchObject({ device: "0", currently_attached: true, MAC: macFromSeed(0, rec.other_config.mac_seed) });
    expect(metrics(ref)).toMatchObject({ VCPUs_number: 2, memory_actual: 2 * GiB });

    const batch = (await xapi.s("event.from", ["*"], token, 0)) as { events: { class: string; operation: string; ref: string }[] };
    const added = batch.events.filter((e) => e.operation === "add").map((e) => `${e.class} ${e.ref}`);
    expect(added).toEqual(
      expect.arrayContaining([`vm ${ref}`, `vbd ${cd}`, ...created.map((r) => `vbd ${r}`), ...created.map((r) => `vdi ${vbd(r).VDI}`), `vif ${nic}`]),
    );
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});

describe("consistency", () => {
  it("keeps every reference consistent", () => {
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
