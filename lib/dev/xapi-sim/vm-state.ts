/**
 * Power-state transitions with everything a real pool changes on the way: the VM (power_state, resident_on,
 * domid, allowed_operations), its VM_metrics and VM_guest_metrics, host.resident_VMs, VBD and VIF
 * attachment, consoles and the suspend image. Used by the VM operations, the outside changes and the
 * background activity, so that each produces the same events.
 */
import type {
  VbdRecord,
  VdiRecord,
  VifRecord,
  VmGuestMetricsRecord,
  VmMetricsRecord,
  VmRecord,
  PoolRecord,
  SrRecord,
  HostRecord,
} from "@/lib/xapi/model/records.generated";
import { refreshDeviceOperations } from "./device-operations";
import { createConsole, createGuestMetrics, createVdi, destroyConsoles, destroyVdi, deviceName, linkRef, unlinkRef } from "./objects";
import type { SimPool } from "./pool";
import { hashString } from "./prng";
import { NULL_REF } from "./protocol/xapi-types";
import { DEFAULT_TEMPLATES, OPERATING_SYSTEMS, type OsInfo } from "./seed-data";
import type { StoredObject } from "./store";
import { refreshAllowedOperations } from "./vm-rules";

type Vm = StoredObject<VmRecord>;

/** The OS a VM runs, from the template it was installed from (`other_config.base_template_name`). */
export function osOf(vm: VmRecord): OsInfo {
  const template = vm.other_config.base_template_name ?? "";
  const known = Object.values(OPERATING_SYSTEMS).find((os) => os.template === template);
  if (known) return known;
  const info = DEFAULT_TEMPLATES.find((t) => t.name === template);
  return info?.windows ? OPERATING_SYSTEMS.win2022 : OPERATING_SYSTEMS.alpine;
}

export function osVersion(os: OsInfo): Record<string, string> {
  const v: Record<string, string> = { name: os.name, distro: os.distro, major: os.major, minor: os.minor };
  if (os.uname) v.uname = os.uname;
  if (os.windows) Object.assign(v, { build: "20348", spmajor: "0", spminor: "0" });
  return v;
}

/** A stable private address per VM and interface. */
export function ipAddress(pool: SimPool, vm: Vm, device: string): string {
  const h = hashString(`${vm.uuid}/${device}`);
  return `10.${(pool.index + 1) % 256}.${((h >>> 8) % 250) + 1}.${((h & 0xff) % 250) + 2}`;
}

/** The addresses the guest agent reports: one per interface (`include` picks which, default all). */
export function guestNetworks(pool: SimPool, vm: Vm, include: (vif: StoredObject<VifRecord>) => boolean = () => true): Record<string, string> {
  const networks: Record<string, string> = {};
  for (const ref of vm.rec.VIFs) {
    const vif = pool.store.getOf<VifRecord>("VIF", ref);
    if (!vif || !include(vif)) continue;
    const ip = ipAddress(pool, vm, vif.rec.device);
    networks[`${vif.rec.device}/ip`] = ip;
    networks[`${vif.rec.device}/ipv4/0`] = ip;
  }
  return networks;
}

function metricsOf(pool: SimPool, vm: Vm): StoredObject<VmMetricsRecord> | undefined {
  return pool.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
}

function setDevicesAttached(pool: SimPool, vm: Vm, attached: boolean): void {
  const store = pool.store;
  for (const ref of vm.rec.VBDs) {
    const vbd = store.getOf<VbdRecord>("VBD", ref);
    if (!vbd || vbd.rec.currently_attached === attached) continue;
    store.update(vbd, { currently_attached: attached, device: attached ? deviceName(vbd.rec.userdevice) : "" });
  }
  for (const ref of vm.rec.VIFs) {
    const vif = store.getOf<VifRecord>("VIF", ref);
    if (!vif || vif.rec.currently_attached === attached) continue;
    store.update(vif, { currently_attached: attached });
  }
}

