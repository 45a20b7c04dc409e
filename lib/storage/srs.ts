/**
 * Storage read models: the SRs the user may view across pools (type, shared or the host a local SR belongs to,
 * size, used, allocated, disks, attachment), and an SR's page: its disks with the VMs using them, its PBDs per
 * host and whether they are plugged, and whether the user may rescan it. PBDs' `device_config` is never shown
 * (it may hold storage credentials).
 */
import "server-only";
import { can, type Securable } from "@/lib/access/can";
import { canViewWholePool, seesNothing } from "@/lib/access/pool-shortcuts";
import { hostSecurable, srSecurable, vdiSecurable, vmSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { srHost, srLabel } from "@/lib/pools/names";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import type { PoolCache, XapiObject } from "@/lib/xapi";

export interface SrRow {
  uuid: string;
  /** "Local storage on xcp-lab-02" for a host's local SR. */
  name: string;
  type: string;
  contentType: string;
  shared: boolean;
  /** The host a local SR belongs to (linked when the user may view it). */
  host: { uuid: string; name: string; visible: boolean } | null;
  pool: { id: string; label: string };
  size: number;
  used: number;
  /** Sum of its disks' virtual sizes (thin provisioning may exceed the size). */
  allocated: number;
  diskCount: number;
  pbds: { attached: number; total: number };
  isDefault: boolean;
  scanning: boolean;
  stale: boolean;
}

export interface SrDiskVm {
  uuid: string;
  name: string;
  /** The VM page (for a snapshot: its VM's page), when it is an ordinary VM. */
  href: string | null;
  snapshot: boolean;
}

export interface SrDisk {
  uuid: string;
  name: string;
  description: string;
  type: string;
  virtualSize: number;
  used: number;
  snapshot: boolean;
  readOnly: boolean;
  /** The VMs using it that the user may view, and how many others. */
  vms: SrDiskVm[];
  hiddenVms: number;
}

export interface SrDetail extends SrRow {
  description: string;
  tags: string[];
  disks: SrDisk[];
  pbds: SrRow["pbds"] & { list: { uuid: string; host: { uuid: string; name: string; visible: boolean } | null; attached: boolean }[] };
  /** Null: the user may not rescan it. */
  scan: { unavailableReason: string | null } | null;
  securable: Securable;
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { numeric: true });

function hostRef(user: CurrentUser, view: PoolView, host: XapiObject<"host"> | null | undefined) {
  return host ? { uuid: host.uuid, name: host.name_label, visible: can(user, "host.view", hostSecurable(view.uuid, host)) } : null;
}

function srRow(user: CurrentUser, view: PoolView, cache: PoolCache, sr: XapiObject<"SR">): SrRow {
  const pbds = cache.pbdsBySr(sr.$ref);
  return {
    uuid: sr.uuid,
    name: srLabel(cache, sr),
    type: sr.type,
    contentType: sr.content_type,
    shared: sr.shared,
    host: hostRef(user, view, srHost(cache, sr)),
    pool: { id: view.id, label: view.label },
    size: sr.physical_size,
    used: sr.physical_utilisation,
    allocated: sr.virtual_allocation,
    diskCount: cache.vdisBySr(sr.$ref).length,
    pbds: { attached: pbds.filter((pbd) => pbd.currently_attached).length, total: pbds.length },
    isDefault: cache.pool()?.default_SR === sr.$ref,
    scanning: Object.values(sr.current_operations).includes("scan"),
    stale: view.stale,
  };
}

function visibleSrsOf(user: CurrentUser, view: PoolView, cache: PoolCache): XapiObject<"SR">[] {
  const srs = cache.list("SR");
  if (canViewWholePool(user, view.uuid)) return [...srs];
  if (seesNothing(user)) return [];
  return srs.filter((sr) => can(user, "sr.view", srSecurable(view.uuid, sr)));
}

/** Every SR the user may view, by pool then name. */
export async function visibleSrs(user: CurrentUser, views?: PoolView[]): Promise<SrRow[]> {
  const rows: SrRow[] = [];
  for (const view of views ?? (await loadPoolViews())) {
    const cache = view.connection?.cache;
    if (!cache) continue;
    rows.push(
      ...visibleSrsOf(user, view, cache)
        .map((sr) => srRow(user, view, cache, sr))
        .sort(byName),
    );
  }
  return rows;
}

/** The VMs (and snapshots) using a disk, as the user may see them. */
function diskVms(user: CurrentUser, view: PoolView, cache: PoolCache, vdi: XapiObject<"VDI">): { vms: SrDiskVm[]; hidden: number } {
  const vms: SrDiskVm[] = [];
  let hidden = 0;
  const seen = new Set<string>();
  for (const vbd of cache.vbdsByVdi(vdi.$ref)) {
    const vm = cache.get("VM", vbd.VM);
    if (!vm || seen.has(vm.$ref)) continue;
    seen.add(vm.$ref);
    if (!can(user, "vm.view", vmSecurable(view.uuid, cache, vm))) {
      hidden++;
      continue;
    }
    const parent = vm.is_a_snapshot ? cache.get("VM", vm.snapshot_of) : undefined;
    const page = parent ?? vm;
    vms.push({ uuid: vm.uuid, name: vm.name_label, href: isOrdinaryVm(page) ? `/vms/${page.uuid}` : null, snapshot: vm.is_a_snapshot });
  }
  return { vms: vms.sort(byName), hidden };
}

/** The SR page's data; null when there is no such SR or the user may not view it. */
export async function srDetail(user: CurrentUser, uuid: string): Promise<SrDetail | null> {
  if (typeof uuid !== "string" || uuid.length > 100) return null;
  for (const view of await loadPoolViews()) {
    const cache = view.connection?.cache;
    const sr = cache?.getByUuid("SR", uuid);
    if (!cache || !sr) continue;
    const securable = srSecurable(view.uuid, sr);
    if (!can(user, "sr.view", securable)) return null;
    const row = srRow(user, view, cache, sr);
    const disks: SrDisk[] = cache
      .vdisBySr(sr.$ref)
      .filter((vdi) => can(user, "vdi.view", vdiSecurable(view.uuid, cache, vdi)))
      .map((vdi) => {
        const { vms, hidden } = diskVms(user, view, cache, vdi);
        return {
          uuid: vdi.uuid,
          name: vdi.name_label,
          description: vdi.name_description,
          type: vdi.type,
          virtualSize: vdi.virtual_size,
          used: vdi.physical_utilisation,
          snapshot: vdi.is_a_snapshot,
          readOnly: vdi.read_only,
          vms,
          hiddenVms: hidden,
        };
      })
      .sort(byName);
    const pbds = cache
      .pbdsBySr(sr.$ref)
      .map((pbd) => ({ uuid: pbd.uuid, host: hostRef(user, view, cache.get("host", pbd.host)), attached: pbd.currently_attached }))
      .sort((a, b) => (a.host?.name ?? "").localeCompare(b.host?.name ?? "", undefined, { numeric: true }));
    const scanReason = view.readOnly
      ? "The pool is registered read-only"
      : view.stale
        ? "The pool is not connected"
        : row.scanning
          ? "A rescan is already running"
          : row.pbds.attached === 0
            ? "The SR is not attached to any host"
            : !sr.allowed_operations.includes("scan")
              ? "XAPI does not allow it now"
              : null;
    return {
      ...row,
      description: sr.name_description,
      tags: [...sr.tags],
      disks,
      pbds: { ...row.pbds, list: pbds },
      scan: can(user, "sr.scan", securable) ? { unavailableReason: scanReason } : null,
      securable,
    };
  }
  return null;
}
