/**
 * The VM page's management read model: which management operations the user may perform on the VM and on each
 * of its snapshots (others are not offered at all), whether XAPI accepts them now, and what their dialogs
 * offer: hosts to migrate to, SRs to copy into, what a delete removes. Also what a delete removes for the
 * runner (`deletionPlan`), so that the dialog and the action agree.
 */
import "server-only";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import { operationUnavailableReason } from "@/lib/vm/operations";
import { deletionPlan, SNAPSHOT_MANAGEMENT_IDS, VM_MANAGEMENT, VM_MANAGEMENT_IDS, type VmManagementId } from "@/lib/vm/management";
import { loadPoolViews } from "@/lib/pools/views";
import { hostSecurable, srSecurable, vmSecurable } from "@/lib/access/securables";
import { isOrdinaryVm } from "@/lib/vm/fields";
import { locateVm } from "@/lib/pools/locate";
import { srLabel } from "@/lib/pools/names";
import { vmOperationContext } from "@/lib/vm/operations";

/** One management operation the user may perform, and why it cannot run now (null: it can). */
export interface ManagementOperationState {
  id: VmManagementId;
  label: string;
  unavailableReason: string | null;
}

export interface VmManagementView {
  /** Operations on the VM itself, in catalogue order. */
  operations: ManagementOperationState[];
  /** Per snapshot uuid: the operations offered on it (revert, delete). */
  snapshotOperations: Record<string, ManagementOperationState[]>;
  /**
   * Hosts to migrate to (only when migrate is offered): the pool's other hosts the user may view. The dialog asks
   * the pool which of them can run the VM when it opens (`vmPlacement`); disabled hosts are known at once.
   */
  migrationHosts: { uuid: string; name: string; unavailableReason: string | null }[];
  /** SRs to copy into (only when copy is offered). */
  copyTargets: { uuid: string; name: string; freeBytes: number; isDefault: boolean }[];
  /** What a delete removes (only when delete is offered). */
  deletion: { disks: { uuid: string; name: string; sizeBytes: number }[]; snapshots: number } | null;
}

/** The pool's disk graph, as `ownDisks` reads it. */
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { numeric: true });

/** The VM page's management data, or null when the VM is unknown or invisible to the user (the page 404s). */
export async function vmManagementView(user: CurrentUser, uuid: string): Promise<VmManagementView | null> {
  const located = locateVm(await loadPoolViews(), uuid);
  if (!located || !isOrdinaryVm(located.vm) || !can(user, "vm.view", located.securable)) return null;
  const { vm, view, connection, securable } = located;
  const cache = connection.cache;
  const poolUuid = view.uuid;

  const context = vmOperationContext(vm, view);
  const operations = VM_MANAGEMENT_IDS.filter((id) => !(SNAPSHOT_MANAGEMENT_IDS as readonly string[]).includes(id))
    .filter((id) => can(user, VM_MANAGEMENT[id].permission, securable))
    .map((id) => ({ id, label: VM_MANAGEMENT[id].label, unavailableReason: operationUnavailableReason(VM_MANAGEMENT[id], context) }));
  const offered = (id: VmManagementId) => operations.some((state) => state.id === id);

  const snapshotOperations: VmManagementView["snapshotOperations"] = {};
  for (const snapshot of cache.snapshotsByVm(vm.$ref)) {
    const target = vmSecurable(poolUuid, cache, snapshot);
    if (!can(user, "vm.view", target)) continue;
    const snapshotContext = vmOperationContext(snapshot, view);
    snapshotOperations[snapshot.uuid] = SNAPSHOT_MANAGEMENT_IDS.filter((id) => can(user, VM_MANAGEMENT[id].permission, target)).map((id) => ({
      id,
      label: VM_MANAGEMENT[id].label,
      unavailableReason: operationUnavailableReason(VM_MANAGEMENT[id], snapshotContext),
    }));
  }

  const migrationHosts = offered("migrate")
    ? cache
        .list("host")
        .filter((host) => host.$ref !== vm.resident_on && can(user, "host.view", hostSecurable(poolUuid, host)))
        .map((host) => ({ uuid: host.uuid, name: host.name_label, unavailableReason: host.enabled ? null : "This host is disabled (maintenance mode)" }))
        .sort(byName)
    : [];

  const defaultSr = cache.pool()?.default_SR;
  const copyTargets = offered("copy")
    ? cache
        .list("SR")
        .filter((sr) => sr.content_type !== "iso" && cache.pbdsBySr(sr.$ref).length > 0 && can(user, "sr.view", srSecurable(poolUuid, sr)))
        .map((sr) => ({
          uuid: sr.uuid,
          name: srLabel(cache, sr),
          freeBytes: Math.max(0, sr.physical_size - sr.physical_utilisation),
          isDefault: sr.$ref === defaultSr,
        }))
        .sort(byName)
    : [];

  const deletion = offered("delete")
    ? {
        disks: deletionPlan(connection, vm.$ref, false)
          .disks.map((ref) => cache.get("VDI", ref))
          .filter((vdi) => vdi !== undefined)
          .map((vdi) => ({ uuid: vdi.uuid, name: vdi.name_label, sizeBytes: vdi.virtual_size })),
        snapshots: cache.snapshotsByVm(vm.$ref).length,
      }
    : null;

  return { operations, snapshotOperations, migrationHosts, copyTargets, deletion };
}
