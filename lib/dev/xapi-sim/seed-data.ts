/**
 * The catalogues the data set is drawn from: pool names, operating systems, VM roles with their usual sizes,
 * XCP-ng's default templates, CPU models and ISO images (alerts: alert-catalogue.ts). Plain data, no logic.
 */
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const TiB = 1024 ** 4;

export { GiB, MiB, TiB };

/** Pool 1 is "lab", pool 2 "production"... so that tests and demos can search `pool:lab`. */
export const POOL_NAMES = ["lab", "production", "staging", "dev", "dr-site", "edge", "backup", "qa", "research", "branch-office"];

export function poolName(index: number): string {
  return POOL_NAMES[index] ?? `pool-${index + 1}`;
}

export interface OsInfo {
  /** Name of the default template it is installed from. */
  template: string;
  /** `os_version.name` as the guest agent reports it. */
  name: string;
  distro: string;
  major: string;
  minor: string;
  uname?: string;
  windows: boolean;
}

export const OPERATING_SYSTEMS: Record<string, OsInfo> = {
  debian12: { template: "Debian Bookworm 12", name: "Debian GNU/Linux 12 (bookworm)", distro: "debian", major: "12", minor: "7", uname: "6.1.0-26-amd64", windows: false },
  debian11: { template: "Debian Bullseye 11", name: "Debian GNU/Linux 11 (bullseye)", distro: "debian", major: "11", minor: "11", uname: "5.10.0-32-amd64", windows: false },
  ubuntu2204: { template: "Ubuntu Jammy Jellyfish 22.04", name: "Ubuntu 22.04.5 LTS", distro: "ubuntu", major: "22", minor: "04", uname: "5.15.0-122-generic", windows: false },
  ubuntu2404: { template: "Ubuntu Noble Numbat 24.04", name: "Ubuntu 24.04.1 LTS", distro: "ubuntu", major: "24", minor: "04", uname: "6.8.0-45-generic", windows: false },
  rocky9: { template: "Rocky Linux 9", name: "Rocky Linux 9.4 (Blue Onyx)", distro: "rocky", major: "9", minor: "4", uname: "5.14.0-427.13.1.el9_4.x86_64", windows: false },
  alma9: { template: "AlmaLinux 9", name: "AlmaLinux 9.4 (Seafoam Ocelot)", distro: "almalinux", major: "9", minor: "4", uname: "5.14.0-427.18.1.el9_4.x86_64", windows: false },
  rhel9: { template: "Red Hat Enterprise Linux 9", name: "Red Hat Enterprise Linux 9.4 (Plow)", distro: "rhel", major: "9", minor: "4", uname: "5.14.0-427.20.1.el9_4.x86_64", windows: false },
  alpine: { template: "Other install media", name: "Alpine Linux v3.20", distro: "alpine", major: "3", minor: "20", uname: "6.6.49-0-virt", windows: false },
  win2019: { template: "Windows Server 2019 (64-bit)", name: "Microsoft Windows Server 2019 Standard|C:\\Windows|\\Device\\Harddisk0\\Partition2", distro: "windows", major: "10", minor: "0", windows: true },
  win2022: { template: "Windows Server 2022 (64-bit)", name: "Microsoft Windows Server 2022 Datacenter|C:\\Windows|\\Device\\Harddisk0\\Partition2", distro: "windows", major: "10", minor: "0", windows: true },
  win11: { template: "Windows 11", name: "Microsoft Windows 11 Pro|C:\\Windows|\\Device\\Harddisk0\\Partition3", distro: "windows", major: "10", minor: "0", windows: true },
};

export interface Role {
  prefix: string;
  description: string;
  os: readonly (readonly [keyof typeof OPERATING_SYSTEMS, number])[];
  memory: readonly (readonly [number, number])[];
  vcpus: readonly (readonly [number, number])[];
  /** Disk sizes in bytes: the system disk, then optional data disks. */
  system: readonly number[];
  data: readonly number[];
  weight: number;
  tags: readonly string[];
}

