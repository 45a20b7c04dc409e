/**
 * The read models of the New VM form and the Hardware tab against the simulator: only pools the user may create
 * in, only what they may use there, templates with their limits and provision disks, local SRs named by host;
 * the Hardware tab's edits per role, with XAPI's reasons for the ones that cannot run now.
 */
import { describe, expect, it } from "vitest";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { GiB } from "@/lib/vm/sizes";
import { canCreateVms, vmCreationForm } from "./vm-creation";
import { vmHardwareView } from "./vm-hardware";

const env = inventoryEnvironmentForFile();

describe("the New VM form", () => {
  it("offers a global admin every pool, with templates, their limits and disks, and usable objects only", async () => {
    const { admin } = env();
    const pools = await vmCreationForm(admin);
    expect(pools.map((pool) => pool.label)).toEqual(["lab", "production"]);
    const lab = pools[0]!;
    const debian = lab.templates.find((template) => template.name === "Debian Bookworm 12")!;
    expect(debian).toMatchObject({ cloudInit: false, ownDisks: [], limits: { vcpusMax: 128 } });
    expect(debian.specDisks).toEqual([{ position: "0", sizeBytes: expect.any(Number) }]);
    expect(debian.specDisks[0]!.sizeBytes).toBeGreaterThanOrEqual(GiB);
    const cloud = lab.templates.find((template) => template.name === "Debian 12 Cloud-init (Hub)")!;
    expect(cloud).toMatchObject({ cloudInit: true });
    expect(cloud.ownDisks).toHaveLength(1);
    expect(cloud.networks.length).toBeGreaterThan(0);
    const hosts = env().sim.pools[0]!.hosts.map((host) => host.name);
    expect(lab.srs.map((sr) => sr.label)).toEqual(expect.arrayContaining(hosts.map((host) => `Local storage on ${host}`)));
    expect(lab.srs.filter((sr) => sr.isDefault)).toHaveLength(1);
    expect(lab.isos.length).toBeGreaterThan(0);
    expect(lab.networks.map((network) => network.name)).not.toContain("Host internal management network");
    expect(lab.hosts.map((host) => host.name).sort()).toEqual([...hosts].sort());
  });

  it("offers a pool's admin that pool only, and operators nothing", async () => {
    const { user, pools } = env();
    const labAdmin = await user("form-lab-admin", [{ kind: "pool", uuid: pools.lab!.uuid, role: "admin" }]);
    expect((await vmCreationForm(labAdmin)).map((pool) => pool.label)).toEqual(["lab"]);
    expect(await canCreateVms(labAdmin)).toBe(true);
    const operator = await user("form-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    expect(await vmCreationForm(operator)).toEqual([]);
    expect(await canCreateVms(operator)).toBe(false);
  });
});

describe("the Hardware tab", () => {
  it("offers admins every edit, operators the CD and tags, viewers none", async () => {
    const { admin, user, pools, vms } = env();
    const running = vms("lab").find((vm) => vm.powerState === "Running")!;
    const view = (await vmHardwareView(admin, running.uuid))!;
    expect(view.may).toEqual({ hardware: true, cd: true, tags: true, console: true });
    expect(view.options.srs.length).toBeGreaterThan(0);
    expect(view.options.networks.length).toBeGreaterThan(0);
    // A running VM's attached disks: resize and delete wait for a halt.
    const attached = view.disks.find((disk) => disk.attached)!;
    expect(attached.resize).toBe("The disk is in use: halt the VM (or detach the disk) to resize it");
    expect(attached.remove).toBe("The disk is in use: halt the VM (or detach the disk) to delete it");

    const operator = await user("tab-operator", [{ kind: "pool", uuid: pools.lab!.uuid, role: "operator" }]);
    const operatorView = (await vmHardwareView(operator, running.uuid))!;
    expect(operatorView.may).toEqual({ hardware: false, cd: true, tags: true, console: true });
    expect(operatorView.options.srs).toEqual([]);
    expect(operatorView.options.isos.length).toBeGreaterThan(0);
    const viewer = await user("tab-viewer", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    expect((await vmHardwareView(viewer, running.uuid))!.may).toEqual({ hardware: false, cd: false, tags: false, console: false });
    expect(await vmHardwareView(viewer, vms("production")[0]!.uuid)).toBeNull();
  });
});
