/**
 * Builds one pool's data set, deterministically from the seed: networks, a shared NFS SR (the default SR),
 * an ISO library, per host a control domain, local storage, PIFs, CPUs and metrics; XCP-ng's default
 * templates; ordinary VMs with varied roles, OSes and sizes in a mix of power states, their disks, CD drives,
 * interfaces and consoles; a few snapshots and alerts. Host memory is sized so that the running VMs fit.
 */
import type {
  HostCpuRecord,
  HostMetricsRecord,
  HostRecord,
  MessageRecord,
  NetworkRecord,
  PbdRecord,
  PifRecord,
  PoolRecord,
  SrRecord,
  VmMetricsRecord,
  VmRecord,
} from "@/lib/xapi/model/records.generated";
import { hostAddress } from "./config";
import { macFromSeed } from "./mac-addresses";
import { createConsole, createGuestMetrics, createVbd, createVdi, createVif, createVm, linkRef, memoryOverhead } from "./objects";
import type { SimPool } from "./pool";
import { Prng } from "./prng";
import { seedExtras } from "./seed-extras";
import { NULL_REF } from "./protocol/xapi-types";
import { ALERTS } from "./alert-catalogue";
import {
  CLOUD_INIT_TAG,
  CLOUD_TEMPLATES,
  CPU_MODELS,
  DEFAULT_TEMPLATES,
  GiB,
  ISO_IMAGES,
  MiB,
  OPERATING_SYSTEMS,
  ROLES,
  TiB,
  type CloudTemplateInfo,
  type OsInfo,
  type Role,
  type TemplateInfo,
} from "./seed-data";
import { randomIds, type StoredObject } from "./store";
import { copyVm } from "./vm-copies";
import { refreshAllowedOperations } from "./vm-rules";
import { markRunning, markStopped, osVersion } from "./vm-state";

export interface SeedOptions {
  seed: number | string;
  hostsPerPool: number;
  vmsPerPool: number;
  baseAddress: string;
}

type Vm = StoredObject<VmRecord>;

const DAY = 24 * 3600 * 1000;
/** A fixed "now" for seeded dates, so that the same seed gives the same records. */
const SEED_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);

export function seedPool(pool: SimPool, options: SeedOptions): void {
  const rng = new Prng(`${options.seed}/pool/${pool.index}`);
  const store = pool.store;
  store.ids = { uuid: () => rng.uuid() };
  const b = new Builder(pool, rng, options);
  b.build();
  seedExtras(pool, options.seed);
  // The control domains' text consoles come from a sequence of their own, so that adding them left every other
  // seeded record (and the tests that name them) as it was.
  const textConsoles = new Prng(`${options.seed}/pool/${pool.index}/vt100`);
  store.ids = { uuid: () => textConsoles.uuid() };
  for (const host of pool.hosts()) {
    const dom0 = store.getOf<VmRecord>("VM", host.rec.control_domain);
    if (dom0) createConsole(pool, dom0, host.ref, "vt100");
  }
  store.ids = randomIds;
}

class Builder {
  private readonly store;
  private networks: StoredObject<NetworkRecord>[] = [];
  private nfs!: StoredObject<SrRecord>;
  private isoSr!: StoredObject<SrRecord>;
  private localSrs: StoredObject<SrRecord>[] = [];
  private hosts: StoredObject<HostRecord>[] = [];
  private isos: string[] = [];
  private names = new Map<string, number>();
  /** Memory the seeded running VMs take on each host. */
  private load = new Map<string, number>();

  constructor(
    private readonly pool: SimPool,
    private readonly rng: Prng,
    private readonly options: SeedOptions,
  ) {
    this.store = pool.store;
  }

  build(): void {
    this.createNetworks();
    this.createSharedStorage();
    for (let h = 0; h < this.options.hostsPerPool; h++) this.createHost(h);
    this.createPool();
    for (const host of this.hosts) this.createControlDomain(host);
    for (const t of DEFAULT_TEMPLATES) this.createTemplate(t);
    for (let i = 0; i < this.options.vmsPerPool; i++) this.createOrdinaryVm(i);
    this.sizeHostMemory();
    this.createAlerts();
    // Added last, so that everything above stays as it was for a given seed.
    this.createBlockStorage();
    for (const t of CLOUD_TEMPLATES) this.createCloudTemplate(t);
  }

