/**
 * Storage and networks through XenDeck against the simulator over HTTP: local SRs named with their host, an SR's
 * disks with the VMs using them and its PBDs per host, rescans by admins of the SR only (audited), XAPI's refusal
 * of an SR attached nowhere in words; networks with their VLAN PIFs per host and the VIFs on them; all filtered by
 * what the user may view.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import { getDb } from "@/lib/db/client";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import type { SrRecord } from "@/lib/xapi/model/records.generated";
import { scanSr, SR_NOT_FOUND } from "./actions";
import { networkDetail, visibleNetworks } from "./networks";
import { srDetail, visibleSrs } from "./srs";

const env = inventoryEnvironmentForFile();

const srOf = (name: string) =>
  env()
    .sim.inspect.all<SrRecord>("SR", "lab")
    .find((sr) => sr.record.name_label === name)!;
const lastAudit = async () => (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;

describe("storage", () => {
  it("lists every SR, local ones named with their host, with size, use, allocation and attachment", async () => {
    const srs = (await visibleSrs(env().admin)).filter((sr) => sr.pool.label === "lab");
    expect(srs.filter((sr) => !sr.shared && sr.type === "ext").map((sr) => [sr.name, sr.host?.name])).toEqual([
      ["Local storage on xcp-lab-01", "xcp-lab-01"],
      ["Local storage on xcp-lab-02", "xcp-lab-02"],
    ]);
    const nfs = srs.find((sr) => sr.name === "NFS storage (nas-01)")!;
    expect(nfs).toMatchObject({ shared: true, host: null, isDefault: true, pbds: { attached: 2, total: 2 } });
    expect(nfs.size).toBeGreaterThan(0);
    expect(nfs.diskCount).toBeGreaterThan(0);
  });

  it("shows an SR's disks with the VMs using them and its PBDs per host", async () => {
    const nfs = srOf("NFS storage (nas-01)");
    const detail = (await srDetail(env().admin, nfs.record.uuid))!;
    expect(detail.disks.length).toBe(nfs.record.VDIs.length);
    const sqlDisk = detail.disks.find((disk) => disk.vms.some((vm) => vm.name === "sql-01"))!;
    expect(sqlDisk.vms).toContainEqual({
      uuid: env().sim.inspect.vm("sql-01")!.record.uuid,
      name: "sql-01",
      href: `/vms/${env().sim.inspect.vm("sql-01")!.record.uuid}`,
      snapshot: false,
    });
    expect(detail.pbds.list.map((pbd) => [pbd.host?.name, pbd.attached])).toEqual([
      ["xcp-lab-01", true],
      ["xcp-lab-02", true],
    ]);
  });

  it("is no page of a VM's admin; its viewer sees its disks without the VMs' names, and no rescan", async () => {
    const { sim, user } = env();
    const owner = await user("sr-vm-owner", [{ kind: "vm", uuid: sim.inspect.vm("sql-01")!.record.uuid as string, role: "admin" }]);
    const nfs = srOf("NFS storage (nas-01)");
    expect(await srDetail(owner, nfs.record.uuid)).toBeNull();
    const srViewer = await user("sr-viewer", [{ kind: "sr", uuid: nfs.record.uuid, role: "viewer" }]);
    const detail = (await srDetail(srViewer, nfs.record.uuid))!;
    expect(detail.scan).toBeNull();
    expect(detail.disks.every((disk) => disk.vms.length === 0 && disk.hiddenVms >= 0)).toBe(true);
    expect(detail.disks.some((disk) => disk.hiddenVms > 0)).toBe(true);
    expect((await visibleSrs(srViewer)).map((sr) => sr.uuid)).toEqual([nfs.record.uuid]);
  });

  it("is rescanned by an admin of the SR (audited with its task); refused to its viewers; XAPI's refusals in words", async () => {
    const { sim, user } = env();
    const nfs = srOf("NFS storage (nas-01)");
    const srAdmin = await user("sr-admin", [{ kind: "sr", uuid: nfs.record.uuid, role: "admin" }]);
    const srViewer = await user("sr-viewer-2", [{ kind: "sr", uuid: nfs.record.uuid, role: "viewer" }]);
    expect((await srDetail(srAdmin, nfs.record.uuid))!.scan).toEqual({ unavailableReason: null });

    expect(await runAction(scanSr, { actor: srAdmin, input: { sr: nfs.record.uuid } })).toMatchObject({ ok: true, message: "NFS storage (nas-01) rescanned" });
    expect(await lastAudit()).toMatchObject({ actorUsername: "sr-admin", action: "sr.scan", objectUuid: nfs.record.uuid, outcome: "ok" });
    expect((await lastAudit()).taskRef).toBeTruthy();

    expect(await runAction(scanSr, { actor: srViewer, input: { sr: nfs.record.uuid } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(await lastAudit()).toMatchObject({ actorUsername: "sr-viewer-2", action: "sr.scan", outcome: "refused" });
    const local = srOf("Local storage");
    expect(await runAction(scanSr, { actor: srAdmin, input: { sr: local.record.uuid } })).toMatchObject({ ok: false, error: SR_NOT_FOUND });

    // What the pool answers for an SR attached nowhere, in words.
    const detached = sim.inspect.all<SrRecord>("SR", "lab").find((sr) => sr.record.name_label === "iSCSI SAN (san-01)")!;
    sim.faults.failNext({ method: "SR.scan", error: ["SR_HAS_NO_PBDS", detached.ref], object: detached.ref });
    expect(await runAction(scanSr, { actor: env().admin, input: { sr: detached.record.uuid } })).toMatchObject({
      ok: false,
      error: "The storage repository is not attached to any host",
    });
  });
});

describe("networks", () => {
  it("lists networks with their VLANs, and a network's PIFs per host and the VIFs on it", async () => {
    const networks = (await visibleNetworks(env().admin)).filter((network) => network.pool.label === "lab");
    expect(networks.map((network) => network.name)).not.toContain("Host internal management network");
    const dmz = networks.find((network) => network.name === "VLAN 20 (DMZ)")!;
    expect(dmz).toMatchObject({ vlans: [20], pifs: { attached: 2, total: 2 } });
    const backup = networks.find((network) => network.name === "VLAN 30 (backup)")!;
    expect(backup.pifs).toEqual({ attached: 1, total: 2 });
    expect(networks.find((network) => network.name === "Private network (replication)")).toMatchObject({ internal: true });

    const eth0 = networks.find((network) => network.name.endsWith("eth0"))!;
    const detail = (await networkDetail(env().admin, eth0.uuid))!;
    expect(detail.pifList.map((pif) => [pif.host?.name, pif.device, pif.vlan])).toEqual([
      ["xcp-lab-01", "eth0", null],
      ["xcp-lab-02", "eth0", null],
    ]);
    expect(detail.vifs.length).toBe(eth0.vifCount);
    expect(detail.vifs.some((vif) => vif.vm?.name === "sql-01")).toBe(true);
  });

  it("shows a VM's viewer no network page, and a network's viewer its VIFs without the VMs' names", async () => {
    const { sim, user } = env();
    const eth0 = (await visibleNetworks(env().admin)).find((network) => network.pool.label === "lab" && network.name.endsWith("eth0"))!;
    const vmViewer = await user("net-vm-viewer", [{ kind: "vm", uuid: sim.inspect.vm("sql-01")!.record.uuid as string, role: "viewer" }]);
    expect(await networkDetail(vmViewer, eth0.uuid)).toBeNull();
    expect(await visibleNetworks(vmViewer)).toEqual([]);
    const netViewer = await user("net-viewer", [{ kind: "network", uuid: eth0.uuid, role: "viewer" }]);
    const detail = (await networkDetail(netViewer, eth0.uuid))!;
    expect(detail.vifs.length).toBe(eth0.vifCount);
    expect(detail.vifs.every((vif) => vif.vm === null)).toBe(true);
  });
});
