/**
 * Object factories and relations shared by the data set, the VM operations and the outside changes: a VM
 * with its metrics, disks (VDI + VBD), CD drive, interfaces and consoles, each cross-reference written on
 * both sides (VM.VBDs / VBD.VM, VDI.VBDs, SR.VDIs, network.VIFs, VM.consoles...), and the host memory
 * accounting that decides whether a VM fits.
 */
import type {
  ConsoleRecord,
  HostMetricsRecord,
  HostRecord,
  NetworkRecord,
  SrRecord,
  VbdRecord,
  VdiRecord,
  VifRecord,
  VmGuestMetricsRecord,
  VmMetricsRecord,
  VmRecord,
} from "@/lib/xapi/model/records.generated";
import type { SimPool } from "./pool";
import { NULL_REF } from "./protocol/xapi-types";
import type { PoolStore, StoredObject } from "./store";
import { refreshVbdOperations } from "./vbd-rules";
import { refreshVdiOperations } from "./vdi-rules";
import { refreshVifOperations } from "./vif-rules";

type Obj<R> = StoredObject<R>;

// ---------------------------------------------------------------------------------------------------------
// Relations

/** Adds `ref` to the set field `field` of `obj` (once) and publishes the change. */
export function linkRef<R>(store: PoolStore, obj: Obj<R>, field: keyof R & string, ref: string): void {
  const set = obj.rec[field] as unknown as string[];
  if (set.includes(ref)) return;
  store.update(obj, { [field]: [...set, ref] } as unknown as Partial<R>);
}

export function unlinkRef<R>(store: PoolStore, obj: Obj<R> | undefined, field: keyof R & string, ref: string): void {
  if (!obj || obj.dtime) return;
  const set = obj.rec[field] as unknown as string[];
  if (!set.includes(ref)) return;
  store.update(obj, { [field]: set.filter((r) => r !== ref) } as unknown as Partial<R>);
}

// ---------------------------------------------------------------------------------------------------------
// VMs

export interface NewVm {
  vm: Partial<VmRecord>;
  /** Values of the VM_metrics record. */
  metrics?: Partial<VmMetricsRecord>;
}

/** A VM and its VM_metrics record (every VM has one, templates and snapshots too). */
export function createVm(pool: SimPool, { vm, metrics }: NewVm): Obj<VmRecord> {
  const store = pool.store;
  const running = vm.power_state === "Running" || vm.power_state === "Paused";
  const m = store.add<VmMetricsRecord>("VM_metrics", {
    memory_actual: running ? (vm.memory_target ?? vm.memory_static_max ?? 0) : 0,
    VCPUs_number: running ? (vm.VCPUs_at_startup ?? 1) : 0,
    VCPUs_CPU: {},
    VCPUs_params: {},
    VCPUs_flags: {},
    state: [],
    start_time: new Date(0),
    install_time: new Date(),
    last_updated: new Date(),
    hvm: true,
    current_domain_type: running ? "hvm" : "unspecified",
    ...metrics,
  });
  return store.add<VmRecord>("VM", { metrics: m.ref, ...vm });
}

export function createGuestMetrics(pool: SimPool, os: Record<string, string>, networks: Record<string, string>): Obj<VmGuestMetricsRecord> {
  return pool.store.add<VmGuestMetricsRecord>("VM_guest_metrics", {
    os_version: { ...os },
    netbios_name: {},
    PV_drivers_version: { major: "9", minor: "4", micro: "0", build: "37" },
    PV_drivers_up_to_date: true,
    PV_drivers_detected: true,
    networks,
    other: {
      "feature-shutdown": "1",
      "feature-suspend": "1",
      "feature-poweroff": "1",
      "feature-reboot": "1",
      "feature-vcpu-hotplug": "1",
      platform_feature_multiprocessor_suspend: "1",
      has_vendor_device: "0",
    },
    last_updated: new Date(),
    other_config: {},
    live: true,
    can_use_hotplug_vbd: "yes",
    can_use_hotplug_vif: "yes",
  });
}

// ---------------------------------------------------------------------------------------------------------
// Storage

