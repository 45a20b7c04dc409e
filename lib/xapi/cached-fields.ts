/**
 * THE table of what the live cache keeps: per class, the fields the pages, read models, ACL scopes and
 * actions use. Everything else XAPI sends is dropped at decode time, which is most of the memory a full
 * record costs (a VM record has ~95 fields; we keep ~35).
 *
 * To show something new, add the field name here: the types (`CachedRecord<"VM">`) follow, and `tsc`
 * points at any page that reads a field that is not kept.
 */
import type {
  ConsoleRecord,
  HostMetricsRecord,
  HostRecord,
  MessageRecord,
  NetworkRecord,
  PbdRecord,
  PifRecord,
  PoolRecord,
  SrRecord,
  TaskRecord,
  VbdRecord,
  VdiRecord,
  VifRecord,
  VmGuestMetricsRecord,
  VmMetricsRecord,
  VmRecord,
} from "./model/records.generated";

/** The XAPI record interface of every class the cache holds. */
export interface CachedClassRecords {
  pool: PoolRecord;
  host: HostRecord;
  host_metrics: HostMetricsRecord;
  VM: VmRecord;
  VM_metrics: VmMetricsRecord;
  VM_guest_metrics: VmGuestMetricsRecord;
  SR: SrRecord;
  PBD: PbdRecord;
  VDI: VdiRecord;
  VBD: VbdRecord;
  VIF: VifRecord;
  network: NetworkRecord;
  PIF: PifRecord;
  console: ConsoleRecord;
  task: TaskRecord;
  message: MessageRecord;
}

export type CachedClass = keyof CachedClassRecords;

const fields = <C extends CachedClass, const F extends readonly (keyof CachedClassRecords[C] & string)[]>(_cls: C, list: F) => list;

// prettier-ignore
// (one line per class reads as a table)
export const CACHED_FIELDS = {
  pool: fields("pool", ["uuid", "name_label", "name_description", "master", "default_SR", "tags", "ha_enabled", "other_config", "cpu_info", "current_operations"]),
  host: fields("host", [
    "uuid", "name_label", "name_description", "hostname", "address", "enabled", "metrics", "resident_VMs", "PIFs", "PBDs",
    "cpu_info", "software_version", "memory_overhead", "allowed_operations", "current_operations", "API_version_major",
    "API_version_minor", "tags", "other_config", "control_domain", "crash_dump_sr", "suspend_image_sr", "power_on_mode",
  ]),
  host_metrics: fields("host_metrics", ["uuid", "memory_total", "live", "last_updated"]),
  VM: fields("VM", [
    "uuid", "name_label", "name_description", "power_state", "is_a_template", "is_default_template", "is_a_snapshot",
    "is_control_domain", "snapshot_of", "snapshots", "snapshot_time", "resident_on", "affinity", "allowed_operations",
    "current_operations", "blocked_operations", "VCPUs_max", "VCPUs_at_startup", "memory_static_max", "memory_static_min",
    "memory_dynamic_max", "memory_dynamic_min", "memory_target", "VBDs", "VIFs", "consoles", "metrics", "guest_metrics",
    "domid", "domain_type", "HVM_boot_policy", "tags", "other_config", "ha_always_run", "ha_restart_priority",
    "start_delay", "shutdown_delay", "order", "parent", "suspend_VDI", "suspend_SR", "has_vendor_device",
    "requires_reboot",
  ]),
  VM_metrics: fields("VM_metrics", ["uuid", "memory_actual", "VCPUs_number", "start_time", "install_time", "last_updated", "state"]),
  VM_guest_metrics: fields("VM_guest_metrics", [
    "uuid", "os_version", "networks", "PV_drivers_version", "PV_drivers_detected", "PV_drivers_up_to_date", "live",
    "last_updated", "can_use_hotplug_vbd", "can_use_hotplug_vif",
  ]),
  SR: fields("SR", [
    "uuid", "name_label", "name_description", "type", "content_type", "shared", "physical_size", "physical_utilisation",
    "virtual_allocation", "PBDs", "VDIs", "allowed_operations", "current_operations", "tags", "other_config", "sm_config",
  ]),
  PBD: fields("PBD", ["uuid", "host", "SR", "currently_attached", "device_config"]),
  VDI: fields("VDI", [
    "uuid", "name_label", "name_description", "SR", "VBDs", "virtual_size", "physical_utilisation", "type", "sharable",
    "read_only", "managed", "missing", "is_a_snapshot", "snapshot_of", "snapshot_time", "allowed_operations",
    "current_operations", "tags", "other_config",
  ]),
  VBD: fields("VBD", [
    "uuid", "VM", "VDI", "device", "userdevice", "bootable", "mode", "type", "empty", "currently_attached",
    "allowed_operations", "current_operations", "other_config",
  ]),
  VIF: fields("VIF", [
    "uuid", "VM", "network", "device", "MAC", "MTU", "currently_attached", "locking_mode", "ipv4_addresses",
    "ipv6_addresses", "allowed_operations", "current_operations", "other_config",
  ]),
  network: fields("network", [
    "uuid", "name_label", "name_description", "bridge", "MTU", "PIFs", "VIFs", "tags", "other_config", "managed", "current_operations",
  ]),
  PIF: fields("PIF", [
    "uuid", "device", "host", "network", "MAC", "MTU", "VLAN", "IP", "netmask", "gateway", "DNS", "ip_configuration_mode",
    "IPv6", "ipv6_configuration_mode", "primary_address_type", "management", "physical", "currently_attached", "metrics",
  ]),
  console: fields("console", ["uuid", "protocol", "location", "VM"]),
  task: fields("task", [
    "uuid", "name_label", "name_description", "status", "progress", "created", "finished", "result", "error_info",
    "resident_on", "subtask_of", "other_config", "allowed_operations", "current_operations",
  ]),
  message: fields("message", ["uuid", "name", "priority", "cls", "obj_uuid", "timestamp", "body"]),
} as const satisfies { [C in CachedClass]: readonly (keyof CachedClassRecords[C] & string)[] };

/** An immutable cached record: the kept fields of the class, as decoded (`Ref` strings, numbers, Dates). */
export type CachedRecord<C extends CachedClass> = Readonly<
  Pick<CachedClassRecords[C], Extract<(typeof CACHED_FIELDS)[C][number], keyof CachedClassRecords[C]>>
>;

export const CACHED_CLASSES = Object.keys(CACHED_FIELDS) as CachedClass[];
