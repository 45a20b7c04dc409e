/**
 * VM read models: the rows of the VM list (every ordinary VM the user may view, across pools) and the VM page.
 *
 * Speed at 10,000 VMs: rows are built from the live cache once per pool cache version, and a VM whose records
 * did not change keeps its row object (so `vm-query.ts`'s memoised search keys stay valid). Per request, only
 * the ACL filter runs, and not even that for pools the user may view as a whole.
 */
import "server-only";
import { can, type Grant, type Securable } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import { VM_OPERATION_IDS, VM_OPERATIONS, unavailableReason, vmOperationContext, type VmOperationId } from "@/lib/vm/operations";
import { locateVm, type LocatedVm } from "@/lib/pools/locate";
import type { PoolConnection, XapiObject } from "@/lib/xapi";
import { canViewWholePool, seesNothing } from "@/lib/access/pool-shortcuts";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { hostSecurable, poolSecurable, srSecurable, vbdSecurable, vdiSecurable, vifSecurable, vmSecurable } from "@/lib/access/securables";
import { srLabel } from "@/lib/pools/names";
import { guestAddresses, isOrdinaryVm, osName, primaryIp, vmMemoryBytes, vmVcpus } from "@/lib/vm/fields";
import { operationInProgress } from "@/lib/vm/operation-words";
import { memoPerObject, VersionedMemo } from "@/lib/memo";
import type { PowerState, VmRow } from "./vm-query";

