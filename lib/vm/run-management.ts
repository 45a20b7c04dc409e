/**
 * Running VM management operations for a user (snapshot, clone, copy, migrate, edit, delete, revert, delete a
 * snapshot): the server side of the VM page's management buttons and snapshot list. The same steps as the
 * lifecycle operations (run-vm-operation.ts: authorize on the cached object, audit every refusal and outcome
 * with the task and XAPI's error code, errors in words); here are the parts each operation adds: its
 * destination (host, SR), its XAPI calls, and its message.
 */
import "server-only";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import { hostSecurable, srSecurable } from "@/lib/access/securables";
import { deletionPlan } from "@/lib/inventory/vm-management";
import type { LocatedVm } from "@/lib/inventory/vms";
import { XapiError, type CallAsyncOptions } from "@/lib/xapi";
import { auditVmRefusal, authorizeVmAction, FollowUpError, HOST_NOT_FOUND, runAudited, type RunOptions, type VmAuditContext } from "./run-operation";
import {
  cloneParams,
  confirmsName,
  copyParams,
  fieldErrorsOf,
  isSnapshotOperation,
  poolMigrateParams,
  snapshotParams,
  VM_MANAGEMENT,
  vmManagementInputSchema,
  type ParsedVmManagementInput,
  type VmManagementId,
} from "./management";

export const SNAPSHOT_NOT_FOUND = "This snapshot does not exist, or you do not have access to it.";
export const SR_NOT_FOUND = "Choose a storage repository of this VM's pool that you have access to.";

type NamedObject = { uuid: string; name: string };

export type VmManagementOutcome =
  /** `created`: the new VM or snapshot (snapshot, clone, copy). */
  | { ok: true; operation: VmManagementId; vm: NamedObject; message: string; created?: NamedObject }
  | {
      ok: false;
      operation?: VmManagementId;
      /** The VM (or snapshot) acted on; null when unknown or invisible to the user. */
      vm: NamedObject | null;
      error: string;
      code?: string;
      /** Input errors by form field. */
      fieldErrors?: Record<string, string[]>;
      /** A delete removed the VM but not everything it owned: the VM page no longer exists. */
      deleted?: boolean;
    };

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

/** Runs one management operation for `actor`. Never throws for expected failures (see the outcome's `error`). */
export async function runVmManagement(actor: CurrentUser | null, input: unknown, options: RunOptions = {}): Promise<VmManagementOutcome> {
  const parsed = vmManagementInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, vm: null, error: parsed.error.issues[0]?.message ?? "Invalid input", fieldErrors: fieldErrorsOf(parsed.error) };
  }
  const request = parsed.data;
  const { operation } = request;
  const spec = VM_MANAGEMENT[operation];
  const onSnapshot = isSnapshotOperation(operation);
  const authorized = await authorizeVmAction(actor, {
    uuid: "snapshot" in request ? request.snapshot : request.vm,
    permission: spec.permission,
    params: auditParams(request),
    ...(onSnapshot ? { accept: (vm: LocatedVm["vm"]) => vm.is_a_snapshot, notFound: SNAPSHOT_NOT_FOUND } : {}),
  });
  if (!authorized.ok) return { ok: false, operation, vm: authorized.vm, error: authorized.error };
  const { located, audit } = authorized;
  const target = named(located.vm);
  const failed = (error: string, extra: Partial<Extract<VmManagementOutcome, { ok: false }>> = {}): VmManagementOutcome => ({
    ok: false,
    operation,
    vm: target,
    error,
    ...extra,
  });

  let plan: Plan;
  switch (request.operation) {
    case "snapshot":
      plan = creating(located, "VM.snapshot", snapshotParams(located.vm.$ref, request.name), (made) => `Snapshot “${made.name}” of ${target.name} taken`);
      break;
    case "clone":
      plan = creating(located, "VM.clone", cloneParams(located.vm.$ref, request.name), (made) => `${target.name} cloned as “${made.name}”`);
      break;
    case "copy": {
      const srRef = request.sr ? visibleSrRef(audit.actor, located, request.sr) : null;
      if (srRef === undefined) {
        await auditVmRefusal(audit, "SR_NOT_FOUND", SR_NOT_FOUND);
        return failed(SR_NOT_FOUND, { fieldErrors: { sr: [SR_NOT_FOUND] } });
      }
      plan = creating(located, "VM.copy", copyParams(located.vm.$ref, request.name, srRef), (made) => `${target.name} copied as “${made.name}”`);
      break;
    }
    case "migrate": {
      const host = located.connection.cache.getByUuid("host", request.host);
      if (!host || !can(audit.actor, "host.view", hostSecurable(located.view.uuid, host))) {
        await auditVmRefusal(audit, "HOST_NOT_FOUND", HOST_NOT_FOUND);
        return failed(HOST_NOT_FOUND, { fieldErrors: { host: [HOST_NOT_FOUND] } });
      }
      plan = {
        work: (call) => located.connection.callAsync("VM.pool_migrate", poolMigrateParams(located.vm.$ref, host.$ref), call),
        message: () => `${target.name} migrated to ${host.name_label}`,
      };
      break;
    }
    case "edit":
      plan = editing(located, request.name, request.description);
      break;
    case "delete":
      // After authorization, so that the answer tells nobody else whether the name matched.
      if (!confirmsName(request.confirmName, target.name)) {
        const message = `Type the VM's name exactly as shown (${target.name}) to confirm`;
        return failed(message, { fieldErrors: { confirmName: [message] } });
      }
      plan = deleting(located, audit, `${target.name} was deleted`, true);
      break;
    case "revert": {
      const vm = located.connection.cache.get("VM", located.vm.snapshot_of);
      const vmName = vm?.name_label ?? "The VM";
      plan = {
        work: (call) => located.connection.callAsync("VM.revert", [located.vm.$ref], call),
        message: () => `${vmName} reverted to “${target.name}”`,
      };
      break;
    }
    case "delete_snapshot":
      plan = deleting(located, audit, `Snapshot “${target.name}” was deleted`, false);
      break;
  }

  const run = await runAudited(audit, { action: spec.verb, objectName: target.name }, plan.work, options);
  if (!run.ok) return failed(run.error, { code: run.code, ...(operation === "delete" && run.followUp ? { deleted: true } : {}) });
  const created = run.value ?? undefined;
  return { ok: true, operation, vm: target, message: plan.message(created ?? null), ...(created ? { created } : {}) };
}

