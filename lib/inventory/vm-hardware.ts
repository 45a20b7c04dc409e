/**
 * The VM page's Hardware tab: the VM's vCPUs, memory, disks, CD drive, interfaces and tags; which edits the user
 * may make (hardware: admins; CD and tags: operators) and, for each device, why XAPI would refuse one now (from
 * its `allowed_operations` and power state); what the edit forms offer (SRs, detached disks, networks, ISOs the
 * user may use, tags used elsewhere in the pool).
 */
import "server-only";
import { can } from "@/lib/access/can";
import { networkSecurable, srSecurable, vdiSecurable, vmSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { locateVm } from "@/lib/pools/locate";
import { loadPoolViews, type PoolStatusDto } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import type { XapiObject } from "@/lib/xapi";
import { srLabel } from "@/lib/pools/names";
import { isoOptions, type IsoOption } from "./iso-options";
import type { PowerState } from "./vm-query";

export interface HardwareDisk {
  vbd: string;
  position: string;
  name: string;
  sizeBytes: number;
  sr: string | null;
  attached: boolean;
  bootable: boolean;
  /** Why each edit is refused now (null: it can be done). */
  resize: string | null;
  detach: string | null;
  remove: string | null;
}

export interface HardwareInterface {
  uuid: string;
  device: string;
  network: string | null;
  mac: string;
  attached: boolean;
}

export interface VmHardwareView {
  vm: { uuid: string; name: string; powerState: PowerState };
  pool: { id: string; label: string; status: PoolStatusDto };
  /** What the user may do here; `console`: open the VM's console (the Console tab is listed then). */
  may: { hardware: boolean; cd: boolean; tags: boolean; console: boolean };
  resources: { vcpus: number; vcpusMax: number; memoryStaticMax: number; dynamicMin: number; dynamicMax: number };
  disks: HardwareDisk[];
  /** The CD drive, if the VM has one. */
  cd: { iso: string | null } | null;
  interfaces: HardwareInterface[];
  tags: string[];
  /** What the forms offer (empty when the matching edit is not allowed). */
  options: {
    srs: { uuid: string; label: string; freeBytes: number }[];
    detachedDisks: { uuid: string; name: string; sizeBytes: number; sr: string }[];
    networks: { uuid: string; name: string }[];
    isos: IsoOption[];
    tags: string[];
  };
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { numeric: true });

/** The tab's data, or null when the VM is unknown or invisible to the user (the page 404s). */
export async function vmHardwareView(user: CurrentUser, uuid: string): Promise<VmHardwareView | null> {
  const located = locateVm(await loadPoolViews(), uuid);
  if (!located || !isOrdinaryVm(located.vm) || !can(user, "vm.view", located.securable)) return null;
  const { vm, view, connection, securable } = located;
  const cache = connection.cache;
  const poolUuid = view.uuid;
  const writable = !view.readOnly && !view.stale;
  const may = {
    hardware: writable && can(user, "vm.edit.hardware", securable),
    cd: writable && can(user, "vm.cd", securable),
    tags: writable && can(user, "vm.edit.tags", securable),
    console: can(user, "vm.console", securable),
  };
  const running = vm.power_state === "Running";
  const metrics = cache.get("VM_metrics", vm.metrics);
  const usedElsewhere = (vdi: XapiObject<"VDI">) =>
    cache.vbdsByVdi(vdi.$ref).some((other) => other.VM !== vm.$ref && !cache.get("VM", other.VM)?.is_control_domain);

  const vbds = cache.vbdsByVm(vm.$ref);
  const disks: HardwareDisk[] = vbds
    .filter((vbd) => vbd.type === "Disk" && !vbd.empty)
    .flatMap((vbd) => {
      const vdi = cache.get("VDI", vbd.VDI);
      if (!vdi || !can(user, "vdi.view", vdiSecurable(poolUuid, cache, vdi))) return [];
      const sr = cache.get("SR", vdi.SR);
      const attached = vbd.currently_attached;
      return [
        {
          vbd: vbd.uuid,
          position: vbd.userdevice,
          name: vdi.name_label,
          sizeBytes: vdi.virtual_size,
          sr: sr ? srLabel(cache, sr) : null,
          attached,
          bootable: vbd.bootable,
          resize: attached
            ? "The disk is in use: halt the VM (or detach the disk) to resize it"
            : vdi.allowed_operations.includes("resize")
              ? null
              : "The storage does not allow resizing this disk now",
          detach: attached && !vbd.allowed_operations.includes("unplug") ? "This disk cannot be detached while the VM runs" : null,
          remove: attached ? "The disk is in use: halt the VM (or detach the disk) to delete it" : usedElsewhere(vdi) ? "Another VM uses this disk" : null,
        },
      ];
    })
    .sort((a, b) => Number(a.position) - Number(b.position));
  const drive = vbds.find((vbd) => vbd.type === "CD");
  const cd = drive ? { iso: drive.empty ? null : (cache.get("VDI", drive.VDI)?.name_label ?? "An ISO") } : null;
  const interfaces: HardwareInterface[] = cache
    .vifsByVm(vm.$ref)
    .map((vif) => ({
      uuid: vif.uuid,
      device: vif.device,
      network: cache.get("network", vif.network)?.name_label ?? null,
      mac: vif.MAC,
      attached: vif.currently_attached,
    }))
    .sort((a, b) => Number(a.device) - Number(b.device));

  const options: VmHardwareView["options"] = { srs: [], detachedDisks: [], networks: [], isos: [], tags: [] };
  if (may.hardware) {
    const srs = cache.list("SR").filter((sr) => sr.content_type !== "iso" && can(user, "sr.view", srSecurable(poolUuid, sr)));
    options.srs = srs
      .filter((sr) => cache.pbdsBySr(sr.$ref).some((pbd) => pbd.currently_attached))
      .map((sr) => ({ uuid: sr.uuid, label: srLabel(cache, sr), freeBytes: Math.max(0, sr.physical_size - sr.physical_utilisation) }))
      .sort((a, b) => a.label.localeCompare(b.label));
    options.detachedDisks = srs
      .flatMap((sr) => sr.VDIs.map((ref) => cache.get("VDI", ref)).map((vdi) => ({ vdi, sr })))
      .filter(
        (entry): entry is { vdi: XapiObject<"VDI">; sr: XapiObject<"SR"> } =>
          entry.vdi !== undefined &&
          !entry.vdi.is_a_snapshot &&
          entry.vdi.managed &&
          cache.vbdsByVdi(entry.vdi.$ref).every((vbd) => cache.get("VM", vbd.VM)?.is_control_domain) &&
          can(user, "vdi.manage", vdiSecurable(poolUuid, cache, entry.vdi)),
      )
      .map(({ vdi, sr }) => ({ uuid: vdi.uuid, name: vdi.name_label || "Unnamed disk", sizeBytes: vdi.virtual_size, sr: srLabel(cache, sr) }))
      .sort(byName);
    options.networks = cache
      .list("network")
      .filter(
        (network) => network.other_config.is_host_internal_management_network !== "true" && can(user, "network.view", networkSecurable(poolUuid, network)),
      )
      .map((network) => ({ uuid: network.uuid, name: network.name_label }))
      .sort(byName);
  }
  if (may.cd) {
    options.isos = isoOptions(user, poolUuid, cache);
  }
  if (may.tags) {
    // Tags of the pool's VMs the user can see (others' tags could tell what the user may not see).
    const tags = new Set<string>();
    for (const other of cache.list("VM")) {
      if (other.tags.length === 0 || other.is_control_domain || !can(user, "vm.view", vmSecurable(poolUuid, cache, other))) continue;
      for (const tag of other.tags) tags.add(tag);
    }
    for (const tag of vm.tags) tags.delete(tag);
    options.tags = [...tags].sort((a, b) => a.localeCompare(b)).slice(0, 200);
  }

  return {
    vm: { uuid: vm.uuid, name: vm.name_label, powerState: vm.power_state as PowerState },
    pool: { id: view.id, label: view.label, status: view.status },
    may,
    resources: {
      vcpus: running && metrics && metrics.VCPUs_number > 0 ? metrics.VCPUs_number : vm.VCPUs_at_startup,
      vcpusMax: vm.VCPUs_max,
      memoryStaticMax: vm.memory_static_max,
      dynamicMin: vm.memory_dynamic_min,
      dynamicMax: vm.memory_dynamic_max,
    },
    disks,
    cd,
    interfaces,
    tags: [...vm.tags],
    options,
  };
}