/** What XAPI is doing to the VM now, in words (the first of its current operations). */
function busyWords(vm: XapiObject<"VM">): string | null {
  const operation = Object.values(vm.current_operations)[0];
  return operation === undefined ? null : operationInProgress(operation);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* List rows                                                                                                     */
/* ------------------------------------------------------------------------------------------------------------ */

interface PoolVmIndex {
  rows: VmRow[];
  /** `securables[i]` is the Securable of `rows[i]`. */
  securables: Securable[];
}

/** A row and the Securable of its VM. */
interface RowSource {
  row: VmRow;
  securable: Securable;
}

/**
 * Per pool connection, at the cache version and the pool's label, status and uuid: everything the rows are
 * built from (the records are frozen and replaced on change, and any change moves the cache version).
 */
const indexes = VersionedMemo.weak<PoolConnection, PoolVmIndex>();
/**
 * Per VM record (frozen: a change of the VM is a new record), at the identity of the other records the row reads
 * (host, guest metrics, metrics: frozen too) and the pool's label, status and uuid: a VM whose records did not
 * change keeps its row object.
 */
const rowSources = VersionedMemo.weak<XapiObject<"VM">, RowSource>();

function rowSource(view: PoolView, connection: PoolConnection, vm: XapiObject<"VM">): RowSource {
  const cache = connection.cache;
  const host = cache.get("host", vm.resident_on);
  const guest = cache.get("VM_guest_metrics", vm.guest_metrics);
  const metrics = cache.get("VM_metrics", vm.metrics);
  return rowSources.get(vm, [host, guest, metrics, view.label, view.stale, view.uuid], () => ({
    row: buildRow(view, vm, host, guest, metrics),
    securable: vmSecurable(view.uuid, cache, vm),
  }));
}

function buildRow(
  view: PoolView,
  vm: XapiObject<"VM">,
  host: XapiObject<"host"> | undefined,
  guest: XapiObject<"VM_guest_metrics"> | undefined,
  metrics: XapiObject<"VM_metrics"> | undefined,
): VmRow {
  return {
    uuid: vm.uuid,
    name: vm.name_label,
    powerState: vm.power_state as PowerState,
    poolId: view.id,
    poolLabel: view.label,
    hostUuid: host?.uuid ?? null,
    hostName: host?.name_label ?? null,
    vcpus: vmVcpus(vm, metrics),
    memoryBytes: vmMemoryBytes(vm, metrics),
    ip: primaryIp(guest),
    os: osName(guest),
    tags: [...vm.tags],
    stale: view.stale,
    busy: busyWords(vm),
  };
}

/** Every ordinary VM of one pool as rows, rebuilt only when the pool's cache, label or status changed. */
function poolVmIndex(view: PoolView, connection: PoolConnection): PoolVmIndex {
  return indexes.get(connection, [connection.cache.version, view.label, view.stale, view.uuid], () => {
    const rows: VmRow[] = [];
    const securables: Securable[] = [];
    for (const vm of connection.cache.list("VM")) {
      if (!isOrdinaryVm(vm)) continue;
      const source = rowSource(view, connection, vm);
      rows.push(source.row);
      securables.push(source.securable);
    }
    return { rows, securables };
  });
}

/** The rows of one pool the user may view. */
function visibleRowsOfPool(user: CurrentUser, view: PoolView): VmRow[] {
  if (!view.connection) return [];
  const index = poolVmIndex(view, view.connection);
  if (canViewWholePool(user, view.uuid)) return index.rows;
  if (seesNothing(user)) return [];
  return index.rows.filter((_, i) => can(user, "vm.view", index.securables[i]!));
}

/**
 * What decides a user's visible rows besides the pools' content: their ACLs. Per grants array: a user's grants
 * are frozen and stay the same array while they do not change (lib/auth/session-user.ts), and a change of rights
 * is a new array, so a new signature at once.
 */
const grantsSignature = memoPerObject((grants: readonly Grant[]) =>
  grants
    .map((grant) => `${grant.objectKind}:${grant.objectUuid}:${grant.role}`)
    .sort()
    .join("|"),
);

const accessSignature = (user: CurrentUser) => (user.isAdmin ? "admin" : grantsSignature(user.grants));

/**
 * The last results by pools and access signature, at the rows arrays they were built from (one per pool: the
 * same array while that pool's content, label and status stay the same), so that the same list array comes back
 * while nothing changed (and `applyVmQuery`'s memoised sort applies). Small: a few dozen different rights at
 * once is a busy console.
 */
const visibleRowsMemo = VersionedMemo.bounded<string, VmRow[]>(64);
const NO_ROWS: readonly VmRow[] = Object.freeze([]);

/** Every ordinary VM the user may view, across pools (unsorted: `applyVmQuery` sorts and pages). */
export async function visibleVmRows(user: CurrentUser, views?: PoolView[]): Promise<VmRow[]> {
  const pools = views ?? (await loadPoolViews());
  const sources = pools.map((view) => (view.connection ? poolVmIndex(view, view.connection).rows : NO_ROWS));
  const signature = `${pools.map((view) => view.id).join(",")}#${accessSignature(user)}`;
  return visibleRowsMemo.get(signature, sources, () => {
    const parts = pools.map((view) => visibleRowsOfPool(user, view));
    return parts.length === 1 ? parts[0]! : parts.flat();
  });
}

/** The pools `rows` come from, per rows array (rows arrays are never changed once handed out). */
export const poolIdsOf = memoPerObject((rows: readonly VmRow[]): ReadonlySet<string> => new Set(rows.map((row) => row.poolId)));

/* ------------------------------------------------------------------------------------------------------------ */
/* What the user may do with a VM                                                                                */
/* ------------------------------------------------------------------------------------------------------------ */

/** One operation the user is allowed to perform, and whether XAPI accepts it now. */
export interface VmOperationState {
  id: VmOperationId;
  label: string;
  /** Null when it can run now; otherwise why not (for the disabled button). */
  unavailableReason: string | null;
  confirm: boolean;
}

/** The operations the user may perform on the VM (others are not offered at all), with XAPI's verdict. */
export function vmOperationStates(user: CurrentUser, located: LocatedVm): VmOperationState[] {
  const { vm, view, securable } = located;
  const context = vmOperationContext(vm, view);
  return VM_OPERATION_IDS.filter((id) => can(user, VM_OPERATIONS[id].permission, securable)).map((id) => ({
    id,
    label: VM_OPERATIONS[id].label,
    unavailableReason: unavailableReason(id, context),
    confirm: VM_OPERATIONS[id].confirm,
  }));
}

/** What the list's bulk bar needs: the operations offered, and per VM which of them apply now (or why not). */
export interface BulkOperations {
  /** Operations the user may perform on at least one of the VMs (others are not shown). */
  offered: VmOperationId[];
  /** Per VM uuid: the offered operations it can undergo now. */
  ready: Record<string, VmOperationId[]>;
  /** Per VM uuid: the offered operations it cannot undergo now, each with why (an index into `reasons`). */
  blocked: Record<string, Partial<Record<VmOperationId, number>>>;
  /** The distinct reasons (a page of VMs mostly shares a few: "The VM is running; only a halted VM can be started"). */
  reasons: string[];
  /** Per VM uuid: its name and power state (to name a skipped VM, and to tell when the list shows an outcome). */
  vms: Record<string, { name: string; powerState: PowerState }>;
}

/** Why an offered operation is skipped on a VM the user may not perform it on (a VM ACL of a lesser role). */
export const NOT_PERMITTED_REASON = "Your role on this VM does not allow it";

/** Operations the list offers (those that need a chosen host are on the VM page only). */
const LIST_OPERATION_IDS = VM_OPERATION_IDS.filter((id) => !VM_OPERATIONS[id].needsHost);

/**
 * Per cached VM record (frozen, replaced when the VM changes), at the pool's status and read-only flag (all
 * `vmOperationContext` reads besides the record): why each list operation cannot run now (null: XAPI accepts
 * it), whoever asks. The list asks for the same 50 VMs on every refresh.
 */
const xapiReasonsMemo = VersionedMemo.weak<XapiObject<"VM">, ReadonlyMap<VmOperationId, string | null>>();

function xapiReasons(vm: XapiObject<"VM">, view: PoolView): ReadonlyMap<VmOperationId, string | null> {
  return xapiReasonsMemo.get(vm, [view.stale, view.readOnly], () => {
    const context = vmOperationContext(vm, view);
    return new Map(LIST_OPERATION_IDS.map((id) => [id, unavailableReason(id, context)]));
  });
}

export async function bulkOperationsFor(user: CurrentUser, rows: readonly VmRow[]): Promise<BulkOperations> {
  const views = await loadPoolViews();
  const byId = new Map(views.map((view) => [view.id, view]));
  const offered = new Set<VmOperationId>();
  const permittedByVm = new Map<string, { permitted: VmOperationId[]; reasons: ReadonlyMap<VmOperationId, string | null> }>();
  for (const row of rows) {
    const view = byId.get(row.poolId);
    const located = view ? locateVm([view], row.uuid) : null;
    if (!located) continue;
    // The same answer as vmOperationStates() restricted to LIST_OPERATION_IDS.
    const permitted = LIST_OPERATION_IDS.filter((id) => can(user, VM_OPERATIONS[id].permission, located.securable));
    for (const id of permitted) offered.add(id);
    permittedByVm.set(row.uuid, { permitted, reasons: xapiReasons(located.vm, located.view) });
  }
  const reasons: string[] = [];
  const reasonIndex = new Map<string, number>();
  const indexOf = (reason: string) => {
    let index = reasonIndex.get(reason);
    if (index === undefined) reasonIndex.set(reason, (index = reasons.push(reason) - 1));
    return index;
  };
  const offeredIds = VM_OPERATION_IDS.filter((id) => offered.has(id));
  const ready: BulkOperations["ready"] = {};
  const blocked: BulkOperations["blocked"] = {};
  const vms: BulkOperations["vms"] = {};
  for (const row of rows) if (permittedByVm.has(row.uuid)) vms[row.uuid] = { name: row.name, powerState: row.powerState };
  for (const [uuid, { permitted, reasons: why }] of permittedByVm) {
    ready[uuid] = [];
    const notNow: Partial<Record<VmOperationId, number>> = {};
    for (const id of offeredIds) {
      const reason = permitted.includes(id) ? (why.get(id) ?? null) : NOT_PERMITTED_REASON;
      if (reason === null) ready[uuid].push(id);
      else notNow[id] = indexOf(reason);
    }
    blocked[uuid] = notNow;
  }
  return { offered: offeredIds, ready, blocked, reasons, vms };
}

/* ------------------------------------------------------------------------------------------------------------ */
/* The VM page                                                                                                   */
/* ------------------------------------------------------------------------------------------------------------ */

export interface VmDiskDto {
  uuid: string;
  /** Position as XAPI numbers it (`userdevice`). */
  position: string;
  device: string;
  type: string;
  mode: string;
  bootable: boolean;
  attached: boolean;
  empty: boolean;
  vdi: { uuid: string; name: string; virtualSize: number; physicalUtilisation: number } | null;
  /** Named with its host when local; `visible`: the user may open its page. */
  sr: { uuid: string; name: string; visible: boolean } | null;
}

export interface VmInterfaceDto {
  uuid: string;
  device: string;
  mac: string;
  mtu: number;
  attached: boolean;
  network: { uuid: string; name: string } | null;
  addresses: string[];
}

export interface VmSnapshotDto {
  uuid: string;
  name: string;
  time: string | null;
}

export interface VmTaskDto {
  /** XAPI's name of the operation (`clean_shutdown`). */
  operation: string;
  /** In words: "Shutting down…". */
  label: string;
  /** 0..1, null when the task is not (yet) in the cache. */
  progress: number | null;
}

export interface VmDetail {
  uuid: string;
  name: string;
  description: string;
  powerState: PowerState;
  stale: boolean;
  /** `visible`: the user may open the pool's page (an ACL on the VM alone does not give it). */
  pool: { id: string; label: string; uuid: string; status: PoolView["status"]; readOnly: boolean; visible: boolean };
  /** Where it runs; `visible` is false when the user may not open the host's page. */
  host: { uuid: string; name: string; visible: boolean } | null;
  vcpus: number;
  vcpusMax: number;
  memoryBytes: number;
  memoryStaticMax: number;
  memoryDynamicMin: number;
  memoryDynamicMax: number;
  os: string | null;
  pvDriversVersion: string | null;
  ips: string[];
  tags: string[];
  domainType: string;
  haAlwaysRun: boolean;
  startTime: string | null;
  installTime: string | null;
  /** Operations running now (from `current_operations`), with their task's progress. */
  tasks: VmTaskDto[];
  /** XAPI's `allowed_operations`, sorted. */
  allowedOperations: string[];
  disks: VmDiskDto[];
  interfaces: VmInterfaceDto[];
  snapshots: VmSnapshotDto[];
  operations: VmOperationState[];
  /** Hosts the user may choose for "start on", when that operation is offered. */
  startOnHosts: { uuid: string; name: string; unavailableReason: string | null }[];
  /** For the "who has access" panel (admins). */
  securable: Securable;
  /** Uuids whose changes concern this page (the live subscriber watches them). */
  related: string[];
}

const iso = (value: Date | null | undefined) => (value instanceof Date && !Number.isNaN(value.getTime()) && value.getTime() > 0 ? value.toISOString() : null);

/**
 * The VM page's data, or null when there is no such ordinary VM or the user may not view it (the page then
 * answers 404 either way, so that existence does not leak).
 */
export async function vmDetail(user: CurrentUser, uuid: string): Promise<VmDetail | null> {
  const located = locateVm(await loadPoolViews(), uuid);
  if (!located || !isOrdinaryVm(located.vm) || !can(user, "vm.view", located.securable)) return null;
  const { view, connection, vm } = located;
  const cache = connection.cache;
  const poolUuid = view.uuid;
  const metrics = cache.get("VM_metrics", vm.metrics);
  const guest = cache.get("VM_guest_metrics", vm.guest_metrics);
  const host = cache.get("host", vm.resident_on);
  const addresses = guestAddresses(guest);

  const disks: VmDiskDto[] = cache
    .vbdsByVm(vm.$ref)
    .filter((vbd) => {
      const securable = vbdSecurable(poolUuid, cache, vbd);
      return securable !== null && can(user, "vbd.view", securable);
    })
    .map((vbd) => {
      const vdi = vbd.empty ? undefined : cache.get("VDI", vbd.VDI);
      const visibleVdi = vdi && can(user, "vdi.view", vdiSecurable(poolUuid, cache, vdi)) ? vdi : undefined;
      const sr = visibleVdi ? cache.get("SR", visibleVdi.SR) : undefined;
      return {
        uuid: vbd.uuid,
        position: vbd.userdevice,
        device: vbd.device,
        type: vbd.type,
        mode: vbd.mode,
        bootable: vbd.bootable,
        attached: vbd.currently_attached,
        empty: vbd.empty,
        vdi: visibleVdi
          ? { uuid: visibleVdi.uuid, name: visibleVdi.name_label, virtualSize: visibleVdi.virtual_size, physicalUtilisation: visibleVdi.physical_utilisation }
          : null,
        sr: sr ? { uuid: sr.uuid, name: srLabel(cache, sr), visible: can(user, "sr.view", srSecurable(poolUuid, sr)) } : null,
      };
    })
    .sort((a, b) => Number(a.position) - Number(b.position) || a.position.localeCompare(b.position));

  const interfaces: VmInterfaceDto[] = cache
    .vifsByVm(vm.$ref)
    .filter((vif) => {
      const securable = vifSecurable(poolUuid, cache, vif);
      return securable !== null && can(user, "vif.view", securable);
    })
    .map((vif) => {
      const network = cache.get("network", vif.network);
      const reported = addresses.get(vif.device) ?? [];
      const configured = [...vif.ipv4_addresses, ...vif.ipv6_addresses].map((address) => address.split("/")[0]!);
      return {
        uuid: vif.uuid,
        device: vif.device,
        mac: vif.MAC,
        mtu: vif.MTU,
        attached: vif.currently_attached,
        network: network ? { uuid: network.uuid, name: network.name_label } : null,
        addresses: [...new Set([...reported, ...configured])],
      };
    })
    .sort((a, b) => Number(a.device) - Number(b.device));

  const snapshots: VmSnapshotDto[] = cache
    .snapshotsByVm(vm.$ref)
    .filter((snapshot) => can(user, "vm.view", vmSecurable(poolUuid, cache, snapshot)))
    .map((snapshot) => ({ uuid: snapshot.uuid, name: snapshot.name_label, time: iso(snapshot.snapshot_time) }))
    .sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));

  const tasks: VmTaskDto[] = Object.entries(vm.current_operations).map(([taskRef, operation]) => {
    const task = cache.get("task", taskRef);
    return { operation, label: operationInProgress(operation), progress: task && task.status === "pending" ? task.progress : null };
  });

  const operations = vmOperationStates(user, located);
  const startOnHosts = operations.some((state) => state.id === "start_on")
    ? cache
        .list("host")
        .filter((candidate) => can(user, "host.view", hostSecurable(poolUuid, candidate)))
        .map((candidate) => ({
          uuid: candidate.uuid,
          name: candidate.name_label,
          unavailableReason: candidate.enabled ? null : "This host is disabled (maintenance mode)",
        }))
        .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
    : [];

  return {
    uuid: vm.uuid,
    name: vm.name_label,
    description: vm.name_description,
    powerState: vm.power_state as PowerState,
    stale: view.stale,
    pool: {
      id: view.id,
      label: view.label,
      uuid: poolUuid,
      status: view.status,
      readOnly: view.readOnly,
      visible: can(user, "pool.view", poolSecurable(poolUuid)),
    },
    host: host ? { uuid: host.uuid, name: host.name_label, visible: can(user, "host.view", hostSecurable(poolUuid, host)) } : null,
    vcpus: vmVcpus(vm, metrics),
    vcpusMax: vm.VCPUs_max,
    memoryBytes: vmMemoryBytes(vm, metrics),
    memoryStaticMax: vm.memory_static_max,
    memoryDynamicMin: vm.memory_dynamic_min,
    memoryDynamicMax: vm.memory_dynamic_max,
    os: osName(guest),
    pvDriversVersion:
      guest && Object.keys(guest.PV_drivers_version).length > 0 ? ["major", "minor", "micro"].map((k) => guest.PV_drivers_version[k] ?? "0").join(".") : null,
    ips: [...new Set([...addresses.values()].flat())],
    tags: [...vm.tags],
    domainType: vm.domain_type,
    haAlwaysRun: vm.ha_always_run,
    startTime: vm.power_state === "Running" || vm.power_state === "Paused" ? iso(metrics?.start_time) : null,
    installTime: iso(metrics?.install_time),
    tasks,
    allowedOperations: [...vm.allowed_operations].sort(),
    disks,
    interfaces,
    snapshots,
    operations,
    startOnHosts,
    securable: located.securable,
    related: [vm.uuid, ...(host ? [host.uuid] : [])],
  };
}
