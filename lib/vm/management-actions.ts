/**
 * The VM management action (snapshot, clone, copy, migrate, edit, delete; revert to and delete a snapshot): the
 * server side of the VM page's management buttons and snapshot list. The pipeline authorizes on the VM (or the
 * snapshot) as the live cache describes it; here are what each operation adds: its destination (host, SR, checked
 * against the user's rights too), its XAPI calls, and its message.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { hostSecurable, srSecurable } from "@/lib/access/securables";
import { refNamer } from "@/lib/pools/names";
import { defineAction, FollowUpError, type ActionContext } from "@/lib/actions/define";
import { failure, refusal, type ActionResult } from "@/lib/result";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { LocatedVm } from "@/lib/pools/locate";
import { XapiError } from "@/lib/xapi";
import { HOST_NOT_FOUND } from "./lifecycle-actions";
import { isSnapshot, locateVmFor, SNAPSHOT_NOT_FOUND, VM_NOT_FOUND } from "./locate";
import {
  cloneParams,
  confirmsName,
  copyParams,
  deletionPlan,
  isSnapshotOperation,
  poolMigrateParams,
  snapshotParams,
  VM_MANAGEMENT,
  vmManagementInputSchema,
  type ParsedVmManagementInput,
  type VmManagementId,
} from "./management";

export const SR_NOT_FOUND = "Choose a storage repository of this VM's pool that you have access to.";

type NamedObject = { uuid: string; name: string };

export type VmManagementResult = ActionResult<{
  operation: VmManagementId;
  vm: NamedObject;
  message: string;
  /** The new VM or snapshot (snapshot, clone, copy). */
  created?: NamedObject;
}>;

const named = (vm: { uuid: string; name_label: string }): NamedObject => ({ uuid: vm.uuid, name: vm.name_label });

/** The audit parameters of a request: what the user asked for, without the typed confirmation. */
function auditParams(input: ParsedVmManagementInput): Record<string, unknown> {
  const { operation } = input;
  switch (input.operation) {
    case "snapshot":
    case "clone":
      return { operation, name: input.name };
    case "copy":
      return { operation, name: input.name, sr: input.sr || null };
    case "migrate":
      return { operation, host: input.host };
    case "edit":
      return { operation, name: input.name, description: input.description };
    default:
      return { operation };
  }
}

const objectUuid = (input: ParsedVmManagementInput) => ("snapshot" in input ? input.snapshot : input.vm);

export const vmManagement = defineAction({
  name: "vm.management",
  input: vmManagementInputSchema,
  authorize: {
    action: (input) => VM_MANAGEMENT[input.operation].permission,
    locate: (input) => (isSnapshotOperation(input.operation) ? locateVmFor(objectUuid(input), isSnapshot) : locateVmFor(objectUuid(input))),
    notFound: (input) => (isSnapshotOperation(input.operation) ? SNAPSHOT_NOT_FOUND : VM_NOT_FOUND),
    requestedUuid: objectUuid,
  },
  auditParams,
  describe: ({ input, target }) => ({
    action: VM_MANAGEMENT[input.operation].verb,
    objectName: target.vm.name_label,
    nameOf: refNamer(target.connection.cache),
  }),
  run: runManagement,
});