/** The domain starts (or resumes, dropping its suspend image) on `hostRef`: Running, or Paused when `paused`. */
export function markRunning(pool: SimPool, vm: Vm, hostRef: string, paused = false): void {
  const store = pool.store;
  const previousHost = vm.rec.resident_on;
  const suspendImage = store.getOf<VdiRecord>("VDI", vm.rec.suspend_VDI);
  store.update(vm, {
    power_state: paused ? "Paused" : "Running",
    resident_on: hostRef,
    scheduled_to_be_resident_on: NULL_REF,
    domid: pool.nextDomid(hostRef),
    suspend_VDI: NULL_REF,
  });
  if (suspendImage) destroyVdi(pool, suspendImage);
  if (previousHost !== hostRef) {
    unlinkRef(store, store.getOf<HostRecord>("host", previousHost), "resident_VMs", vm.ref);
    linkRef(store, pool.host(hostRef), "resident_VMs", vm.ref);
  }
  const now = new Date();
  const metrics = metricsOf(pool, vm);
  if (metrics) {
    store.update(metrics, {
      memory_actual: vm.rec.memory_static_max,
      VCPUs_number: vm.rec.VCPUs_at_startup,
      start_time: now,
      last_updated: now,
      state: paused ? ["paused"] : [],
      current_domain_type: "hvm",
    });
  }
  store.update(vm, { memory_target: vm.rec.memory_static_max });
  setDevicesAttached(pool, vm, true);
  // The guest agent reports its OS and addresses once the guest has booted.
  const networks = guestNetworks(pool, vm);
  const gm = store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", vm.rec.guest_metrics);
  if (gm) store.update(gm, { networks, live: true, last_updated: now });
  else store.update(vm, { guest_metrics: createGuestMetrics(pool, osVersion(osOf(vm.rec)), networks).ref });
  destroyConsoles(pool, vm);
  createConsole(pool, vm, hostRef);
  refreshAllowedOperations(pool, vm);
  refreshDeviceOperations(pool, vm);
}

/** The domain is gone: Halted, or Suspended with a suspend image. */
export function markStopped(pool: SimPool, vm: Vm, state: "Halted" | "Suspended"): void {
  const store = pool.store;
  const hostRef = vm.rec.resident_on;
  const now = new Date();
  let suspendVdi = vm.rec.suspend_VDI;
  if (state === "Suspended" && suspendVdi === NULL_REF) suspendVdi = createSuspendImage(pool, vm).ref;
  if (state === "Halted" && suspendVdi !== NULL_REF) {
    const vdi = store.getOf<VdiRecord>("VDI", suspendVdi);
    if (vdi) destroyVdi(pool, vdi);
    suspendVdi = NULL_REF;
  }
  store.update(vm, {
    power_state: state,
    resident_on: NULL_REF,
    scheduled_to_be_resident_on: NULL_REF,
    domid: -1,
    suspend_VDI: suspendVdi,
  });
  unlinkRef(store, store.getOf<HostRecord>("host", hostRef), "resident_VMs", vm.ref);
  const metrics = metricsOf(pool, vm);
  if (metrics) store.update(metrics, { memory_actual: 0, VCPUs_number: 0, state: [], last_updated: now, current_domain_type: "unspecified" });
  const gm = store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", vm.rec.guest_metrics);
  if (gm && state === "Halted") store.update(gm, { networks: {}, live: false, last_updated: now });
  setDevicesAttached(pool, vm, false);
  destroyConsoles(pool, vm);
  refreshAllowedOperations(pool, vm);
  refreshDeviceOperations(pool, vm);
}

export function markPaused(pool: SimPool, vm: Vm, paused: boolean): void {
  pool.store.update(vm, { power_state: paused ? "Paused" : "Running" });
  const metrics = metricsOf(pool, vm);
  if (metrics) pool.store.update(metrics, { state: paused ? ["paused"] : [], last_updated: new Date() });
  refreshAllowedOperations(pool, vm);
  refreshDeviceOperations(pool, vm);
}

/** A reboot: same host, new domain id, new start time. */
export function markRebooted(pool: SimPool, vm: Vm): void {
  const store = pool.store;
  store.update(vm, { domid: pool.nextDomid(vm.rec.resident_on), power_state: "Running" });
  const metrics = metricsOf(pool, vm);
  if (metrics) store.update(metrics, { start_time: new Date(), last_updated: new Date(), state: [] });
  refreshAllowedOperations(pool, vm);
}

/** A live migration lands the running domain on another host. */
export function markMigrated(pool: SimPool, vm: Vm, hostRef: string): void {
  const store = pool.store;
  const from = vm.rec.resident_on;
  store.update(vm, { resident_on: hostRef, scheduled_to_be_resident_on: NULL_REF, domid: pool.nextDomid(hostRef) });
  unlinkRef(store, store.getOf<HostRecord>("host", from), "resident_VMs", vm.ref);
  linkRef(store, pool.host(hostRef), "resident_VMs", vm.ref);
  destroyConsoles(pool, vm);
  createConsole(pool, vm, hostRef);
  refreshAllowedOperations(pool, vm);
}

/** The suspend image goes to the VM's suspend SR, else the pool's, else the default SR. */
function createSuspendImage(pool: SimPool, vm: Vm): StoredObject<VdiRecord> {
  const p = pool.pool.rec as PoolRecord;
  const candidates = [vm.rec.suspend_SR, p.suspend_image_SR, p.default_SR];
  const sr = candidates.find((ref) => pool.store.getOf<SrRecord>("SR", ref)) ?? p.default_SR;
  return createVdi(pool, {
    SR: sr,
    name_label: "Suspend image",
    name_description: `Suspend image of ${vm.rec.name_label}`,
    type: "suspend",
    virtual_size: vm.rec.memory_static_max + 8 * 1024 * 1024,
    other_config: {},
  });
}
