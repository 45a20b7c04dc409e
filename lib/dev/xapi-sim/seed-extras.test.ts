import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRecord, NetworkRecord, PbdRecord, PifRecord, SrRecord, VdiRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ pools: 2, hostsPerPool: 3, vmsPerPool: 60, seed: 5 });
});
afterAll(() => sim.stop());

const hosts = (pool: number) => sim.inspect.all<HostRecord>("host", pool);
const network = (pool: number, name: string) => sim.inspect.all<NetworkRecord>("network", pool).find((n) => n.record.name_label === name)!;
const pifs = (pool: number, net: { record: NetworkRecord }) => net.record.PIFs.map((ref) => sim.inspect.get<PifRecord>("PIF", ref, pool)!.record);
const pbds = (pool: number, sr: { record: SrRecord }) => sr.record.PBDs.map((ref) => sim.inspect.get<PbdRecord>("PBD", ref, pool)!.record);

describe("storage and networks of the data set", () => {
  it("gives every host its own Local storage SR, plugged there only", () => {
    for (const pool of [0, 1]) {
      const locals = sim.inspect.all<SrRecord>("SR", pool).filter((sr) => sr.record.name_label === "Local storage");
      expect(locals).toHaveLength(3);
      expect(new Set(locals.map((sr) => pbds(pool, sr)[0].host))).toEqual(new Set(hosts(pool).map((h) => h.ref)));
      for (const sr of locals) {
        expect(sr.record).toMatchObject({ shared: false, type: "ext" });
        expect(pbds(pool, sr)).toHaveLength(1);
        expect(pbds(pool, sr)[0].currently_attached).toBe(true);
      }
    }
  });

  it("has an iSCSI SR with a PBD per host, one of them unplugged, holding detached disks", () => {
    const sr = sim.inspect.all<SrRecord>("SR", 0).find((s) => s.record.name_label === "iSCSI SAN (san-01)")!;
    expect(sr.record.shared).toBe(true);
    const plugged = pbds(0, sr).map((p) => p.currently_attached);
    expect(plugged).toHaveLength(3);
    expect(plugged.filter((p) => !p)).toHaveLength(1);
    const vdis = sr.record.VDIs.map((ref) => sim.inspect.get<VdiRecord>("VDI", ref, 0)!.record);
    expect(vdis.length).toBeGreaterThan(0);
    expect(vdis.every((v) => v.VBDs.length === 0)).toBe(true);
    expect(sr.record.physical_utilisation).toBe(vdis.reduce((sum, v) => sum + v.physical_utilisation, 0));
    expect(sr.record.allowed_operations).not.toContain("forget");
  });

  it("has a jumbo-frame storage network with an address per host, and tagged networks on every host", () => {
    const storage = network(0, "Storage network (eth2)");
    expect(storage.record.MTU).toBe(9000);
    const storagePifs = pifs(0, storage);
    expect(new Set(storagePifs.map((p) => p.host))).toEqual(new Set(hosts(0).map((h) => h.ref)));
    for (const pif of storagePifs) expect(pif).toMatchObject({ device: "eth2", MTU: 9000, VLAN: -1, physical: true, ip_configuration_mode: "Static" });
    expect(new Set(storagePifs.map((p) => p.IP)).size).toBe(3);
    for (const [name, tag] of [
      ["VLAN 20 (DMZ)", 20],
      ["VLAN 30 (backup)", 30],
    ] as const) {
      const tagged = pifs(0, network(0, name));
      expect(tagged).toHaveLength(3);
      for (const pif of tagged) expect(pif).toMatchObject({ VLAN: tag, physical: false });
    }
    expect(pifs(0, network(0, "VLAN 30 (backup)")).filter((p) => !p.currently_attached)).toHaveLength(1);
  });

  it("puts the proxies' second interface on the DMZ and one database on a private network", () => {
    const dmz = network(0, "VLAN 20 (DMZ)");
    const proxies = sim.inspect.all<VmRecord>("VM", 0).filter((v) => /^proxy-\d+$/.test(v.record.name_label));
    expect(proxies.length).toBeGreaterThan(0);
    for (const vm of proxies) {
      expect(vm.record.VIFs.map((ref) => sim.inspect.get<VifRecord>("VIF", ref, 0)!.record.network)).toContain(dmz.ref);
    }
    const replication = network(0, "Private network (replication)");
    expect(replication.record.PIFs).toEqual([]);
    expect(replication.record.VIFs).toHaveLength(1);
  });

  it("computes each host's allowed operations by XAPI's rules", () => {
    for (const host of hosts(0)) {
      expect(host.record.allowed_operations).toEqual(["provision", "evacuate", "vm_start", "vm_resume", "vm_migrate", "enable"]);
    }
  });

  it("is the same for the same seed, and keeps every reference consistent", async () => {
    const again = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 60, seed: 5 });
    try {
      const summary = (s: Simulator) => ["network", "PIF", "SR", "PBD"].flatMap((cls) => s.inspect.all(cls, 0).map((o) => [cls, o.ref, o.record.uuid]));
      expect(summary(again)).toEqual(summary(sim));
    } finally {
      await again.stop();
    }
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