  private ago(maxDays: number): Date {
    return new Date(SEED_EPOCH - this.rng.int(1, maxDays * 24) * 3600 * 1000);
  }

  private createNetworks(): void {
    const make = (name: string, bridge: string, description: string, other: Record<string, string> = {}) =>
      this.store.add<NetworkRecord>("network", {
        name_label: name,
        name_description: description,
        bridge,
        MTU: 1500,
        managed: true,
        other_config: other,
        allowed_operations: [],
        current_operations: {},
        tags: [],
        purpose: [],
        default_locking_mode: "unlocked",
      });
    this.networks = [
      make("Pool-wide network associated with eth0", "xenbr0", "Management and VM traffic"),
      make("Pool-wide network associated with eth1", "xenbr1", "Storage and VM traffic"),
      make(
        "Host internal management network",
        "xenapi",
        "Network on which guests will be assigned a private link-local IP address which can be used to talk XenAPI",
        {
          is_guest_installer_network: "true",
          is_host_internal_management_network: "true",
          ip_begin: "169.254.0.1",
          ip_end: "169.254.255.254",
          netmask: "255.255.0.0",
        },
      ),
    ];
  }

  private sr(values: Partial<SrRecord>): StoredObject<SrRecord> {
    return this.store.add<SrRecord>("SR", {
      allowed_operations: [
        "vdi_create",
        "vdi_destroy",
        "vdi_resize",
        "vdi_clone",
        "vdi_snapshot",
        "vdi_mirror",
        "vdi_copy",
        "scan",
        "plug",
        "unplug",
        "update",
        "forget",
        "destroy",
        "pbd_create",
        "pbd_destroy",
      ],
      current_operations: {},
      VDIs: [],
      PBDs: [],
      virtual_allocation: 0,
      physical_utilisation: 0,
      other_config: {},
      sm_config: {},
      tags: [],
      blobs: {},
      ...values,
    });
  }

  private createSharedStorage(): void {
    this.nfs = this.sr({
      name_label: "NFS storage (nas-01)",
      name_description: "NFS SR [nas-01.example.net:/export/xcp-" + this.pool.name + "]",
      type: "nfs",
      content_type: "user",
      shared: true,
      physical_size: 40 * TiB,
      other_config: { auto_scan: "true" },
    });
    this.isoSr = this.sr({
      name_label: "ISO library (nas-01)",
      name_description: "NFS ISO library [nas-01.example.net:/export/iso]",
      type: "iso",
      content_type: "iso",
      shared: true,
      physical_size: 2 * TiB,
      allowed_operations: ["scan", "plug", "unplug", "forget", "pbd_create", "pbd_destroy"],
      sm_config: { iso_type: "nfs_iso" },
    });
    for (const iso of ISO_IMAGES) {
      const vdi = createVdi(this.pool, {
        SR: this.isoSr.ref,
        name_label: iso.name,
        name_description: "",
        virtual_size: iso.size,
        physical_utilisation: iso.size,
        type: "user",
        read_only: true,
        sharable: true,
        allowed_operations: ["destroy", "update", "forget"],
      });
      this.isos.push(vdi.ref);
    }
  }