const LINUX = [["debian12", 5], ["ubuntu2404", 3], ["ubuntu2204", 3], ["rocky9", 2], ["alma9", 1], ["debian11", 1]] as const;
const WINDOWS = [["win2022", 3], ["win2019", 2]] as const;
const SMALL = [[512 * MiB, 1], [GiB, 3], [2 * GiB, 4], [4 * GiB, 2]] as const;
const MEDIUM = [[2 * GiB, 2], [4 * GiB, 4], [8 * GiB, 3], [16 * GiB, 1]] as const;
const LARGE = [[8 * GiB, 2], [16 * GiB, 3], [32 * GiB, 2]] as const;

export const ROLES: readonly Role[] = [
  { prefix: "web", description: "Public web front-end", os: LINUX, memory: SMALL, vcpus: [[1, 1], [2, 3], [4, 1]], system: [10 * GiB, 20 * GiB], data: [], weight: 10, tags: ["web"] },
  { prefix: "api", description: "REST API backend", os: LINUX, memory: MEDIUM, vcpus: [[2, 3], [4, 2]], system: [20 * GiB, 32 * GiB], data: [], weight: 6, tags: ["backend"] },
  { prefix: "app", description: "Application server", os: LINUX, memory: MEDIUM, vcpus: [[2, 2], [4, 3], [8, 1]], system: [20 * GiB, 50 * GiB], data: [100 * GiB], weight: 7, tags: ["backend"] },
  { prefix: "db", description: "PostgreSQL database", os: [["debian12", 3], ["rocky9", 2], ["rhel9", 1]], memory: LARGE, vcpus: [[4, 2], [8, 3], [16, 1]], system: [32 * GiB], data: [200 * GiB, 500 * GiB, TiB, 2 * TiB], weight: 5, tags: ["database", "backup"] },
  { prefix: "mysql", description: "MySQL database", os: [["ubuntu2204", 2], ["debian12", 1]], memory: LARGE, vcpus: [[4, 2], [8, 2]], system: [32 * GiB], data: [200 * GiB, 500 * GiB], weight: 2, tags: ["database", "backup"] },
  { prefix: "redis", description: "Redis cache", os: LINUX, memory: MEDIUM, vcpus: [[2, 2], [4, 1]], system: [16 * GiB], data: [], weight: 3, tags: ["cache"] },
  { prefix: "k8s-node", description: "Kubernetes worker", os: [["ubuntu2404", 3], ["ubuntu2204", 2], ["rocky9", 1]], memory: LARGE, vcpus: [[4, 1], [8, 3], [16, 1]], system: [64 * GiB, 100 * GiB], data: [200 * GiB], weight: 9, tags: ["k8s"] },
  { prefix: "k8s-cp", description: "Kubernetes control plane", os: [["ubuntu2404", 1]], memory: MEDIUM, vcpus: [[2, 1], [4, 2]], system: [50 * GiB], data: [], weight: 2, tags: ["k8s"] },
  { prefix: "ci-runner", description: "CI runner", os: [["ubuntu2404", 2], ["debian12", 1]], memory: MEDIUM, vcpus: [[4, 2], [8, 2]], system: [100 * GiB], data: [], weight: 5, tags: ["ci"] },
  { prefix: "mail", description: "Mail relay (Postfix)", os: [["debian12", 2], ["debian11", 1]], memory: SMALL, vcpus: [[1, 1], [2, 2]], system: [20 * GiB], data: [100 * GiB], weight: 2, tags: ["mail"] },
  { prefix: "proxy", description: "HAProxy load balancer", os: [["debian12", 2], ["alpine", 1]], memory: SMALL, vcpus: [[1, 1], [2, 2]], system: [8 * GiB, 10 * GiB], data: [], weight: 3, tags: ["network"] },
  { prefix: "dns", description: "Internal DNS resolver", os: [["debian12", 1], ["alpine", 1]], memory: [[512 * MiB, 1], [GiB, 1]], vcpus: [[1, 1]], system: [8 * GiB], data: [], weight: 2, tags: ["network"] },
  { prefix: "monitoring", description: "Prometheus and Grafana", os: LINUX, memory: MEDIUM, vcpus: [[2, 1], [4, 1]], system: [32 * GiB], data: [500 * GiB], weight: 2, tags: ["ops"] },
  { prefix: "log", description: "Log collector (Loki)", os: LINUX, memory: MEDIUM, vcpus: [[2, 1], [4, 1]], system: [32 * GiB], data: [TiB], weight: 2, tags: ["ops"] },
  { prefix: "git", description: "GitLab", os: [["ubuntu2204", 1]], memory: LARGE, vcpus: [[4, 1], [8, 1]], system: [50 * GiB], data: [500 * GiB], weight: 1, tags: ["dev"] },
  { prefix: "vpn", description: "WireGuard gateway", os: [["alpine", 1], ["debian12", 1]], memory: [[512 * MiB, 1], [GiB, 1]], vcpus: [[1, 1]], system: [8 * GiB], data: [], weight: 1, tags: ["network"] },
  { prefix: "backup", description: "Backup repository", os: [["debian12", 1], ["rocky9", 1]], memory: MEDIUM, vcpus: [[2, 1], [4, 1]], system: [32 * GiB], data: [TiB, 2 * TiB], weight: 1, tags: ["backup"] },
  { prefix: "dc", description: "Active Directory domain controller", os: WINDOWS, memory: [[4 * GiB, 2], [8 * GiB, 1]], vcpus: [[2, 2], [4, 1]], system: [64 * GiB], data: [], weight: 2, tags: ["windows", "ad"] },
  { prefix: "sql", description: "Microsoft SQL Server", os: WINDOWS, memory: LARGE, vcpus: [[4, 1], [8, 2]], system: [100 * GiB], data: [500 * GiB, TiB], weight: 2, tags: ["windows", "database"] },
  { prefix: "rds", description: "Remote desktop session host", os: [["win2022", 2], ["win2019", 1]], memory: LARGE, vcpus: [[4, 1], [8, 1]], system: [128 * GiB], data: [], weight: 2, tags: ["windows"] },
  { prefix: "files", description: "File server", os: WINDOWS, memory: MEDIUM, vcpus: [[2, 1], [4, 1]], system: [64 * GiB], data: [TiB, 2 * TiB], weight: 1, tags: ["windows", "backup"] },
  { prefix: "desktop", description: "Developer desktop", os: [["win11", 2], ["ubuntu2404", 1]], memory: MEDIUM, vcpus: [[2, 1], [4, 2]], system: [128 * GiB], data: [], weight: 1, tags: ["dev"] },
];

