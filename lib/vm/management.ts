/**
 * The VM management operations beyond power: snapshot, clone, copy, migrate within the pool, delete, revert to a
 * snapshot, delete a snapshot, edit name and description. For each: its words, the `can()` action that
 * authorizes it, the XAPI operation `allowed_operations` lists, the power states XAPI accepts; the input schemas
 * (zod, with the messages the forms show); the XAPI parameters; and which disks a delete destroys. Pure data
 * and pure functions, shared by the read model (which buttons to show) and the runner (what to run).
 */
import { z } from "zod";
import type { ObjectAction } from "@/lib/access/can";
import type { PoolConnection } from "@/lib/xapi";
import type { VmPowerState } from "@/lib/xapi/model/records.generated";
import type { XapiOperationRule } from "./operations";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const VM_MANAGEMENT_IDS = ["snapshot", "clone", "copy", "migrate", "edit", "delete", "revert", "delete_snapshot"] as const;
export type VmManagementId = (typeof VM_MANAGEMENT_IDS)[number];

/** Operations on a snapshot (from the VM page's snapshot list); the others act on the VM itself. */
export const SNAPSHOT_MANAGEMENT_IDS = ["revert", "delete_snapshot"] as const satisfies readonly VmManagementId[];
export type SnapshotManagementId = (typeof SNAPSHOT_MANAGEMENT_IDS)[number];
export const isSnapshotOperation = (id: VmManagementId): id is SnapshotManagementId => (SNAPSHOT_MANAGEMENT_IDS as readonly string[]).includes(id);

export interface VmManagementSpec extends XapiOperationRule {
  id: VmManagementId;
  /** Button label. */
  label: string;
  /** While it runs: "Cloning" ("Cloning web-01…"). */
  progressive: string;
  /** Verb for XAPI error messages: "The VM is running; it must be halted to clone it". */
  verb: string;
  permission: ObjectAction;
}

const ANY_STATE: readonly VmPowerState[] = ["Halted", "Running", "Paused", "Suspended"];

export const VM_MANAGEMENT: Record<VmManagementId, VmManagementSpec> = {
  snapshot: {
    id: "snapshot",
    label: "Snapshot",
    progressive: "Snapshotting",
    past: "snapshotted",
    verb: "snapshot",
    permission: "vm.snapshot",
    xapiOperation: "snapshot",
    from: ANY_STATE,
  },
  clone: {
    id: "clone",
    label: "Clone",
    progressive: "Cloning",
    past: "cloned",
    verb: "clone",
    permission: "vm.clone",
    xapiOperation: "clone",
    from: ["Halted"],
  },
  copy: { id: "copy", label: "Copy", progressive: "Copying", past: "copied", verb: "copy", permission: "vm.copy", xapiOperation: "copy", from: ["Halted"] },
  migrate: {
    id: "migrate",
    label: "Migrate",
    progressive: "Migrating",
    past: "migrated",
    verb: "migrate",
    permission: "vm.migrate",
    xapiOperation: "pool_migrate",
    from: ["Running"],
  },
  edit: { id: "edit", label: "Edit", progressive: "Saving", past: "edited", verb: "edit", permission: "vm.edit", xapiOperation: null, from: ANY_STATE },
  // XAPI would also destroy a suspended VM, but its disks may still be attached then: XenDeck deletes halted VMs.
  delete: {
    id: "delete",
    label: "Delete",
    progressive: "Deleting",
    past: "deleted",
    verb: "delete",
    permission: "vm.delete",
    xapiOperation: "destroy",
    from: ["Halted"],
  },
  revert: {
    id: "revert",
    label: "Revert",
    progressive: "Reverting to",
    past: "reverted to",
    verb: "revert to",
    permission: "vm.revert",
    xapiOperation: "revert",
    from: ANY_STATE,
    noun: "snapshot",
  },
  delete_snapshot: {
    id: "delete_snapshot",
    label: "Delete",
    progressive: "Deleting",
    past: "deleted",
    verb: "delete",
    permission: "vm.snapshot.delete",
    xapiOperation: "destroy",
    from: ANY_STATE,
    noun: "snapshot",
  },
};

/* ------------------------------------------------------------------------------------------------------------ */
/* Input                                                                                                         */
/* ------------------------------------------------------------------------------------------------------------ */

export const NAME_MAX = 255;
export const DESCRIPTION_MAX = 1024;

const uuid = objectUuidSchema;

// Control characters would make names unreadable in every list (and XAPI stores them as they are).
const noControl = (text: string) => !/[\u0000-\u001f\u007f]/.test(text);

export const vmNameSchema = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .max(NAME_MAX, `Use at most ${NAME_MAX} characters`)
  .refine(noControl, "Use letters, digits, spaces and punctuation only");

export const vmDescriptionSchema = z
  .string({ error: "The description must be text" })
  .trim()
  .max(DESCRIPTION_MAX, `Use at most ${DESCRIPTION_MAX} characters`)
  .refine((text) => !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text), "Use letters, digits, spaces, punctuation and line breaks only");

