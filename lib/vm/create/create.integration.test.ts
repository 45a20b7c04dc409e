/**
 * VM creation for real users against the simulator over HTTP: each path (plain, from an ISO and started, several
 * disks and networks with a home host, a cloud-init template copied to another SR with its config drive) leaves
 * the VM real XAPI would (records and references read in the simulator); a failure at each step leaves nothing
 * behind and names the step; only admins of the pool may create, with objects of that pool they can see.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getDb } from "@/lib/db/client";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import type { NetworkRecord, SrRecord, VbdRecord, VdiRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { GiB, MiB } from "@/lib/vm/sizes";
import { createVm } from "./actions";
import { configDriveLabel, CONFIG_DRIVE_BYTES, readConfigDrive } from "./config-drive";
import { creationProgress } from "./progress";
import { SR_NOT_VISIBLE, TEMPLATE_NOT_FOUND } from "./run";

const env = inventoryEnvironmentForFile({ vmsPerPool: 6 });

const create = (actor: CurrentUser | null, input: Record<string, unknown>) => runAction(createVm, { actor, input: input as never });
const all = <T>(cls: string, pool = 0) => env().sim.inspect.all<T>(cls, pool);
const get = <T>(cls: string, ref: string) => env().sim.inspect.get<T>(cls, ref)!.record;
const template = (name: string) => all<VmRecord>("VM").find((v) => v.record.is_a_template && v.record.name_label === name)!.record;
const sr = (type: string) => all<SrRecord>("SR").find((s) => s.record.type === type)!;
const network = (bridge: string) => all<NetworkRecord>("network").find((n) => n.record.bridge === bridge)!;
const vmNamed = (name: string) => all<VmRecord>("VM").filter((v) => v.record.name_label === name && !v.record.is_a_template);
const vbds = (vm: VmRecord) => vm.VBDs.map((ref) => ({ ref, ...get<VbdRecord>("VBD", ref) }));
const disksOf = (vm: VmRecord) =>
  vbds(vm)
    .filter((vbd) => vbd.type === "Disk")
    .sort((a, b) => Number(a.userdevice) - Number(b.userdevice));
const counts = () => ({ VM: all("VM").length, VDI: all("VDI").length, VBD: all("VBD").length, VIF: all("VIF").length });

async function lastAudit() {
  return (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;
}

function created(result: Awaited<ReturnType<typeof create>>): VmRecord {
  if (!result.ok) throw new Error(`creation failed: ${result.error}`);
  const found = env().sim.inspect.vm(result.vm.uuid);
  if (!found) throw new Error("the new VM is not in the pool");
  return found.record;
}

describe("creating a VM", () => {
  it("plain: clones the template, drops its provision spec, and gives the VM its vCPUs, memory, disk, empty CD drive and interface", async () => {
    const { admin, pools } = env();
    const debian = template("Debian Bookworm 12");
    const nfs = sr("nfs");
    const eth0 = network("xenbr0");
    const progressId = "8a6f0c1e-3d5b-4c2a-9e7f-0123456789ab";
    const result = await create(admin, {
      progressId,
      template: debian.uuid,
      name: "plain-01",
      description: "made by a test",
      vcpus: 2,
      memory: "2 GiB",
      disks: [{ size: "20 GiB", sr: nfs.record.uuid }],
      interfaces: [{ network: eth0.record.uuid, mac: "" }],
      boot: "disk",
    });
    expect(result).toMatchObject({ ok: true, vm: { name: "plain-01" }, started: false, message: "plain-01 was created" });
    const vm = created(result);
    expect(vm).toMatchObject({
      is_a_template: false,
      power_state: "Halted",
      name_description: "made by a test",
      VCPUs_max: 2,
      VCPUs_at_startup: 2,
      memory_static_max: 2 * GiB,
      memory_dynamic_min: 2 * GiB,
      memory_dynamic_max: 2 * GiB,
      HVM_boot_params: { order: "cd" },
    });
    expect(vm.other_config.disks).toBeUndefined();
    expect(vm.other_config.base_template_name).toBe("Debian Bookworm 12");
    const [system] = disksOf(vm);
    expect(system).toMatchObject({ userdevice: "0", bootable: true, mode: "RW" });
    expect(get<VdiRecord>("VDI", system!.VDI)).toMatchObject({ name_label: "plain-01 system", virtual_size: 20 * GiB, SR: nfs.ref, type: "system" });
    const cd = vbds(vm).find((vbd) => vbd.type === "CD");
    expect(cd).toMatchObject({ userdevice: "3", empty: true, mode: "RO" });
    expect(vm.VIFs.map((ref) => get<VifRecord>("VIF", ref))).toEqual([expect.objectContaining({ device: "0", network: eth0.ref, MTU: eth0.record.MTU })]);

    expect(await lastAudit()).toMatchObject({ action: "vm.create", outcome: "ok", objectKind: "pool", objectUuid: pools.lab!.uuid, poolId: pools.lab!.id });
    expect(JSON.parse((await lastAudit()).params)).toMatchObject({ vm: vm.uuid, name: "plain-01", cloudInit: false });
    expect(creationProgress(admin.id, progressId)).toMatchObject({ done: true });
    expect(creationProgress(admin.id, progressId)!.steps.map((step) => `${step.id}:${step.state}`)).toEqual([
      "clone:done",
      "provision:done",
      "settings:done",
      "cd:done",
      "disks:done",
      "config-drive:skipped",
      "interfaces:done",
      "start:skipped",
    ]);
    expect(env().sim.inspect.consistencyErrors()).toEqual([]);
  });

  it("with an ISO: boots from the CD drive holding it, and starts", async () => {
    const { admin } = env();
    const isoSr = all<SrRecord>("SR").find((s) => s.record.content_type === "iso")!;
    const iso = get<VdiRecord>("VDI", isoSr.record.VDIs[0]!);
    const result = await create(admin, {
      template: template("Debian Bookworm 12").uuid,
      name: "from-iso",
      vcpus: 1,
      memory: "1024",
      disks: [{ size: "10", sr: sr("nfs").record.uuid }],
      interfaces: [{ network: network("xenbr0").record.uuid }],
      boot: "cd",
      iso: iso.uuid,
      start: true,
    });
    expect(result).toMatchObject({ ok: true, started: true, message: "from-iso was created and started" });
    const vm = created(result);
    expect(vm).toMatchObject({ power_state: "Running", memory_static_max: 1024 * MiB, HVM_boot_params: { order: "dc" } });
    const cd = vbds(vm).find((vbd) => vbd.type === "CD")!;
    expect(cd).toMatchObject({ VDI: isoSr.record.VDIs[0], empty: false, bootable: true, currently_attached: true });
    expect(disksOf(vm).every((disk) => disk.currently_attached)).toBe(true);
  });

  it("with several disks on several SRs and several networks, a given MAC and a home host", async () => {
    const { admin } = env();
    const host = env().sim.pools[0]!.hosts[1]!;
    const lvm = sr("lvmoiscsi");
    const result = await create(admin, {
      template: template("Debian Bookworm 12").uuid,
      name: "many-01",
      vcpus: 4,
      memory: "4 GiB",
      disks: [
        { size: "16 GiB", sr: sr("nfs").record.uuid },
        { size: "50 GiB", sr: lvm.record.uuid, name: "many-01 database" },
      ],
      interfaces: [
        { network: network("xenbr0").record.uuid, mac: "02:AB:CD:12:34:56" },
        { network: network("xenbr1").record.uuid, mac: "" },
      ],
      affinity: host.uuid,
    });
    const vm = created(result);
    expect(vm).toMatchObject({ VCPUs_max: 4, affinity: host.ref });
    const [first, second] = disksOf(vm);
    expect([first!.userdevice, second!.userdevice]).toEqual(["0", "1"]);
    expect(get<VdiRecord>("VDI", second!.VDI)).toMatchObject({ name_label: "many-01 database", SR: lvm.ref, virtual_size: 50 * GiB, type: "user" });
    expect(second!.bootable).toBe(false);
    const vifs = vm.VIFs.map((ref) => get<VifRecord>("VIF", ref)).sort((a, b) => a.device.localeCompare(b.device));
    expect(vifs.map((vif) => [vif.device, vif.network])).toEqual([
      ["0", network("xenbr0").ref],
      ["1", network("xenbr1").ref],
    ]);
    expect(vifs[0]!.MAC).toBe("02:ab:cd:12:34:56");
    expect(vifs[1]!.MAC).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it("from a cloud-init template: copies its disk to the chosen SR, grows it, writes the NoCloud config drive and starts", async () => {
    const { admin } = env();
    const cloud = template("Debian 12 Cloud-init (Hub)");
    const lvm = sr("lvmoiscsi");
    const [templateDisk] = disksOf(cloud);
    const size = get<VdiRecord>("VDI", templateDisk!.VDI).virtual_size;
    const result = await create(admin, {
      template: cloud.uuid,
      name: "Cloud Web 01",
      vcpus: 2,
      memory: "2 GiB",
      templateDisksSr: lvm.record.uuid,
      templateDisks: [{ position: templateDisk!.userdevice, size: size + 2 * GiB }],
      interfaces: [{ network: network("xenbr0").record.uuid }],
      cloudInit: { userData: "#cloud-config\nhostname: {hostname}\nfqdn: {name}\n", networkConfig: "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n" },
      start: true,
    });
    const vm = created(result);
    expect(vm.power_state).toBe("Running");
    const disks = disksOf(vm).map((vbd) => ({ vbd, vdi: get<VdiRecord>("VDI", vbd.VDI) }));
    expect(disks[0]!.vdi).toMatchObject({ SR: lvm.ref, virtual_size: size + 2 * GiB });
    const drive = disks.find((disk) => disk.vdi.name_label === "Cloud Web 01 cloud-init config drive")!;
    expect(drive.vdi).toMatchObject({ SR: lvm.ref, virtual_size: CONFIG_DRIVE_BYTES });
    expect(drive.vbd.currently_attached).toBe(true);
    const content = env().sim.inspect.vdiContent(drive.vbd.VDI)!;
    expect(content.size).toBe(CONFIG_DRIVE_BYTES);
    const image = Buffer.concat([content.head, Buffer.alloc(CONFIG_DRIVE_BYTES - content.head.length)]);
    expect(configDriveLabel(image)).toBe("CIDATA");
    expect(await readConfigDrive(image)).toEqual({
      "meta-data": `instance-id: ${vm.uuid}\nlocal-hostname: cloud-web-01\n`,
      "user-data": "#cloud-config\nhostname: cloud-web-01\nfqdn: Cloud Web 01\n",
      "network-config": "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n",
    });
    // The user data is not in the audit log (it may hold secrets).
    expect((await lastAudit()).params).not.toContain("hostname");
    expect(env().sim.inspect.consistencyErrors()).toEqual([]);
  });
});

describe("a failure part-way", () => {
  const failing = [
    { step: "clone", method: "VM.clone", message: /^Copying the template failed/ },
    { step: "provision", method: "VM.provision", message: /^Turning the copy into a VM failed/ },
    { step: "settings", method: "VM.set_memory_limits", message: /^Setting the vCPUs, memory, boot order or home host failed/ },
    { step: "cd", method: "VBD.create", message: /^Adding the CD drive failed/ },
    { step: "interfaces", method: "VIF.create", message: /^Adding the network interfaces failed/ },
  ] as const;

  for (const { step, method, message } of failing) {
    it(`at step ${step} removes what was made and names the step`, async () => {
      const { admin, sim } = env();
      const before = counts();
      sim.faults.failNext({ method, error: ["INTERNAL_ERROR", `injected into ${method}`] });
      const result = await create(admin, {
        template: template("Debian Bookworm 12").uuid,
        name: `broken-${step}`,
        vcpus: 1,
        memory: "1 GiB",
        disks: [{ size: "8 GiB", sr: sr("nfs").record.uuid }],
        interfaces: [{ network: network("xenbr0").record.uuid }],
      });
      expect(result).toMatchObject({ ok: false, code: "INTERNAL_ERROR" });
      expect(!result.ok && result.error).toMatch(message);
      expect(!result.ok && result.error).toMatch(/Everything made so far was removed\.$/);
      expect(vmNamed(`broken-${step}`)).toEqual([]);
      expect(counts()).toEqual(before);
      expect(await lastAudit()).toMatchObject({ action: "vm.create", outcome: "error", errorCode: "INTERNAL_ERROR" });
      expect(JSON.parse((await lastAudit()).params).failedStep).toBe(step);
    });
  }

  it("at the second disk (not enough space on a thick SR) removes the first disk and the VM", async () => {
    const { admin } = env();
    const before = counts();
    const result = await create(admin, {
      template: template("Debian Bookworm 12").uuid,
      name: "too-big",
      vcpus: 1,
      memory: "1 GiB",
      disks: [
        { size: "8 GiB", sr: sr("nfs").record.uuid },
        { size: "2000 GiB", sr: sr("lvmoiscsi").record.uuid },
      ],
    });
    expect(result).toMatchObject({
      ok: false,
      code: "SR_BACKEND_FAILURE_44",
      error: "Creating the disks failed: There is not enough free space on the storage repository. Everything made so far was removed.",
    });
    expect(vmNamed("too-big")).toEqual([]);
    expect(counts()).toEqual(before);
  });

  it("at the config drive removes the copied template disk too", async () => {
    const { admin, sim } = env();
    const before = counts();
    sim.faults.failNext({ method: "VDI.create", error: ["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""] });
    const result = await create(admin, {
      template: template("Ubuntu 24.04 Cloud-init").uuid,
      name: "cloud-broken",
      vcpus: 1,
      memory: "1 GiB",
      cloudInit: { userData: "#cloud-config\n" },
    });
    expect(!result.ok && result.error).toMatch(/^Writing the cloud-init config drive failed/);
    expect(vmNamed("cloud-broken")).toEqual([]);
    expect(counts()).toEqual(before);
  });

  it("at the start keeps the finished VM, halted, and says why it did not start", async () => {
    const { admin, sim } = env();
    sim.faults.failNext({ method: "VM.start", error: ["HOST_NOT_ENOUGH_FREE_MEMORY", String(8 * GiB), String(GiB)] });
    const result = await create(admin, { template: template("Debian Bookworm 12").uuid, name: "no-start", vcpus: 1, memory: "1 GiB", start: true });
    expect(result).toMatchObject({
      ok: true,
      started: false,
      message: "no-start was created, but it could not be started: The host does not have enough free memory: 8.0 GiB needed, 1.0 GiB available",
    });
    expect(vmNamed("no-start").map((vm) => vm.record.power_state)).toEqual(["Halted"]);
  });
});

describe("who may create", () => {
  it("operators of the pool and admins of a VM are refused (audited, nothing made); templates of other pools do not exist", async () => {
    const { user, pools, vms } = env();
    const operator = await user("create-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const vmAdmin = await user("create-vm-admin", [{ kind: "vm", uuid: vms("lab")[0]!.uuid, role: "admin" }]);
    const before = counts();
    const input = { template: template("Debian Bookworm 12").uuid, name: "forbidden", vcpus: 1, memory: "1 GiB" };
    expect(await create(operator, input)).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(await lastAudit()).toMatchObject({ actorUsername: "create-operator", action: "pool.vm.create", outcome: "refused" });
    expect(await create(vmAdmin, input)).toEqual({ ok: false, error: TEMPLATE_NOT_FOUND, code: "NOT_FOUND" });
    expect(await create(null, input)).toMatchObject({ ok: false, error: "Your session has ended. Please sign in again." });
    expect(counts()).toEqual(before);
  });

  it("an admin of one pool cannot put a disk on another pool's SR", async () => {
    const { user, pools } = env();
    const labAdmin = await user("create-lab-admin", [{ kind: "pool", uuid: pools.lab!.uuid, role: "admin" }]);
    const foreignSr = env()
      .sim.inspect.all<SrRecord>("SR", 1)
      .find((s) => s.record.type === "nfs")!;
    const before = counts();
    const result = await create(labAdmin, {
      template: template("Debian Bookworm 12").uuid,
      name: "cross-pool",
      vcpus: 1,
      memory: "1 GiB",
      disks: [{ size: "8 GiB", sr: foreignSr.record.uuid }],
    });
    expect(result).toMatchObject({ ok: false, code: "SR_NOT_FOUND", error: SR_NOT_VISIBLE });
    expect(await lastAudit()).toMatchObject({ actorUsername: "create-lab-admin", outcome: "refused", errorCode: "SR_NOT_FOUND" });
    expect(counts()).toEqual(before);
  });

  it("checks the template's limits and the form's rules before anything is made", async () => {
    const { admin } = env();
    const before = counts();
    const base = { template: template("Debian Bookworm 12").uuid, name: "limits", vcpus: 1, memory: "1 GiB" };
    expect(await create(admin, { ...base, vcpus: 200 })).toMatchObject({ ok: false, fieldErrors: { vcpus: ["This template allows at most 128 vCPUs"] } });
    expect(await create(admin, { ...base, memory: "7 TiB" })).toMatchObject({ ok: false, fieldErrors: { memory: ["At most 6 TiB"] } });
    expect(await create(admin, { ...base, boot: "cd" })).toMatchObject({ ok: false, fieldErrors: { iso: ["Choose the ISO to boot from"] } });
    expect(await create(admin, { ...base, cloudInit: { userData: "#cloud-config\n" } })).toMatchObject({
      ok: false,
      fieldErrors: { cloudInit: ["This template does not read a cloud-init config drive"] },
    });
    expect(counts()).toEqual(before);
  });
});