/** What an operation runs (its XAPI calls, with `call` passed to each `callAsync`), and its success message. */
interface Plan {
  work: (call: CallAsyncOptions) => Promise<NamedObject | null | void>;
  message: (created: NamedObject | null) => string;
}

/** An operation whose task returns a new VM (snapshot, clone, copy): the outcome names it. */
function creating(located: LocatedVm, method: string, params: unknown[], message: (made: NamedObject) => string): Plan {
  return {
    async work(call) {
      const ref = await located.connection.callAsync<string>(method, params, call);
      // callAsync waited for the cache to catch up: the new VM is in it (unless it vanished meanwhile).
      const made = located.connection.cache.get("VM", ref);
      return made ? named(made) : null;
    },
    message: (made) => message(made ?? { uuid: "", name: "the new VM" }),
  };
}

/** The SR's ref when it is in the VM's pool and visible to `actor`; undefined otherwise (one answer for both). */
function visibleSrRef(actor: CurrentUser, located: LocatedVm, srUuid: string): string | undefined {
  const sr = located.connection.cache.getByUuid("SR", srUuid);
  if (!sr || sr.content_type === "iso" || !can(actor, "sr.view", srSecurable(located.view.uuid, sr))) return undefined;
  return sr.$ref;
}

/** Renaming: field setters have no `Async.` form in XAPI, so these are plain calls; only changed fields are sent. */
function editing(located: LocatedVm, name: string, description: string): Plan {
  const { connection, vm } = located;
  return {
    async work() {
      if (name !== vm.name_label) await connection.client.call("VM.set_name_label", vm.$ref, name);
      if (description !== vm.name_description) await connection.client.call("VM.set_name_description", vm.$ref, description);
      await connection.catchUp();
    },
    message: () => (name === vm.name_label && description === vm.name_description ? `Nothing to change on ${name}` : `${name} saved`),
  };
}

/**
 * Deletes like Xen Orchestra: the VM first (nothing is lost if XAPI refuses), then its snapshots, then the
 * disks that were only theirs. The disks are chosen before the VM goes (its VBDs go with it).
 */
function deleting(located: LocatedVm, audit: VmAuditContext, done: string, withSnapshots: boolean): Plan {
  const { connection, vm } = located;
  const { snapshots, disks } = deletionPlan(connection, vm.$ref, withSnapshots);
  // The audit entry names what the delete is about to remove (by uuid: refs mean nothing to a reader).
  const uuidOf = (cls: "VM" | "VDI", ref: string) => connection.cache.get(cls, ref)?.uuid ?? ref;
  audit.params = {
    ...audit.params,
    disks: disks.map((ref) => uuidOf("VDI", ref)),
    ...(withSnapshots ? { snapshots: snapshots.map((ref) => uuidOf("VM", ref)) } : {}),
  };
  return {
    async work(call) {
      // XAPI would destroy a suspended VM too, with its disks still attached: XenDeck deletes halted VMs only.
      if (withSnapshots && vm.power_state !== "Halted") throw new XapiError("VM_BAD_POWER_STATE", [vm.$ref, "halted", vm.power_state.toLowerCase()]);
      await connection.callAsync("VM.destroy", [vm.$ref], call);
      const leftovers: { what: string; error: unknown }[] = [];
      for (const ref of snapshots) await connection.callAsync("VM.destroy", [ref], call).catch((error: unknown) => leftovers.push({ what: "snapshot", error }));
      for (const ref of disks) await connection.callAsync("VDI.destroy", [ref], call).catch((error: unknown) => leftovers.push({ what: "disk", error }));
      if (leftovers.length > 0) {
        const total = snapshots.length + disks.length;
        throw new FollowUpError(`${done}, but ${leftovers.length} of its ${total} snapshots and disks could not be removed`, leftovers[0]!.error);
      }
    },
    message: () => done,
  };
}