export const vmManagementInputSchema = z.discriminatedUnion(
  "operation",
  [
    z.object({ operation: z.literal("snapshot"), vm: uuid("A VM"), name: vmNameSchema }),
    z.object({ operation: z.literal("clone"), vm: uuid("A VM"), name: vmNameSchema }),
    /** `sr`: the SR for every disk, or "" to keep each disk on its own SR. */
    z.object({ operation: z.literal("copy"), vm: uuid("A VM"), name: vmNameSchema, sr: z.union([z.literal(""), uuid("A storage repository")]) }),
    z.object({ operation: z.literal("migrate"), vm: uuid("A VM"), host: uuid("A host") }),
    z.object({ operation: z.literal("edit"), vm: uuid("A VM"), name: vmNameSchema, description: vmDescriptionSchema }),
    /** `confirmName`: the VM's name as the user typed it (the runner compares it with the VM's). */
    z.object({ operation: z.literal("delete"), vm: uuid("A VM"), confirmName: z.string({ error: "Type the VM's name to confirm" }).max(NAME_MAX + 100) }),
    z.object({ operation: z.literal("revert"), snapshot: uuid("A snapshot") }),
    z.object({ operation: z.literal("delete_snapshot"), snapshot: uuid("A snapshot") }),
  ],
  { error: "Unknown operation" },
);

export type VmManagementInput = z.input<typeof vmManagementInputSchema>;
export type ParsedVmManagementInput = z.output<typeof vmManagementInputSchema>;

/** Per-field messages of a zod error, for the forms (`{ name: ["Enter a name"] }`). */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "");
    if (!key) continue;
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

/** Typed names are compared as the user sees them: surrounding spaces do not count, case does. */
export function confirmsName(typed: string, name: string): boolean {
  return typed.trim() === name.trim();
}

/** The name the snapshot form proposes: "<VM name> 2025-03-19 14:05" (the browser's local time). */
export function defaultSnapshotName(vmName: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const base = vmName.slice(0, NAME_MAX - stamp.length - 1);
  return `${base} ${stamp}`;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* XAPI parameters                                                                                               */
/* ------------------------------------------------------------------------------------------------------------ */

/** lib/xapi/codec's constant, repeated so that this module stays light enough for the browser's bundle. */
export const NULL_REF = "OpaqueRef:NULL";

export const snapshotParams = (vmRef: string, name: string): unknown[] => [vmRef, name];
export const cloneParams = (vmRef: string, name: string): unknown[] => [vmRef, name];
/** `VM.copy(vm, new_name, sr)`: a NULL SR keeps each disk on its own SR. */
export const copyParams = (vmRef: string, name: string, srRef: string | null): unknown[] => [vmRef, name, srRef ?? NULL_REF];
/** `VM.pool_migrate(vm, host, options)`: no options (a live migration within the pool, XAPI's defaults). */
export const poolMigrateParams = (vmRef: string, hostRef: string): unknown[] => [vmRef, hostRef, {}];

/* ------------------------------------------------------------------------------------------------------------ */
/* Which disks a delete destroys                                                                                 */
/* ------------------------------------------------------------------------------------------------------------ */

/** What `ownDisks` reads of the pool: the VBDs of a VM and of a VDI, and which VMs are control domains. */
export interface DiskGraph {
  vbdsOfVm(vmRef: string): readonly { type: string; VDI: string; empty: boolean }[];
  vbdsOfVdi(vdiRef: string): readonly { VM: string }[];
  isControlDomain(vmRef: string): boolean;
}

/**
 * The disks that belong to `vmRef` alone, as Xen Orchestra's delete chooses them: the VDIs of its `Disk` VBDs
 * (never a CD drive's ISO image), except those another VM also uses (a control domain does not count: dom0
 * plugs disks for its own work). In VBD order, without duplicates.
 */
export function ownDisks(vmRef: string, graph: DiskGraph): string[] {
  const disks: string[] = [];
  for (const vbd of graph.vbdsOfVm(vmRef)) {
    if (vbd.type !== "Disk" || vbd.empty || !vbd.VDI || vbd.VDI === NULL_REF || disks.includes(vbd.VDI)) continue;
    const shared = graph.vbdsOfVdi(vbd.VDI).some((other) => other.VM !== vmRef && !graph.isControlDomain(other.VM));
    if (!shared) disks.push(vbd.VDI);
  }
  return disks;
}

function diskGraph(connection: PoolConnection): DiskGraph {
  const cache = connection.cache;
  return {
    vbdsOfVm: (ref) => cache.vbdsByVm(ref),
    vbdsOfVdi: (ref) => cache.vbdsByVdi(ref),
    isControlDomain: (ref) => cache.get("VM", ref)?.is_control_domain ?? false,
  };
}

/** What deleting a VM (or a snapshot) removes: its own disks and, `withSnapshots`, its snapshots with theirs. */
export function deletionPlan(connection: PoolConnection, vmRef: string, withSnapshots: boolean): { snapshots: string[]; disks: string[] } {
  const graph = diskGraph(connection);
  const snapshots = withSnapshots ? connection.cache.snapshotsByVm(vmRef).map((snapshot) => snapshot.$ref) : [];
  const disks = [vmRef, ...snapshots].flatMap((ref) => ownDisks(ref, graph));
  return { snapshots, disks };
}
