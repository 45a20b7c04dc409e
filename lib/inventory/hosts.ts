/**
 * Host read models: the hosts list (every host the user may view, across pools) and the host page.
 */
import "server-only";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { PoolCache, PoolConnection, XapiObject } from "@/lib/xapi";
import { canViewWholePool, seesNothing } from "@/lib/access/pool-shortcuts";
import { locateHost } from "@/lib/pools/locate";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { hostSecurable, pifSecurable, srSecurable, vmSecurable } from "@/lib/access/securables";
import { srDto, type SrDto } from "./storage";
import { hostActivity, inMaintenanceMode } from "@/lib/hosts/host-state";
import { isOrdinaryVm, osName, primaryIp, vmMemoryBytes } from "@/lib/vm/fields";
import { VersionedMemo } from "@/lib/memo";
import type { PowerState } from "./vm-query";

export interface HostRow {
  uuid: string;
  name: string;
  poolId: string;
  poolLabel: string;
  address: string;
  enabled: boolean;
  /** Disabled and marked for maintenance (lib/hosts/host-state.ts). */
  maintenance: boolean;
  /** What it is doing now ("Rebooting", "Evacuating"), if notable. */
  activity: string | null;
  /** The host's metrics say it is alive (false when unknown). */
  live: boolean;
  isMaster: boolean;
  memoryTotal: number;
  /** VMs' memory (control domain included) plus the host's own overhead. */
  memoryUsed: number;
  cpuCount: number;
  cpuModel: string | null;
  /** Ordinary VMs resident on the host (all of them: a fact about the host). */
  residentVmCount: number;
  stale: boolean;
}

/**
 * Rows per host record (frozen, replaced when the host changes), at the pool cache's version (each row sums its
 * resident VMs' memory: any change of them moves it) and the pool's label and status.
 */
const hostRows = VersionedMemo.weak<XapiObject<"host">, HostRow>();

function hostRow(view: PoolView, cache: PoolCache, host: XapiObject<"host">): HostRow {
  return hostRows.get(host, [cache.version, view.label, view.stale], () => buildHostRow(view, cache, host));
}

function buildHostRow(view: PoolView, cache: PoolCache, host: XapiObject<"host">): HostRow {
  const metrics = cache.get("host_metrics", host.metrics);
  let used = host.memory_overhead;
  let residentVmCount = 0;
  for (const vm of cache.vmsByHost(host.$ref)) {
    used += vmMemoryBytes(vm, cache.get("VM_metrics", vm.metrics));
    if (isOrdinaryVm(vm)) residentVmCount++;
  }
  return {
    uuid: host.uuid,
    name: host.name_label,
    poolId: view.id,
    poolLabel: view.label,
    address: host.address,
    enabled: host.enabled,
    maintenance: inMaintenanceMode(host),
    activity: hostActivity(cache, host),
    live: metrics?.live ?? false,
    isMaster: cache.pool()?.master === host.$ref,
    memoryTotal: metrics?.memory_total ?? 0,
    memoryUsed: used,
    cpuCount: Number(host.cpu_info.cpu_count) || 0,
    cpuModel: host.cpu_info.modelname || null,
    residentVmCount,
    stale: view.stale,
  };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, undefined, { numeric: true });

function visibleHostsOf(user: CurrentUser, view: PoolView, connection: PoolConnection): XapiObject<"host">[] {
  const hosts = connection.cache.list("host");
  if (canViewWholePool(user, view.uuid)) return [...hosts];
  if (seesNothing(user)) return [];
  return hosts.filter((host) => can(user, "host.view", hostSecurable(view.uuid, host)));
}

/** Every host the user may view, by pool then name. */
export async function visibleHosts(user: CurrentUser, views?: PoolView[]): Promise<HostRow[]> {
  const rows: HostRow[] = [];
  for (const view of views ?? (await loadPoolViews())) {
    if (!view.connection) continue;
    const cache = view.connection.cache;
    rows.push(
      ...visibleHostsOf(user, view, view.connection)
        .map((host) => hostRow(view, cache, host))
        .sort(byName),
    );
  }
  return rows;
}

export interface HostVmDto {
  uuid: string;
  name: string;
  powerState: PowerState;
  memoryBytes: number;
  vcpus: number;
  ip: string | null;
  os: string | null;
}

export interface HostDetail extends HostRow {
  hostname: string;
  description: string;
  productVersion: string | null;
  productBrand: string | null;
  xenVersion: string | null;
  apiVersion: string;
  socketCount: number;
  pool: { id: string; label: string; status: PoolView["status"] };
  /** The resident VMs the user may view. */
  vms: HostVmDto[];
  interfaces: { uuid: string; device: string; ip: string; mac: string; network: string | null; management: boolean; attached: boolean }[];
  storage: (SrDto & { attached: boolean })[];
  securable: ReturnType<typeof hostSecurable>;
}

/** The host page's data; null when there is no such host or the user may not view it. */
export async function hostDetail(user: CurrentUser, uuid: string): Promise<HostDetail | null> {
  const located = locateHost(await loadPoolViews(), uuid);
  if (!located) return null;
  const { view, connection, host, securable } = located;
  const cache = connection.cache;
  if (!can(user, "host.view", securable)) return null;
  const vms: HostVmDto[] = cache
    .vmsByHost(host.$ref)
    .filter((vm) => isOrdinaryVm(vm) && can(user, "vm.view", vmSecurable(view.uuid, cache, vm)))
    .map((vm) => {
      const metrics = cache.get("VM_metrics", vm.metrics);
      const guest = cache.get("VM_guest_metrics", vm.guest_metrics);
      return {
        uuid: vm.uuid,
        name: vm.name_label,
        powerState: vm.power_state as PowerState,
        memoryBytes: vmMemoryBytes(vm, metrics),
        vcpus: vm.VCPUs_at_startup,
        ip: primaryIp(guest),
        os: osName(guest),
      };
    })
    .sort(byName);
  const interfaces = cache
    .pifsByHost(host.$ref)
    .filter((pif) => can(user, "pif.view", pifSecurable(view.uuid, cache, pif)))
    .map((pif) => ({
      uuid: pif.uuid,
      device: pif.device,
      ip: pif.IP,
      mac: pif.MAC,
      network: cache.get("network", pif.network)?.name_label ?? null,
      management: pif.management,
      attached: pif.currently_attached,
    }))
    .sort((a, b) => a.device.localeCompare(b.device, undefined, { numeric: true }));
  const storage = cache
    .pbdsByHost(host.$ref)
    .flatMap((pbd) => {
      const sr = cache.get("SR", pbd.SR);
      if (!sr || !can(user, "sr.view", srSecurable(view.uuid, sr))) return [];
      return [{ ...srDto(cache, sr), attached: pbd.currently_attached }];
    })
    .sort(byName);
  return {
    ...hostRow(view, cache, host),
    hostname: host.hostname,
    description: host.name_description,
    productVersion: host.software_version.product_version ?? null,
    productBrand: host.software_version.product_brand ?? host.software_version.platform_name ?? null,
    xenVersion: host.software_version.xen ?? null,
    apiVersion: `${host.API_version_major}.${host.API_version_minor}`,
    socketCount: Number(host.cpu_info.socket_count) || 0,
    pool: { id: view.id, label: view.label, status: view.status },
    vms,
    interfaces,
    storage,
    securable,
  };
}