async function runManagement(context: ActionContext<ParsedVmManagementInput, LocatedVm>): Promise<VmManagementResult> {
  const { actor, input, target: located, task } = context;
  const { connection, vm } = located;
  const target = named(vm);
  const done = (message: string, created?: NamedObject | null): VmManagementResult => ({
    ok: true,
    operation: input.operation,
    vm: target,
    message,
    ...(created ? { created } : {}),
  });

  /** An operation whose task returns a new VM (snapshot, clone, copy): the answer names it. */
  const creating = async (method: string, params: unknown[], message: (made: NamedObject) => string) => {
    const ref = await connection.callAsync<string>(method, params, task);
    // callAsync waited for the cache to catch up: the new VM is in it (unless it vanished meanwhile).
    const made = connection.cache.get("VM", ref);
    return done(message(made ? named(made) : { uuid: "", name: "the new VM" }), made ? named(made) : null);
  };

  switch (input.operation) {
    case "snapshot":
      return creating("VM.snapshot", snapshotParams(vm.$ref, input.name), (made) => `Snapshot “${made.name}” of ${target.name} taken`);
    case "clone":
      return creating("VM.clone", cloneParams(vm.$ref, input.name), (made) => `${target.name} cloned as “${made.name}”`);
    case "copy": {
      const srRef = input.sr ? visibleSrRef(actor, located, input.sr) : null;
      if (srRef === undefined) return refusal("SR_NOT_FOUND", SR_NOT_FOUND, { sr: [SR_NOT_FOUND] });
      return creating("VM.copy", copyParams(vm.$ref, input.name, srRef), (made) => `${target.name} copied as “${made.name}”`);
    }
    case "migrate": {
      const host = connection.cache.getByUuid("host", input.host);
      if (!host || !can(actor, "host.view", hostSecurable(located.view.uuid, host))) {
        return refusal("HOST_NOT_FOUND", HOST_NOT_FOUND, { host: [HOST_NOT_FOUND] });
      }
      await connection.callAsync("VM.pool_migrate", poolMigrateParams(vm.$ref, host.$ref), task);
      return done(`${target.name} migrated to ${host.name_label}`);
    }
    case "edit": {
      // Field setters have no `Async.` form in XAPI: plain calls, only for the fields that changed.
      const { name, description } = input;
      if (name === vm.name_label && description === vm.name_description) return done(`Nothing to change on ${name}`);
      if (name !== vm.name_label) await connection.client.call("VM.set_name_label", vm.$ref, name);
      if (description !== vm.name_description) await connection.client.call("VM.set_name_description", vm.$ref, description);
      await connection.catchUp();
      return done(`${name} saved`);
    }
    case "delete": {
      // After authorization, so that the answer tells nobody else whether the name matched.
      if (!confirmsName(input.confirmName, target.name)) {
        const message = `Type the VM's name exactly as shown (${target.name}) to confirm`;
        return failure(message, { confirmName: [message] }, "CONFIRMATION_MISMATCH");
      }
      await deleting(context, `${target.name} was deleted`, true);
      return done(`${target.name} was deleted`);
    }
    case "revert": {
      const vmName = connection.cache.get("VM", vm.snapshot_of)?.name_label ?? "The VM";
      await connection.callAsync("VM.revert", [vm.$ref], task);
      return done(`${vmName} reverted to “${target.name}”`);
    }
    case "delete_snapshot":
      await deleting(context, `Snapshot “${target.name}” was deleted`, false);
      return done(`Snapshot “${target.name}” was deleted`);
  }
}

/** The SR's ref when it is in the VM's pool and visible to `actor`; undefined otherwise (one answer for both). */
function visibleSrRef(actor: CurrentUser, located: LocatedVm, srUuid: string): string | undefined {
  const sr = located.connection.cache.getByUuid("SR", srUuid);
  if (!sr || sr.content_type === "iso" || !can(actor, "sr.view", srSecurable(located.view.uuid, sr))) return undefined;
  return sr.$ref;
}

/**
 * Deletes like Xen Orchestra: the VM first (nothing is lost if XAPI refuses), then its snapshots, then the disks
 * that were only theirs. The disks are chosen before the VM goes (its VBDs go with it), and named in the audit
 * entry (by uuid: refs mean nothing to a reader).
 */
async function deleting(context: ActionContext<ParsedVmManagementInput, LocatedVm>, done: string, withSnapshots: boolean): Promise<void> {
  const { connection, vm } = context.target;
  const { snapshots, disks } = deletionPlan(connection, vm.$ref, withSnapshots);
  const uuidOf = (cls: "VM" | "VDI", ref: string) => connection.cache.get(cls, ref)?.uuid ?? ref;
  context.params.disks = disks.map((ref) => uuidOf("VDI", ref));
  if (withSnapshots) context.params.snapshots = snapshots.map((ref) => uuidOf("VM", ref));
  // XAPI would destroy a suspended VM too, with its disks still attached: XenDeck deletes halted VMs only.
  if (withSnapshots && vm.power_state !== "Halted") throw new XapiError("VM_BAD_POWER_STATE", [vm.$ref, "halted", vm.power_state.toLowerCase()]);
  await connection.callAsync("VM.destroy", [vm.$ref], context.task);
  const leftovers: unknown[] = [];
  for (const ref of snapshots) await connection.callAsync("VM.destroy", [ref], context.task).catch((error: unknown) => leftovers.push(error));
  for (const ref of disks) await connection.callAsync("VDI.destroy", [ref], context.task).catch((error: unknown) => leftovers.push(error));
  if (leftovers.length > 0) {
    const total = snapshots.length + disks.length;
    throw new FollowUpError(`${done}, but ${leftovers.length} of its ${total} snapshots and disks could not be removed`, leftovers[0]);
  }
}