  private createHost(h: number): void {
    const store = this.store;
    const rng = this.rng;
    const address = hostAddress(this.options.baseAddress, this.pool.index, h);
    const name = `xcp-${this.pool.name}-${String(h + 1).padStart(2, "0")}`;
    const cpu = CPU_MODELS[(this.pool.index + h) % CPU_MODELS.length];
    const sockets = 2;
    const threads = cpu.cores * sockets * 2;
    const metrics = store.add<HostMetricsRecord>("host_metrics", {
      memory_total: 256 * GiB,
      live: true,
      last_updated: new Date(SEED_EPOCH),
      other_config: {},
    });
    const host = store.add<HostRecord>("host", {
      name_label: name,
      name_description: `${cpu.model.includes("AMD") ? "AMD" : "Intel"} server in rack ${String.fromCharCode(65 + this.pool.index)}${h + 1}`,
      hostname: name,
      address,
      enabled: true,
      API_version_major: 2,
      API_version_minor: 21,
      API_version_vendor: "XenSource",
      API_version_vendor_implementation: {},
      software_version: {
        product_version: "8.3.0",
        product_version_text: "8.3",
        product_version_text_short: "8.3",
        platform_name: "XCP",
        platform_version: "3.4.0",
        product_brand: "XCP-ng",
        build_number: "cloud",
        hostname: name,
        date: "2024-10-01",
        dbv: "2024.0904",
        xapi: "24.19",
        xapi_build: "24.19.2",
        xen: "4.17.5-4",
        linux: "4.19.0+1",
        xencenter_min: "2.21",
        xencenter_max: "2.21",
        network_backend: "openvswitch",
        db_schema: "5.786",
      },
      other_config: {
        agent_start_time: `${(SEED_EPOCH - 30 * DAY) / 1000}.`,
        boot_time: `${(SEED_EPOCH - 31 * DAY) / 1000}.`,
        iscsi_iqn: `iqn.2024-10.net.example:${name}`,
      },
      capabilities: ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p", "hvm-3.0-x86_64"],
      cpu_configuration: {},
      sched_policy: "credit",
      supported_bootloaders: ["pygrub", "eliloader"],
      logging: {},
      cpu_info: {
        cpu_count: String(threads),
        socket_count: String(sockets),
        threads_per_core: "2",
        vendor: cpu.vendor,
        speed: cpu.speed.toFixed(3),
        modelname: cpu.model,
        family: String(cpu.family),
        model: String(cpu.modelNo),
        stepping: "1",
        flags:
          "fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl nonstop_tsc cpuid pni pclmulqdq monitor est ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm",
        features_pv:
          "1fc9cbf5-f6f83203-2991cbf5-00000123-00000007-219c07a9-00000000-00000000-00001000-ac000400-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000",
        features_hvm:
          "1fcbfbff-f7fa3223-2d93fbff-00000523-0000000f-219c07a9-00000000-00000000-00001000-bc000400-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000",
      },
      memory_overhead: 600 * MiB,
      metrics: metrics.ref,
      license_params: { sku_type: "xcp-ng", sku_marketing_name: "XCP-ng", expiry: "20380119T03:14:07Z", restrict_vswitch_controller: "false" },
      edition: "xcp-ng",
      license_server: { address: "localhost", port: "27000" },
      bios_strings: {
        "system-manufacturer": cpu.vendor === "AuthenticAMD" ? "Supermicro" : "Dell Inc.",
        "system-product-name": cpu.vendor === "AuthenticAMD" ? "AS-1114S-WN10RT" : "PowerEdge R650",
        "bios-vendor": "American Megatrends",
        "bios-version": "2.6",
        "system-serial-number": rng.uuid().slice(0, 8).toUpperCase(),
      },
      power_on_mode: "",
      power_on_config: {},
      local_cache_sr: NULL_REF,
      chipset_info: { iommu: "true" },
      ssl_legacy: false,
      guest_VCPUs_params: {},
      display: "enabled",
      virtual_hardware_platform_versions: [0, 1, 2],
      control_domain: NULL_REF,
      uefi_certificates: "",
      certificates: [],
      editions: ["xcp-ng"],
      https_only: false,
      tags: [],
      external_auth_type: "",
      external_auth_service_name: "",
      external_auth_configuration: {},
      iscsi_iqn: `iqn.2024-10.net.example:${name}`,
      multipathing: false,
      numa_affinity_policy: "default_policy",
      last_software_update: new Date(SEED_EPOCH - 40 * DAY),
      latest_synced_updates_applied: "unknown",
      timezone: "UTC",
      ntp_mode: "Factory",
      allowed_operations: ["provision", "evacuate", "shutdown", "reboot", "vm_start", "vm_resume", "vm_migrate"],
      current_operations: {},
      blobs: {},
    });
    this.pool.hostRefs.push(host.ref);
    this.hosts.push(host);
    for (let i = 0; i < threads; i++) {
      const c = store.add<HostCpuRecord>("host_cpu", {
        host: host.ref,
        number: i,
        vendor: cpu.vendor,
        speed: cpu.speed,
        modelname: cpu.model,
        family: cpu.family,
        model: cpu.modelNo,
        stepping: "1",
        flags: "fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2 ht syscall nx lm",
        features: "",
        utilisation: 0,
        other_config: {},
      });
      host.rec.host_CPUs.push(c.ref);
    }
    // Network interfaces: eth0 carries the management address, eth1 has no IP.
    this.networks.slice(0, 2).forEach((network, i) => {
      const pif = store.add<PifRecord>("PIF", {
        device: `eth${i}`,
        network: network.ref,
        host: host.ref,
        MAC: rng.mac(),
        MTU: 1500,
        VLAN: -1,
        physical: true,
        currently_attached: true,
        ip_configuration_mode: i === 0 ? "Static" : "None",
        IP: i === 0 ? address : "",
        netmask: i === 0 ? "255.0.0.0" : "",
        gateway: i === 0 ? "127.0.0.1" : "",
        DNS: i === 0 ? "127.0.0.53" : "",
        management: i === 0,
        other_config: {},
        properties: { gro: "on" },
        capabilities: ["fcoe"],
        primary_address_type: "IPv4",
        managed: true,
        igmp_snooping_status: "disabled",
      });
      host.rec.PIFs.push(pif.ref);
      linkRef(store, network, "PIFs", pif.ref);
    });
    const local = this.sr({
      name_label: "Local storage",
      name_description: `Local storage on ${name}`,
      type: "ext",
      content_type: "user",
      shared: false,
      physical_size: rng.pick([TiB, 2 * TiB, 4 * TiB]),
      other_config: { "i18n-key": "local-storage", "i18n-original-value-name_label": "Local storage" },
    });
    this.localSrs.push(local);
    host.rec.crash_dump_sr = local.ref;
    host.rec.suspend_image_sr = local.ref;
    for (const sr of [local, this.nfs, this.isoSr]) {
      const device_config: Record<string, string> =
        sr === local
          ? { device: "/dev/sda3" }
          : sr === this.nfs
            ? { server: "nas-01.example.net", serverpath: `/export/xcp-${this.pool.name}`, nfsversion: "4.1" }
            : { location: "nas-01.example.net:/export/iso", type: "nfs_iso" };
      const pbd = store.add<PbdRecord>("PBD", {
        host: host.ref,
        SR: sr.ref,
        device_config,
        currently_attached: true,
        other_config: { storage_driver_domain: NULL_REF },
      });
      host.rec.PBDs.push(pbd.ref);
      linkRef(store, sr, "PBDs", pbd.ref);
    }
    store.touch(host);
  }

