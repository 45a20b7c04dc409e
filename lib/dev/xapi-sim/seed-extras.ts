/**
 * What storage and network pages need to look like a real pool, added after the base data set with a random
 * stream of their own (so that the VMs, their names and states stay what the seed always gave): a jumbo-frame
 * storage network on eth2 with an address per host, two tagged networks (VLAN 20 for a DMZ, with the proxies'
 * second interface on it; VLAN 30 for backups, its PIF unplugged on the last host), a private network (a halted
 * database's replication link), an iSCSI SR holding detached disks whose PBD on the last host does not plug (a
 * broken path), and every host's and SR's allowed_operations computed by the rules rather than written by hand.
 * The VLAN class is not modelled: tagged PIFs carry their tag in `VLAN` and name no VLAN object.
 */
import type { HostRecord, NetworkRecord, PbdRecord, PifRecord, SrRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { markPbdBroken } from "./host-power";
import { refreshHostOperations } from "./host-rules";
import { createVdi, createVif, linkRef } from "./objects";
import type { SimPool } from "./pool";
import { Prng } from "./prng";
import { NULL_REF } from "./protocol/xapi-types";
import { GiB, TiB } from "./seed-data";
import { refreshSrOperations } from "./sr-operations";
import type { StoredObject } from "./store";
import { guestNetworks } from "./vm-state";

type Host = StoredObject<HostRecord>;

export function seedExtras(pool: SimPool, seed: number | string): void {
  const rng = new Prng(`${seed}/pool/${pool.index}/extras`);
  const store = pool.store;
  const previousIds = store.ids;
  store.ids = { uuid: () => rng.uuid() };
  try {
    const hosts = pool.hosts();
    const last = hosts[hosts.length - 1];
    const storageNet = network(pool, "Storage network (eth2)", "xenbr2", 9000, "NFS and iSCSI traffic, jumbo frames");
    const pifs = new Map<string, StoredObject<PifRecord>>();
    hosts.forEach((host, h) => {
      const ip = `10.20.${(pool.index + 1) % 256}.${h + 11}`;
      pifs.set(host.ref, pif(pool, host, storageNet, { device: "eth2", MAC: rng.mac(), MTU: 9000, physical: true, ip, disallow_unplug: true }));
    });
    const dmz = network(pool, "VLAN 20 (DMZ)", "xapi1", 1500, "Public-facing services");
    const backup = network(pool, "VLAN 30 (backup)", "xapi2", 9000, "Backup traffic to the backup repository");
    for (const host of hosts) {
      const eth0 = host.rec.PIFs.map((ref) => store.getOf<PifRecord>("PIF", ref)).find((p) => p?.rec.device === "eth0");
      pif(pool, host, dmz, { device: "eth0", MAC: eth0?.rec.MAC ?? rng.mac(), MTU: 1500, VLAN: 20 });
      pif(pool, host, backup, { device: "eth2", MAC: pifs.get(host.ref)!.rec.MAC, MTU: 9000, VLAN: 30, attached: host !== last || hosts.length === 1 });
    }
    for (const vm of store.all<VmRecord>("VM")) {
      if (vm.rec.is_a_template || vm.rec.is_control_domain || !/^proxy-\d+$/.test(vm.rec.name_label)) continue;
      const device = String(vm.rec.VIFs.length);
      createVif(pool, vm, dmz.ref, device, rng.mac());
      if (vm.rec.power_state === "Running" || vm.rec.power_state === "Paused") {
        const gm = store.get(vm.rec.guest_metrics);
        if (gm) store.update(gm, { networks: guestNetworks(pool, vm) });
      }
    }
    privateNetwork(pool, rng);
    iscsiSr(pool, rng, hosts, last);
    for (const host of hosts) refreshHostOperations(pool, host);
    for (const sr of store.all<SrRecord>("SR")) refreshSrOperations(pool, sr);
  } finally {
    store.ids = previousIds;
  }
}

/**
 * A single-server private network (no PIFs) carrying a database's replication link: while that VM runs, the
 * network only exists on its host, so the VM cannot move (VM_REQUIRES_NETWORK).
 */
function privateNetwork(pool: SimPool, rng: Prng): void {
  const store = pool.store;
  const net = network(pool, "Private network (replication)", "xapi3", 1500, "Single-server private network");
  const onSharedStorage = (vm: StoredObject<VmRecord>) =>
    vm.rec.VBDs.every((ref) => {
      const vbd = store.getOf<VbdRecord>("VBD", ref);
      const sr = vbd && store.getOf<SrRecord>("SR", store.getOf<VdiRecord>("VDI", vbd.rec.VDI)?.rec.SR ?? NULL_REF);
      return !sr || sr.rec.shared;
    });
  const halted = [...store.all<VmRecord>("VM")].filter(
    (vm) => vm.rec.power_state === "Halted" && !vm.rec.is_a_template && !vm.rec.is_control_domain && onSharedStorage(vm),
  );
  const vm = halted.filter((v) => /^(db|mysql)-\d+$/.test(v.rec.name_label)).pop() ?? halted.pop();
  if (vm) createVif(pool, vm, net.ref, String(vm.rec.VIFs.length), rng.mac());
}

function network(pool: SimPool, name: string, bridge: string, mtu: number, description: string): StoredObject<NetworkRecord> {
  return pool.store.add<NetworkRecord>("network", {
    name_label: name,
    name_description: description,
    bridge,
    MTU: mtu,
    managed: true,
    other_config: {},
    allowed_operations: [],
    current_operations: {},
    tags: [],
    purpose: [],
    default_locking_mode: "unlocked",
  });
}

interface PifSpec {
  device: string;
  MAC: string;
  MTU: number;
  VLAN?: number;
  physical?: boolean;
  /** Static address in 10.20/16 (storage), none otherwise. */
  ip?: string;
  attached?: boolean;
  disallow_unplug?: boolean;
}

function pif(pool: SimPool, host: Host, net: StoredObject<NetworkRecord>, spec: PifSpec): StoredObject<PifRecord> {
  const store = pool.store;
  const p = store.add<PifRecord>("PIF", {
    device: spec.device,
    network: net.ref,
    host: host.ref,
    MAC: spec.MAC,
    MTU: spec.MTU,
    VLAN: spec.VLAN ?? -1,
    physical: spec.physical ?? false,
    currently_attached: spec.attached ?? true,
    ip_configuration_mode: spec.ip ? "Static" : "None",
    IP: spec.ip ?? "",
    netmask: spec.ip ? "255.255.255.0" : "",
    gateway: "",
    DNS: "",
    management: false,
    disallow_unplug: spec.disallow_unplug ?? false,
    other_config: {},
    properties: spec.physical ? { gro: "on" } : {},
    capabilities: spec.physical ? ["fcoe"] : [],
    primary_address_type: "IPv4",
    managed: true,
    igmp_snooping_status: "disabled",
  });
  linkRef(store, host, "PIFs", p.ref);
  linkRef(store, net, "PIFs", p.ref);
  return p;
}

const DETACHED_DISKS = [
  ["db-archive-2023", "PostgreSQL archive, kept for audit", 750 * GiB],
  ["migration-scratch", "Scratch space for the last datacentre move", 200 * GiB],
  ["erp-export", "ERP export before the upgrade", 120 * GiB],
  ["old-fileshare", "Former file share, detached", TiB],
] as const;

/** A thick-provisioned iSCSI SR on a SAN, plugged on every host but the last, whose path is broken. */
function iscsiSr(pool: SimPool, rng: Prng, hosts: Host[], broken: Host): void {
  const store = pool.store;
  const scsiId = `36001405${rng.uuid().replace(/-/g, "").slice(0, 24)}`;
  const sr = store.add<SrRecord>("SR", {
    name_label: "iSCSI SAN (san-01)",
    name_description: "iSCSI SR [10.20.0.50 (iqn.2024-01.net.example:san-01; LUN 0: 8 TB)]",
    type: "lvmoiscsi",
    content_type: "user",
    shared: true,
    physical_size: 8 * TiB,
    allowed_operations: [],
    current_operations: {},
    VDIs: [],
    PBDs: [],
    virtual_allocation: 0,
    physical_utilisation: 0,
    other_config: {},
    sm_config: { allocation: "thick", use_vhd: "true", multipathable: "true", devserial: `scsi-${scsiId}` },
    tags: [],
    blobs: {},
  });
  for (const host of hosts) {
    const plugged = host !== broken || hosts.length === 1;
    const pbd = store.add<PbdRecord>("PBD", {
      host: host.ref,
      SR: sr.ref,
      device_config: { target: "10.20.0.50", targetIQN: "iqn.2024-01.net.example:san-01", SCSIid: scsiId, port: "3260" },
      currently_attached: plugged,
      other_config: { storage_driver_domain: NULL_REF },
    });
    linkRef(store, host, "PBDs", pbd.ref);
    linkRef(store, sr, "PBDs", pbd.ref);
    if (!plugged) markPbdBroken(pool, pbd.ref);
  }
  for (const [name, description, size] of DETACHED_DISKS) {
    createVdi(pool, { SR: sr.ref, name_label: name, name_description: description, virtual_size: size, physical_utilisation: size, type: "user" });
  }
}