export interface TemplateInfo {
  name: string;
  windows: boolean;
  /** Memory and disk the template proposes. */
  memory: number;
  disk: number;
  vcpus: number;
  uefi?: boolean;
}

/** A realistic set of XCP-ng 8.3 default templates. */
export const DEFAULT_TEMPLATES: readonly TemplateInfo[] = [
  { name: "AlmaLinux 8", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "AlmaLinux 9", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "CentOS Stream 8", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "CentOS Stream 9", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "Debian Bookworm 12", windows: false, memory: GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Debian Bullseye 11", windows: false, memory: GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Debian Buster 10", windows: false, memory: GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Generic Linux BIOS", windows: false, memory: GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Generic Linux UEFI", windows: false, memory: GiB, disk: 10 * GiB, vcpus: 1, uefi: true },
  { name: "Oracle Linux 8", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "Oracle Linux 9", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "Other install media", windows: false, memory: GiB, disk: 8 * GiB, vcpus: 1 },
  { name: "Red Hat Enterprise Linux 8", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "Red Hat Enterprise Linux 9", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "Rocky Linux 8", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "Rocky Linux 9", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 2 },
  { name: "SUSE Linux Enterprise Server 15 (64-bit)", windows: false, memory: 2 * GiB, disk: 16 * GiB, vcpus: 2 },
  { name: "Ubuntu Focal Fossa 20.04", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Ubuntu Jammy Jellyfish 22.04", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Ubuntu Noble Numbat 24.04", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Windows 10 (64-bit)", windows: true, memory: 4 * GiB, disk: 32 * GiB, vcpus: 2 },
  { name: "Windows 11", windows: true, memory: 4 * GiB, disk: 64 * GiB, vcpus: 2, uefi: true },
  { name: "Windows Server 2016 (64-bit)", windows: true, memory: 4 * GiB, disk: 32 * GiB, vcpus: 2 },
  { name: "Windows Server 2019 (64-bit)", windows: true, memory: 4 * GiB, disk: 32 * GiB, vcpus: 2 },
  { name: "Windows Server 2022 (64-bit)", windows: true, memory: 4 * GiB, disk: 32 * GiB, vcpus: 2, uefi: true },
  { name: "Windows Server 2025 (64-bit)", windows: true, memory: 4 * GiB, disk: 32 * GiB, vcpus: 2, uefi: true },
  { name: "Gooroom Platform 2.0", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "NeoKylin Linux Server 7", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "Scientific Linux 7", windows: false, memory: 2 * GiB, disk: 10 * GiB, vcpus: 1 },
  { name: "SUSE Linux Enterprise Desktop 15 (64-bit)", windows: false, memory: 2 * GiB, disk: 16 * GiB, vcpus: 2 },
];

export const CPU_MODELS = [
  { vendor: "GenuineIntel", model: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", speed: 2000, family: 6, modelNo: 106, cores: 32 },
  { vendor: "GenuineIntel", model: "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", speed: 2400, family: 6, modelNo: 106, cores: 16 },
  { vendor: "AuthenticAMD", model: "AMD EPYC 7443P 24-Core Processor", speed: 2850, family: 25, modelNo: 1, cores: 24 },
  { vendor: "AuthenticAMD", model: "AMD EPYC 9354 32-Core Processor", speed: 3250, family: 25, modelNo: 17, cores: 32 },
] as const;

/**
 * Templates made for cloud-init (a guest that reads a NoCloud config drive on first boot): one from XO Hub, one
 * an admin converted from a prepared VM. Both carry the tag `cloud-init` and a real system disk (no
 * `other_config.disks` to provision).
 */
export interface CloudTemplateInfo {
  name: string;
  description: string;
  /** The default template it was installed from (`other_config.base_template_name`). */
  base: string;
  memory: number;
  vcpus: number;
  disk: number;
  /** `other_config` beyond base_template_name and mac_seed. */
  otherConfig: Record<string, string>;
  /** An empty CD drive on device 3. */
  cdDrive: boolean;
  /** `platform:cores-per-socket` (set by whoever prepared it), if any. */
  coresPerSocket?: number;
}

export const CLOUD_TEMPLATES: readonly CloudTemplateInfo[] = [
  {
    name: "Debian 12 Cloud-init (Hub)",
    description: "Debian 12 (Bookworm) cloud image with cloud-init, from XO Hub",
    base: "Debian Bookworm 12",
    memory: 2 * GiB,
    vcpus: 2,
    disk: 20 * GiB,
    otherConfig: { "xo:resource:namespace": "debian-12-cloud-init", "xo:resource:xva:version": "1.1.0", linux_template: "true" },
    cdDrive: false,
  },
  {
    name: "Ubuntu 24.04 Cloud-init",
    description: "Ubuntu 24.04 LTS cloud image with cloud-init and the guest agent",
    base: "Ubuntu Noble Numbat 24.04",
    memory: 2 * GiB,
    vcpus: 2,
    disk: 16 * GiB,
    otherConfig: { linux_template: "true", "install-methods": "cdrom" },
    cdDrive: true,
    coresPerSocket: 2,
  },
];

export const CLOUD_INIT_TAG = "cloud-init";

export const ISO_IMAGES = [
  { name: "debian-12.7.0-amd64-netinst.iso", size: 661651456 },
  { name: "ubuntu-24.04.1-live-server-amd64.iso", size: 2773874688 },
  { name: "ubuntu-22.04.5-live-server-amd64.iso", size: 2136926208 },
  { name: "Rocky-9.4-x86_64-minimal.iso", size: 1881145344 },
  { name: "alpine-virt-3.20.3-x86_64.iso", size: 65011712 },
  { name: "SERVER_EVAL_x64FRE_en-us.iso", size: 5303478272 },
  { name: "guest-tools.iso", size: 46583808 },
];