  private createPool(): void {
    const master = this.hosts[0];
    const pool = this.store.add<PoolRecord>("pool", {
      name_label: this.pool.name,
      name_description: `${this.pool.name[0].toUpperCase()}${this.pool.name.slice(1)} pool`,
      master: master.ref,
      default_SR: this.nfs.ref,
      suspend_image_SR: this.nfs.ref,
      crash_dump_SR: this.nfs.ref,
      other_config: { auto_poweron: "false", memory_ratio_hvm: "0.25", memory_ratio_pv: "0.25" },
      ha_enabled: false,
      ha_configuration: {},
      ha_statefiles: [],
      gui_config: {},
      health_check_config: {},
      wlb_url: "",
      wlb_username: "",
      wlb_enabled: false,
      wlb_verify_cert: false,
      redo_log_enabled: false,
      vswitch_controller: "",
      restrictions: { restrict_vswitch_controller: "false", restrict_lab: "false", restrict_pooling: "false", restrict_hotfix_apply: "false" },
      tags: [],
      license_server: { address: "localhost", port: "27000" },
      cpu_info: { cpu_count: master.rec.cpu_info.cpu_count, socket_count: master.rec.cpu_info.socket_count, vendor: master.rec.cpu_info.vendor },
      policy_no_vendor_device: false,
      live_patching_disabled: false,
      igmp_snooping_enabled: false,
      uefi_certificates: "",
      is_psr_pending: false,
      tls_verification_enabled: true,
      repositories: [],
      client_certificate_auth_enabled: false,
      client_certificate_auth_name: "",
      repository_proxy_url: "",
      repository_proxy_username: "",
      migration_compression: false,
      coordinator_bias: true,
      allowed_operations: [],
      current_operations: {},
      blobs: {},
      metadata_VDIs: [],
      ha_cluster_stack: "xhad",
      ha_host_failures_to_tolerate: 0,
      ha_plan_exists_for: 0,
      ha_allow_overcommit: false,
      ha_overcommitted: false,
    });
    this.pool.poolRef = pool.ref;
  }