export function createVdi(pool: SimPool, values: Partial<VdiRecord> & { SR: string }): Obj<VdiRecord> {
  const store = pool.store;
  const sr = pool.need<SrRecord>("SR", values.SR);
  const size = values.virtual_size ?? 0;
  const vdi = store.add<VdiRecord>("VDI", {
    type: "user",
    sharable: false,
    read_only: false,
    managed: true,
    storage_lock: false,
    missing: false,
    physical_utilisation: Math.round(size * 0.45),
    sm_config: sr.rec.type === "iso" ? {} : { vdi_type: "vhd" },
    snapshot_time: new Date(0),
    ...values,
  });
  if (!vdi.rec.location) vdi.rec.location = sr.rec.type === "iso" ? vdi.rec.name_label : vdi.uuid;
  store.update(sr, {
    VDIs: [...sr.rec.VDIs, vdi.ref],
    virtual_allocation: sr.rec.virtual_allocation + size,
    physical_utilisation: sr.rec.physical_utilisation + vdi.rec.physical_utilisation,
  });
  refreshVdiOperations(pool, vdi);
  return vdi;
}

export function destroyVdi(pool: SimPool, vdi: Obj<VdiRecord>): void {
  const store = pool.store;
  const sr = store.getOf<SrRecord>("SR", vdi.rec.SR);
  if (sr) {
    store.update(sr, {
      VDIs: sr.rec.VDIs.filter((r) => r !== vdi.ref),
      virtual_allocation: Math.max(0, sr.rec.virtual_allocation - vdi.rec.virtual_size),
      physical_utilisation: Math.max(0, sr.rec.physical_utilisation - vdi.rec.physical_utilisation),
    });
  }
  const parent = store.getOf<VdiRecord>("VDI", vdi.rec.snapshot_of);
  unlinkRef(store, parent, "snapshots", vdi.ref);
  for (const snap of vdi.rec.snapshots) {
    const s = store.getOf<VdiRecord>("VDI", snap);
    if (s) store.update(s, { snapshot_of: NULL_REF });
  }
  store.remove(vdi);
}

/** A VBD joining `vm` and `vdi` (NULL for an empty CD drive). */
export function createVbd(pool: SimPool, vm: Obj<VmRecord>, vdiRef: string, values: Partial<VbdRecord>): Obj<VbdRecord> {
  const store = pool.store;
  const running = vm.rec.power_state === "Running" || vm.rec.power_state === "Paused";
  const isCd = values.type === "CD";
  const vbd = store.add<VbdRecord>("VBD", {
    VM: vm.ref,
    VDI: vdiRef,
    device: running ? deviceName(values.userdevice ?? "0") : "",
    bootable: false,
    mode: isCd ? "RO" : "RW",
    type: "Disk",
    unpluggable: true,
    empty: vdiRef === NULL_REF,
    currently_attached: running,
    other_config: {},
    ...values,
  });
  linkRef(store, vm, "VBDs", vbd.ref);
  const vdi = store.getOf<VdiRecord>("VDI", vdiRef);
  if (vdi) linkRef(store, vdi, "VBDs", vbd.ref);
  refreshVbdOperations(pool, vbd);
  if (vdi) refreshVdiOperations(pool, vdi);
  return vbd;
}

export function destroyVbd(pool: SimPool, vbd: Obj<VbdRecord>): void {
  const store = pool.store;
  const vdi = store.getOf<VdiRecord>("VDI", vbd.rec.VDI);
  unlinkRef(store, store.getOf<VmRecord>("VM", vbd.rec.VM), "VBDs", vbd.ref);
  unlinkRef(store, vdi, "VBDs", vbd.ref);
  store.remove(vbd);
  if (vdi && !vdi.dtime) refreshVdiOperations(pool, vdi);
}

/** `xvda`, `xvdb`... for user devices 0, 1...; `xvdd` for the CD drive on device 3. */
export function deviceName(userdevice: string): string {
  const n = Number(userdevice);
  return Number.isInteger(n) && n >= 0 && n < 26 ? `xvd${String.fromCharCode(97 + n)}` : `xvd${userdevice}`;
}

// ---------------------------------------------------------------------------------------------------------
// Network and consoles

