import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, PoolRecord, SrRecord, VbdRecord, VdiRecord, VifRecord, VmGuestMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";

let sim: Simulator;

const GiB = 1024 ** 3;

beforeAll(async () => {
  sim = await startSimulator({ pools: 3, hostsPerPool: 3, vmsPerPool: 120, seed: 42 });
});
afterAll(() => sim.stop());

const vms = (pool: number) => sim.inspect.all<VmRecord>("VM", pool).map((v) => v.record);
const ordinary = (pool: number) => vms(pool).filter((v) => !v.is_a_template && !v.is_control_domain);

describe("the data set", () => {
  it("is the same for the same seed and differs for another seed", async () => {
    const again = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 120, seed: 42 });
    const other = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 120, seed: 43 });
    try {
      const summary = (s: Simulator) => s.inspect.all<VmRecord>("VM", 0).map((v) => [v.ref, v.record.uuid, v.record.name_label, v.record.power_state]);
      expect(summary(again)).toEqual(summary(sim));
      expect(summary(other)).not.toEqual(summary(again));
    } finally {
      await Promise.all([again.stop(), other.stop()]);
    }
  });

  it("names pools lab, production, staging and their hosts after them", () => {
    expect(sim.pools.map((p) => p.name)).toEqual(["lab", "production", "staging"]);
    expect(sim.pools[1].hosts.map((h) => h.name)).toEqual(["xcp-production-01", "xcp-production-02", "xcp-production-03"]);
    expect(sim.inspect.all<PoolRecord>("pool", 0)[0].record.name_label).toBe("lab");
  });

  it("has the requested number of ordinary VMs, plus templates, snapshots and one control domain per host", () => {
    for (const p of [0, 1, 2]) {
      expect(ordinary(p).filter((v) => !v.is_a_snapshot)).toHaveLength(120);
      expect(vms(p).filter((v) => v.is_control_domain)).toHaveLength(3);
      expect(vms(p).filter((v) => v.is_a_snapshot).length).toBeGreaterThan(0);
    }
    const templates = vms(0).filter((v) => v.is_default_template);
    expect(templates.length).toBeGreaterThanOrEqual(20);
    expect(templates.length).toBeLessThanOrEqual(40);
    expect(templates.map((t) => t.name_label)).toEqual(expect.arrayContaining(["Debian Bookworm 12", "Windows Server 2022 (64-bit)", "Other install media"]));
    expect(templates.every((t) => t.is_a_template && t.other_config.default_template === "true")).toBe(true);
  });

  it("mixes power states, mostly running", () => {
    const all = [0, 1, 2].flatMap((p) => ordinary(p).filter((v) => !v.is_a_snapshot));
    const count = (state: string) => all.filter((v) => v.power_state === state).length;
    expect(count("Running")).toBeGreaterThan(all.length / 2);
    expect(count("Halted")).toBeGreaterThan(all.length / 10);
    expect(count("Suspended")).toBeGreaterThan(0);
    expect(count("Paused")).toBeGreaterThan(0);
  });

  it("varies names, OSes, memory and disk sizes realistically", () => {
    const all = ordinary(0).filter((v) => !v.is_a_snapshot);
    expect(new Set(all.map((v) => v.name_label)).size).toBe(all.length);
    expect(new Set(all.map((v) => v.name_label.replace(/-\d+$/, ""))).size).toBeGreaterThan(10);
    expect(new Set(all.map((v) => v.other_config.base_template_name)).size).toBeGreaterThanOrEqual(6);
    const memory = all.map((v) => v.memory_static_max);
    expect(Math.min(...memory)).toBeGreaterThanOrEqual(512 * 1024 ** 2);
    expect(Math.max(...memory)).toBeLessThanOrEqual(32 * GiB);
    expect(new Set(memory).size).toBeGreaterThan(3);
    const sizes = sim.inspect
      .all<VdiRecord>("VDI", 0)
      .filter((v) => v.record.type === "system" || v.record.type === "user")
      .map((v) => v.record.virtual_size);
    const disks = sizes.filter((s) => s >= 8 * GiB);
    expect(Math.min(...disks)).toBeGreaterThanOrEqual(8 * GiB);
    expect(Math.max(...disks)).toBeLessThanOrEqual(2 * 1024 * GiB);
    expect(new Set(disks).size).toBeGreaterThan(5);
  });

  it("gives running VMs guest metrics with an OS name and addresses", () => {
    for (const vm of ordinary(0).filter((v) => v.power_state === "Running")) {
      const gm = sim.inspect.get<VmGuestMetricsRecord>("VM_guest_metrics", vm.guest_metrics, 0)!.record;
      expect(gm.os_version.name).toBeTruthy();
      expect(gm.networks["0/ip"]).toMatch(/^10\./);
    }
  });

  it("has local storage per host, a shared NFS default SR and an ISO library", () => {
    const srs = sim.inspect.all<SrRecord>("SR", 0).map((s) => s.record);
    expect(srs.filter((s) => s.name_label === "Local storage" && !s.shared)).toHaveLength(3);
    const pool = sim.inspect.all<PoolRecord>("pool", 0)[0].record;
    const defaultSr = sim.inspect.get<SrRecord>("SR", pool.default_SR, 0)!.record;
    expect(defaultSr).toMatchObject({ type: "nfs", shared: true, content_type: "user" });
    expect(defaultSr.PBDs).toHaveLength(3);
    const iso = srs.find((s) => s.content_type === "iso")!;
    expect(iso.VDIs.length).toBeGreaterThan(3);
  });

  it("sizes host memory so that the resident VMs fit, and keeps every reference consistent", () => {
    for (const host of sim.inspect.all<HostRecord>("host")) {
      expect(Number(host.record.API_version_major)).toBe(2);
      expect(host.record.resident_VMs.length).toBeGreaterThan(1);
    }
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });

  it("has cloud-init templates with a real disk and interface, and a thick iSCSI LVM SR", () => {
    const cloud = vms(0).filter((v) => v.is_a_template && v.tags.includes("cloud-init"));
    expect(cloud.map((t) => t.name_label).sort()).toEqual(["Debian 12 Cloud-init (Hub)", "Ubuntu 24.04 Cloud-init"]);
    for (const t of cloud) {
      expect(t).toMatchObject({ is_default_template: false, is_a_snapshot: false, power_state: "Halted" });
      expect(t.other_config.disks).toBeUndefined();
      expect(t.other_config.base_template_name).toBeTruthy();
      const vbds = t.VBDs.map((r) => sim.inspect.get<VbdRecord>("VBD", r, 0)!.record);
      const system = vbds.find((v) => v.type === "Disk")!;
      expect(system).toMatchObject({ userdevice: "0", bootable: true });
      expect(sim.inspect.get<VdiRecord>("VDI", system.VDI, 0)!.record.type).toBe("system");
      expect(t.VIFs.map((r) => sim.inspect.get<VifRecord>("VIF", r, 0)!.record.device)).toEqual(["0"]);
    }
    const san = sim.inspect.all<SrRecord>("SR", 0).find((s) => s.record.type === "lvmoiscsi")!.record;
    expect(san).toMatchObject({ shared: true, content_type: "user", sm_config: { allocation: "thick" } });
    expect(san.PBDs).toHaveLength(3);
  });

  it("gives every template a mac_seed, and default templates no CPU topology", () => {
    const templates = vms(0).filter((v) => v.is_a_template && !v.is_a_snapshot);
    expect(templates.every((t) => /^[0-9a-f-]{36}$/.test(t.other_config.mac_seed))).toBe(true);
    expect(new Set(templates.map((t) => t.other_config.mac_seed)).size).toBe(templates.length);
    expect(templates.filter((t) => t.is_default_template).some((t) => "cores-per-socket" in t.platform)).toBe(false);
  });

  it("gives devices the operations xapi allows in their VM's state", () => {
    const running = ordinary(0).find((v) => v.power_state === "Running")!;
    const halted = ordinary(0).find((v) => v.power_state === "Halted")!;
    const disk = (vm: VmRecord) => vm.VBDs.map((r) => sim.inspect.get<VbdRecord>("VBD", r, 0)!.record).find((v) => v.type === "Disk")!;
    expect(disk(running).allowed_operations.sort()).toEqual(["attach", "pause", "unpause", "unplug", "unplug_force"]);
    expect(disk(halted).allowed_operations).toEqual(["attach"]);
    expect(sim.inspect.get<VdiRecord>("VDI", disk(running).VDI, 0)!.record.allowed_operations.sort()).toEqual(["clone", "snapshot"]);
    const vif = sim.inspect.get<VifRecord>("VIF", running.VIFs[0], 0)!.record;
    expect(vif.allowed_operations.sort()).toEqual(["attach", "unplug"]);
  });

  it("has a few alerts", () => {
    expect(sim.inspect.all("message", 0).length).toBeGreaterThanOrEqual(5);
  });
});