  private createControlDomain(host: StoredObject<HostRecord>): void {
    const store = this.store;
    const memory = 8 * GiB;
    const vcpus = 16;
    const dom0 = createVm(this.pool, {
      vm: {
        name_label: `Control domain on host: ${host.rec.name_label}`,
        name_description: "The domain which manages physical devices and manages other domains",
        user_version: 1,
        is_control_domain: true,
        power_state: "Running",
        resident_on: host.ref,
        domid: 0,
        memory_overhead: 0,
        memory_target: memory,
        memory_static_max: memory,
        memory_dynamic_max: memory,
        memory_dynamic_min: memory,
        memory_static_min: memory,
        VCPUs_max: vcpus,
        VCPUs_at_startup: vcpus,
        actions_after_shutdown: "destroy",
        actions_after_reboot: "destroy",
        actions_after_crash: "destroy",
        other_config: { storage_driver_domain: NULL_REF, is_system_domain: "true", perfmon: "" },
        domain_type: "pv",
      },
      metrics: { memory_actual: memory, VCPUs_number: vcpus, start_time: new Date(SEED_EPOCH - 30 * DAY), hvm: false, current_domain_type: "pv" },
    });
    linkRef(store, host, "resident_VMs", dom0.ref);
    store.update(host, { control_domain: dom0.ref });
    createConsole(this.pool, dom0, host.ref);
    refreshAllowedOperations(this.pool, dom0);
  }