export function createVif(pool: SimPool, vm: Obj<VmRecord>, networkRef: string, device: string, mac: string, values: Partial<VifRecord> = {}): Obj<VifRecord> {
  const store = pool.store;
  const running = vm.rec.power_state === "Running" || vm.rec.power_state === "Paused";
  const vif = store.add<VifRecord>("VIF", {
    device,
    network: networkRef,
    VM: vm.ref,
    MAC: mac,
    MTU: 1500,
    currently_attached: running,
    MAC_autogenerated: true,
    other_config: {},
    qos_algorithm_params: {},
    ...values,
  });
  linkRef(store, vm, "VIFs", vif.ref);
  linkRef(store, pool.need<NetworkRecord>("network", networkRef), "VIFs", vif.ref);
  refreshVifOperations(pool, vif);
  return vif;
}

export function destroyVif(pool: SimPool, vif: Obj<VifRecord>): void {
  const store = pool.store;
  unlinkRef(store, store.getOf<VmRecord>("VM", vif.rec.VM), "VIFs", vif.ref);
  unlinkRef(store, store.getOf<NetworkRecord>("network", vif.rec.network), "VIFs", vif.ref);
  store.remove(vif);
}

/**
 * Consoles exist while the domain runs. The location is where the resident host serves it, reachable as
 * written: `<scheme>://<host address>:<port>/console?uuid=<console uuid>` (real hosts serve https on 443, so
 * theirs read `https://<address>/console?uuid=...`). A control domain has a vt100 console besides its RFB one.
 */
export function createConsole(pool: SimPool, vm: Obj<VmRecord>, hostRef: string, protocol: ConsoleRecord["protocol"] = "rfb"): Obj<ConsoleRecord> {
  const store = pool.store;
  const console = store.add<ConsoleRecord>("console", { protocol, VM: vm.ref, other_config: {} });
  store.update(console, { location: consoleLocation(pool, hostRef, console.uuid) });
  linkRef(store, vm, "consoles", console.ref);
  return console;
}

function consoleLocation(pool: SimPool, hostRef: string, uuid: string): string {
  return `${pool.core.hostUrl(pool.host(hostRef).rec.address)}/console?uuid=${uuid}`;
}

/** Rewrites every console's location once the hosts' port is known (consoles seeded before binding). */
export function relocateConsoles(pool: SimPool): void {
  for (const console of pool.store.all<ConsoleRecord>("console")) {
    const vm = pool.store.getOf<VmRecord>("VM", console.rec.VM);
    if (vm) pool.store.update(console, { location: consoleLocation(pool, vm.rec.resident_on, console.uuid) });
  }
}

export function destroyConsoles(pool: SimPool, vm: Obj<VmRecord>): void {
  const store = pool.store;
  for (const ref of vm.rec.consoles) {
    const c = store.getOf<ConsoleRecord>("console", ref);
    if (c) store.remove(c);
  }
  if (vm.rec.consoles.length > 0) store.update(vm, { consoles: [] });
}

// ---------------------------------------------------------------------------------------------------------
// Host memory

/** Memory the hypervisor needs beside the guest's own (shadow page tables, vCPU state, device model). */
export function memoryOverhead(staticMax: number, vcpusMax: number): number {
  const MiB = 1024 ** 2;
  return Math.ceil((staticMax / 128 + vcpusMax * MiB + 4 * MiB) / MiB) * MiB;
}

/** Memory a VM takes on a host while it runs (or is about to). */
export function vmFootprint(vm: VmRecord): number {
  return vm.memory_static_max + vm.memory_overhead;
}

/** Memory of a host: its total, and what its own overhead and every VM resident or scheduled on it take. */
export function hostMemory(pool: SimPool, hostRef: string): { total: number; used: number } {
  const host = pool.host(hostRef);
  const metrics = pool.store.getOf<HostMetricsRecord>("host_metrics", host.rec.metrics);
  let used = host.rec.memory_overhead;
  for (const ref of host.rec.resident_VMs) {
    const vm = pool.store.getOf<VmRecord>("VM", ref);
    if (vm) used += vmFootprint(vm.rec);
  }
  for (const vm of pool.store.all<VmRecord>("VM")) {
    if (vm.rec.scheduled_to_be_resident_on === hostRef && vm.rec.resident_on !== hostRef) used += vmFootprint(vm.rec);
  }
  return { total: metrics?.rec.memory_total ?? 0, used };
}

export function hostFreeMemory(pool: SimPool, hostRef: string): number {
  const { total, used } = hostMemory(pool, hostRef);
  return Math.max(0, total - used);
}

export function hostOf(pool: SimPool, ref: string): Obj<HostRecord> | undefined {
  return pool.store.getOf<HostRecord>("host", ref);
}
