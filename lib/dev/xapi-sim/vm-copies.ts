/**
 * New VMs made from existing ones: clone (disks cloned on the same SR), copy (full copies on a chosen SR),
 * snapshot (snapshot VDIs linked to their originals; the snapshot links to its VM), revert (the VM's
 * disks replaced by clones of the snapshot's) and destroy (what a real VM.destroy removes: VBDs, VIFs,
 * consoles, metrics and guest metrics; the VDIs and the snapshots stay).
 */
import type { VbdRecord, VdiRecord, VifRecord, VmGuestMetricsRecord, VmMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { createVbd, createVdi, createVif, createVm, destroyConsoles, destroyVbd, destroyVdi, destroyVif, linkRef, unlinkRef } from "./objects";
import type { SimPool } from "./pool";
import { macFromSeed } from "./mac-addresses";
import { NULL_REF } from "./protocol/xapi-types";
import { cloneValue } from "./records";
import type { StoredObject } from "./store";
import { refreshAllowedOperations } from "./vm-rules";

type Vm = StoredObject<VmRecord>;

export type CopyKind = "clone" | "copy" | "snapshot" | "checkpoint";

export interface CopyOptions {
  kind: CopyKind;
  name: string;
  /** `copy`: the SR of the new disks (NULL: the SR of each original). */
  sr?: string;
  /** `snapshot`: disks left out. */
  ignoreVdis?: string[];
}

/** Fields a copy never takes from its source (xapi_vm_clone's do-not-copy list, plus the links we rebuild). */
const NOT_COPIED = new Set([
  "uuid",
  "allowed_operations",
  "current_operations",
  "power_state",
  "suspend_VDI",
  "resident_on",
  "scheduled_to_be_resident_on",
  "domid",
  "metrics",
  "guest_metrics",
  "consoles",
  "VIFs",
  "VBDs",
  "snapshots",
  "children",
  "parent",
  "snapshot_of",
  "snapshot_time",
  "is_a_snapshot",
  "is_default_template",
  "crash_dumps",
  "VUSBs",
  "VTPMs",
  "VGPUs",
  "attached_PCIs",
]);

export function copyVm(pool: SimPool, src: Vm, options: CopyOptions): Vm {
  const store = pool.store;
  const snapshot = options.kind === "snapshot" || options.kind === "checkpoint";
  const fields: Partial<VmRecord> = {};
  for (const [key, value] of Object.entries(src.rec)) {
    if (!NOT_COPIED.has(key)) (fields as Record<string, unknown>)[key] = cloneValue(value);
  }
  // xapi_vm_clone: a clone or copy gets a new mac_seed (so new MACs), keeps the name of the template it came from.
  const otherConfig = { ...src.rec.other_config };
  if (!snapshot) otherConfig.mac_seed = pool.store.ids.uuid();
  delete otherConfig.default_template;
  delete otherConfig.xensource_internal;
  if (src.rec.is_a_template && otherConfig.base_template_name === undefined) otherConfig.base_template_name = src.rec.name_label;
  const now = new Date();
  const srcMetrics = store.getOf<VmMetricsRecord>("VM_metrics", src.rec.metrics);
  const vm = createVm(pool, {
    vm: {
      ...fields,
      name_label: options.name,
      other_config: otherConfig,
      power_state: "Halted",
      domid: -1,
      is_a_template: snapshot ? true : src.rec.is_a_template,
      is_a_snapshot: snapshot,
      snapshot_of: snapshot ? src.ref : NULL_REF,
      snapshot_time: snapshot ? now : new Date(0),
      snapshot_info: snapshot ? { "power-state-at-snapshot": src.rec.power_state } : {},
      tags: snapshot ? [] : [...src.rec.tags],
      parent: snapshot ? src.rec.parent : NULL_REF,
    },
    metrics: { install_time: snapshot ? (srcMetrics?.rec.install_time ?? now) : now, hvm: srcMetrics?.rec.hvm ?? true },
  });
  if (snapshot) {
    const gm = store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", src.rec.guest_metrics);
    if (gm) {
      const { uuid: _uuid, ...values } = gm.rec;
      const copy = store.add<VmGuestMetricsRecord>("VM_guest_metrics", { ...cloneRecord(values), live: false });
      store.update(vm, { guest_metrics: copy.ref });
    }
  }
  copyDevices(pool, src, vm, options);
  if (snapshot) {
    linkRef(store, src, "snapshots", vm.ref);
    // The snapshot takes the VM's place in the snapshot tree: VM.parent -> snapshot -> old parent.
    const oldParent = store.getOf<VmRecord>("VM", vm.rec.parent);
    if (oldParent) linkRef(store, oldParent, "children", vm.ref);
    setParent(pool, src, vm.ref);
  }
  refreshAllowedOperations(pool, vm);
  return vm;
}

function copyDevices(pool: SimPool, src: Vm, vm: Vm, options: CopyOptions): void {
  const store = pool.store;
  for (const ref of src.rec.VBDs) {
    const vbd = store.getOf<VbdRecord>("VBD", ref);
    if (!vbd) continue;
    const r = vbd.rec;
    const devices = {
      userdevice: r.userdevice,
      bootable: r.bootable,
      mode: r.mode,
      type: r.type,
      unpluggable: r.unpluggable,
      other_config: { ...r.other_config },
      qos_algorithm_type: r.qos_algorithm_type,
      qos_algorithm_params: { ...r.qos_algorithm_params },
    };
    const vdi = store.getOf<VdiRecord>("VDI", r.VDI);
    if (r.type === "CD" || !vdi) {
      createVbd(pool, vm, r.type === "CD" ? r.VDI : NULL_REF, devices);
      continue;
    }
    if (options.ignoreVdis?.includes(vdi.ref)) continue;
    // CA-58405: the new VM owns its copies of the disks (clients delete owned disks with the VM).
    createVbd(pool, vm, copyVdi(pool, vdi, options).ref, { ...devices, other_config: { owner: "", ...devices.other_config } });
  }
  const snapshot = options.kind === "snapshot" || options.kind === "checkpoint";
  const seed = vm.rec.other_config.mac_seed;
  for (const ref of src.rec.VIFs) {
    const vif = store.getOf<VifRecord>("VIF", ref);
    if (!vif) continue;
    const r = vif.rec;
    const generated = !snapshot && seed !== undefined;
    createVif(pool, vm, r.network, r.device, generated ? macFromSeed(Number(r.device), seed) : r.MAC, {
      MAC_autogenerated: generated,
      MTU: r.MTU,
      other_config: { ...r.other_config },
      qos_algorithm_type: r.qos_algorithm_type,
      qos_algorithm_params: { ...r.qos_algorithm_params },
      locking_mode: r.locking_mode,
      ipv4_allowed: [...r.ipv4_allowed],
      ipv6_allowed: [...r.ipv6_allowed],
    });
  }
}

function copyVdi(pool: SimPool, vdi: StoredObject<VdiRecord>, options: CopyOptions): StoredObject<VdiRecord> {
  const snapshot = options.kind === "snapshot" || options.kind === "checkpoint";
  const sr = options.kind === "copy" && options.sr && options.sr !== NULL_REF ? options.sr : vdi.rec.SR;
  const copy = createVdi(pool, {
    SR: sr,
    name_label: vdi.rec.name_label,
    name_description: vdi.rec.name_description,
    virtual_size: vdi.rec.virtual_size,
    type: vdi.rec.type,
    other_config: { ...vdi.rec.other_config },
    is_a_snapshot: snapshot,
    snapshot_of: snapshot ? vdi.ref : NULL_REF,
    snapshot_time: snapshot ? new Date() : new Date(0),
  });
  if (snapshot) linkRef(pool.store, vdi, "snapshots", copy.ref);
  return copy;
}

/** `VM.parent` / `VM.children`, kept in both directions. */
function setParent(pool: SimPool, vm: Vm, parentRef: string): void {
  const store = pool.store;
  unlinkRef(store, store.getOf<VmRecord>("VM", vm.rec.parent), "children", vm.ref);
  store.update(vm, { parent: parentRef });
  const parent = store.getOf<VmRecord>("VM", parentRef);
  if (parent) linkRef(store, parent, "children", vm.ref);
}

/** Reverts `vm` to `snapshot`: its disks are replaced by clones of the snapshot's, its settings restored. */
export function revertVm(pool: SimPool, vm: Vm, snapshot: Vm): void {
  const store = pool.store;
  for (const ref of [...vm.rec.VBDs]) {
    const vbd = store.getOf<VbdRecord>("VBD", ref);
    if (!vbd || vbd.rec.type === "CD") continue;
    const vdi = store.getOf<VdiRecord>("VDI", vbd.rec.VDI);
    destroyVbd(pool, vbd);
    if (vdi && vdi.rec.VBDs.length === 0) destroyVdi(pool, vdi);
  }
  for (const ref of snapshot.rec.VBDs) {
    const vbd = store.getOf<VbdRecord>("VBD", ref);
    const vdi = vbd && store.getOf<VdiRecord>("VDI", vbd.rec.VDI);
    if (!vbd || !vdi || vbd.rec.type === "CD") continue;
    const copy = copyVdi(pool, vdi, { kind: "clone", name: vdi.rec.name_label });
    createVbd(pool, vm, copy.ref, { userdevice: vbd.rec.userdevice, bootable: vbd.rec.bootable, mode: vbd.rec.mode, type: vbd.rec.type });
  }
  const s = snapshot.rec;
  store.update(vm, {
    memory_static_max: s.memory_static_max,
    memory_static_min: s.memory_static_min,
    memory_dynamic_max: s.memory_dynamic_max,
    memory_dynamic_min: s.memory_dynamic_min,
    memory_target: s.memory_target,
    VCPUs_max: s.VCPUs_max,
    VCPUs_at_startup: s.VCPUs_at_startup,
    platform: { ...s.platform },
    HVM_boot_params: { ...s.HVM_boot_params },
  });
  setParent(pool, vm, snapshot.ref);
}

/** What `VM.destroy` removes. The VDIs stay (XAPI leaves them to the caller); so do the snapshots. */
export function destroyVm(pool: SimPool, vm: Vm): void {
  const store = pool.store;
  for (const ref of [...vm.rec.VBDs]) {
    const vbd = store.getOf<VbdRecord>("VBD", ref);
    if (vbd) destroyVbd(pool, vbd);
  }
  for (const ref of [...vm.rec.VIFs]) {
    const vif = store.getOf<VifRecord>("VIF", ref);
    if (vif) destroyVif(pool, vif);
  }
  destroyConsoles(pool, vm);
  const metrics = store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
  if (metrics) store.remove(metrics);
  const gm = store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", vm.rec.guest_metrics);
  if (gm) store.remove(gm);
  const suspend = store.getOf<VdiRecord>("VDI", vm.rec.suspend_VDI);
  if (suspend) destroyVdi(pool, suspend);
  const origin = store.getOf<VmRecord>("VM", vm.rec.snapshot_of);
  unlinkRef(store, origin, "snapshots", vm.ref);
  unlinkRef(store, store.getOf<VmRecord>("VM", vm.rec.parent), "children", vm.ref);
  for (const ref of vm.rec.children) {
    const child = store.getOf<VmRecord>("VM", ref);
    if (child) store.update(child, { parent: NULL_REF });
  }
  store.remove(vm);
}

function cloneRecord<T extends object>(rec: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = cloneValue(v);
  return out as T;
}