  private createTemplate(t: TemplateInfo): void {
    const reference = t.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/-+$/, "");
    const vm = createVm(this.pool, {
      vm: {
        name_label: t.name,
        name_description: t.windows
          ? "Clones of this template will automatically provision their storage when first booted and then reconfigure themselves with the optimal settings for the guest OS."
          : "To use this template from the CLI, install your VM using vm-install, then set other-config-install-repository to the path to your network repository, e.g. http://<server>/<path> or nfs:server:/<path>",
        user_version: 1,
        is_a_template: true,
        is_default_template: true,
        ...this.memory(t.memory, t.vcpus),
        VCPUs_max: t.vcpus,
        VCPUs_at_startup: t.vcpus,
        actions_after_shutdown: "destroy",
        actions_after_reboot: "restart",
        actions_after_crash: "restart",
        HVM_boot_policy: "BIOS order",
        HVM_boot_params: { order: "cdn", firmware: t.uefi ? "uefi" : "bios" },
        platform: this.platform(t.windows),
        other_config: {
          default_template: "true",
          disks: `<provision><disk device="0" size="${t.disk}" sr="" bootable="true" type="system"/></provision>`,
          "install-methods": t.windows ? "cdrom" : "cdrom,nfs,http,ftp",
          ...(t.windows ? {} : { linux_template: "true" }),
        },
        recommendations: `<restrictions><restriction field="memory-static-max" max="${t.windows ? 1.5 * TiB : 6 * TiB}" /><restriction field="vcpus-max" max="${t.windows ? 64 : 128}" /><restriction property="number-of-vbds" max="255" /><restriction property="number-of-vifs" max="7" /><restriction field="has-vendor-device" value="${t.windows}" /></restrictions>`,
        reference_label: reference,
        has_vendor_device: t.windows,
        domain_type: "hvm",
      },
    });
    // VM.create gives every VM a mac_seed; derived here without drawing from the data set's generator.
    this.store.update(vm, { other_config: { ...vm.rec.other_config, mac_seed: new Prng(`${vm.uuid}/mac_seed`).uuid() } });
    refreshAllowedOperations(this.pool, vm);
  }

  private memory(bytes: number, vcpus: number): Partial<VmRecord> {
    return {
      memory_overhead: memoryOverhead(bytes, vcpus),
      memory_target: bytes,
      memory_static_max: bytes,
      memory_dynamic_max: bytes,
      memory_dynamic_min: bytes,
      memory_static_min: Math.min(bytes, 512 * MiB),
    };
  }

  /** Default templates set no CPU topology; VMs get one (`cores_per_socket`) as XO writes it. */
  private platform(windows: boolean, coresPerSocket?: number): Record<string, string> {
    const platform: Record<string, string> = {
      timeoffset: "0",
      "device-model": "qemu-upstream-compat",
      videoram: "8",
      hpet: "true",
      secureboot: "false",
      vga: "std",
      apic: "true",
      viridian: windows ? "true" : "false",
      nx: "true",
      acpi: "1",
      pae: "true",
    };
    if (coresPerSocket !== undefined) platform["cores-per-socket"] = String(coresPerSocket);
    return platform;
  }

  private uniqueName(prefix: string): string {
    const n = (this.names.get(prefix) ?? 0) + 1;
    this.names.set(prefix, n);
    return `${prefix}-${String(n).padStart(2, "0")}`;
  }

  private createOrdinaryVm(index: number): void {
    const rng = this.rng;
    const role = rng.weighted(ROLES.map((r) => [r, r.weight] as const));
    const os = OPERATING_SYSTEMS[rng.weighted(role.os)];
    const memory = rng.weighted(role.memory);
    const vcpus = rng.weighted(role.vcpus);
    const name = this.uniqueName(role.prefix);
    const onLocal = this.hosts.length > 1 && rng.chance(0.15);
    const localHost = onLocal ? rng.int(0, this.hosts.length - 1) : -1;
    const sr = onLocal ? this.localSrs[localHost].ref : this.nfs.ref;
    const state = rng.weighted([
      ["Running", 70],
      ["Halted", 22],
      ["Suspended", 5],
      ["Paused", 3],
    ] as const);
    const vm = createVm(this.pool, {
      vm: {
        name_label: name,
        name_description: role.description,
        user_version: 1,
        ...this.memory(memory, vcpus),
        VCPUs_max: vcpus,
        VCPUs_at_startup: vcpus,
        actions_after_shutdown: "destroy",
        actions_after_reboot: "restart",
        actions_after_crash: "restart",
        HVM_boot_policy: "BIOS order",
        HVM_boot_params: { order: "cd", firmware: os.windows ? "uefi" : "bios" },
        platform: this.platform(os.windows, vcpus >= 4 ? vcpus / 2 : vcpus),
        other_config: { base_template_name: os.template, mac_seed: rng.uuid(), "install-methods": "cdrom", ...(os.windows ? {} : { linux_template: "true" }) },
        tags: this.tags(role),
        bios_strings: {
          "bios-vendor": "Xen",
          "system-manufacturer": "Xen",
          "system-product-name": "HVM domU",
          "hp-rombios": "",
          "oem-1": "Xen",
          "oem-2": "MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d",
        },
        has_vendor_device: os.windows,
        domain_type: "hvm",
        reference_label: "",
      },
      metrics: { install_time: this.ago(700) },
    });
    this.createDevices(vm, role, os, sr, index);
    if (state === "Halted") {
      // Most halted VMs ran before: the guest agent's last report (without addresses) stays.
      if (rng.chance(0.8)) {
        const gm = createGuestMetrics(this.pool, osVersion(os), {});
        this.store.update(gm, { live: false });
        this.store.update(vm, { guest_metrics: gm.ref });
      }
      refreshAllowedOperations(this.pool, vm);
    } else if (state === "Suspended") {
      this.start(vm, localHost, false);
      markStopped(this.pool, vm, "Suspended");
    } else {
      this.start(vm, localHost, state === "Paused");
    }
    if (rng.chance(0.06)) this.createSnapshots(vm);
  }

  private tags(role: Role): string[] {
    const tags = role.tags.filter(() => this.rng.chance(0.6));
    if (this.rng.chance(0.1)) tags.push("critical");
    return tags;
  }

  private createDevices(vm: Vm, role: Role, os: OsInfo, sr: string, index: number): void {
    const rng = this.rng;
    const disks = [rng.pick(role.system), ...role.data.filter(() => rng.chance(0.5)).slice(0, 2)];
    disks.forEach((size, i) => {
      const vdi = createVdi(this.pool, {
        SR: sr,
        name_label: i === 0 ? `${vm.rec.name_label} system` : `${vm.rec.name_label} data ${i}`,
        name_description: i === 0 ? `System disk of ${vm.rec.name_label} (${os.name.split("|")[0]})` : "Data disk",
        virtual_size: size,
        type: i === 0 ? "system" : "user",
        other_config: {},
      });
      createVbd(this.pool, vm, vdi.ref, { userdevice: String(i === 0 ? 0 : i + (i >= 3 ? 1 : 0)), bootable: i === 0, type: "Disk", mode: "RW" });
    });
    const iso = rng.chance(0.15) ? rng.pick(this.isos) : NULL_REF;
    createVbd(this.pool, vm, iso, { userdevice: "3", bootable: false, type: "CD", mode: "RO", empty: iso === NULL_REF });
    createVif(this.pool, vm, this.networks[0].ref, "0", rng.mac());
    if (rng.chance(0.25 + (index % 7 === 0 ? 0.2 : 0))) createVif(this.pool, vm, this.networks[1].ref, "1", rng.mac());
  }

  /** Starts a seeded VM on the least loaded host it can use. */
  private start(vm: Vm, localHost: number, paused: boolean): void {
    const hostIndex = localHost >= 0 ? localHost : this.leastLoaded();
    const host = this.hosts[hostIndex];
    this.load.set(host.ref, (this.load.get(host.ref) ?? 0) + vm.rec.memory_static_max + vm.rec.memory_overhead);
    markRunning(this.pool, vm, host.ref, paused);
    const metrics = this.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
    if (metrics) this.store.update(metrics, { start_time: this.ago(90) });
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.hosts.length; i++) {
      if ((this.load.get(this.hosts[i].ref) ?? 0) < (this.load.get(this.hosts[best].ref) ?? 0)) best = i;
    }
    return best;
  }

  private createSnapshots(vm: Vm): void {
    const count = this.rng.int(1, 2);
    for (let i = 0; i < count; i++) {
      const label = this.rng.pick(["before-upgrade", "pre-patch", "nightly", "before-migration", "known-good"]);
      const snap = copyVm(this.pool, vm, { kind: "snapshot", name: `${vm.rec.name_label} (${label})` });
      this.store.update(snap, { snapshot_time: this.ago(60) });
    }
    refreshAllowedOperations(this.pool, vm);
  }

  /** Hosts get realistic memory sizes, bigger when many VMs run on them. */
  private sizeHostMemory(): void {
    for (const host of this.hosts) {
      const dom0 = 8 * GiB + host.rec.memory_overhead;
      const needed = (this.load.get(host.ref) ?? 0) + dom0;
      const realistic = this.rng.pick([256, 384, 512, 768]) * GiB;
      const total = Math.max(realistic, Math.ceil((needed * 1.3) / (128 * GiB)) * 128 * GiB);
      const metrics = this.store.getOf<HostMetricsRecord>("host_metrics", host.rec.metrics);
      if (metrics) this.store.update(metrics, { memory_total: total });
    }
  }

  /** A shared iSCSI LUN formatted as LVM: thick-provisioned, so its free space limits new disks. */
  private createBlockStorage(): void {
    const san = this.sr({
      name_label: "iSCSI SAN (lun-01)",
      name_description: "iSCSI SR [san-01.example.net (iqn.2024-01.net.example:san-01; LUN 1)]",
      type: "lvmoiscsi",
      content_type: "user",
      shared: true,
      physical_size: TiB,
      sm_config: { allocation: "thick", use_vhd: "true", devserial: "scsi-36001405a1b2c3d4e5f60718293a4b5c6" },
      other_config: { auto_scan: "false" },
    });
    for (const host of this.hosts) {
      const pbd = this.store.add<PbdRecord>("PBD", {
        host: host.ref,
        SR: san.ref,
        device_config: { target: "10.0.0.20", targetIQN: "iqn.2024-01.net.example:san-01", SCSIid: "36001405a1b2c3d4e5f60718293a4b5c6", port: "3260" },
        currently_attached: true,
        other_config: { storage_driver_domain: NULL_REF },
      });
      linkRef(this.store, host, "PBDs", pbd.ref);
      linkRef(this.store, san, "PBDs", pbd.ref);
    }
  }

  /** A template prepared for cloud-init: a halted VM made into a template, with its disk and interface. */
  private createCloudTemplate(t: CloudTemplateInfo): void {
    const macSeed = this.rng.uuid();
    const vm = createVm(this.pool, {
      vm: {
        name_label: t.name,
        name_description: t.description,
        user_version: 1,
        is_a_template: true,
        ...this.memory(t.memory, t.vcpus),
        VCPUs_max: t.vcpus,
        VCPUs_at_startup: t.vcpus,
        actions_after_shutdown: "destroy",
        actions_after_reboot: "restart",
        actions_after_crash: "restart",
        HVM_boot_policy: "BIOS order",
        HVM_boot_params: { order: "cd", firmware: "bios" },
        platform: this.platform(false, t.coresPerSocket),
        other_config: { base_template_name: t.base, mac_seed: macSeed, ...t.otherConfig },
        tags: [CLOUD_INIT_TAG],
        domain_type: "hvm",
        reference_label: "",
      },
      metrics: { install_time: this.ago(120) },
    });
    const disk = createVdi(this.pool, {
      SR: this.nfs.ref,
      name_label: `${t.name} system`,
      name_description: "Cloud image system disk",
      virtual_size: t.disk,
      physical_utilisation: Math.round(t.disk / 8),
      type: "system",
      other_config: {},
    });
    createVbd(this.pool, vm, disk.ref, { userdevice: "0", bootable: true, type: "Disk", mode: "RW", other_config: { owner: "" } });
    if (t.cdDrive) createVbd(this.pool, vm, NULL_REF, { userdevice: "3", bootable: false, type: "CD", mode: "RO", empty: true });
    createVif(this.pool, vm, this.networks[0].ref, "0", macFromSeed(0, macSeed));
    refreshAllowedOperations(this.pool, vm);
  }

  private createAlerts(): void {
    const vms = [...this.store.all<VmRecord>("VM")].filter((v) => !v.rec.is_a_template && !v.rec.is_control_domain);
    const count = this.rng.int(5, 12);
    for (let i = 0; i < count; i++) {
      const alert = this.rng.pick(ALERTS);
      const target: StoredObject<{ name_label: string }> =
        alert.cls === "VM"
          ? this.rng.pick(vms.length ? vms : [...this.store.all<VmRecord>("VM")])
          : alert.cls === "Host"
            ? this.rng.pick(this.hosts)
            : alert.cls === "SR"
              ? this.nfs
              : this.pool.pool;
      const timestamp = this.ago(14);
      this.store.add<MessageRecord>("message", {
        name: alert.name,
        priority: alert.priority,
        cls: alert.cls,
        obj_uuid: target.uuid,
        timestamp,
        body: alert.body(this.rng.next(), { name: target.rec.name_label, pool: this.pool.name, at: timestamp }),
      });
    }
  }
}
