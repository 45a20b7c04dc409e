/**
 * VBD messages as xapi_vbd.ml and message_forwarding implement them: `VBD.create` (checks in xapi's order:
 * attachable disk type, read-only CDs, only CDs empty, no read-write VBD on a read-only disk, no migration in
 * progress, a valid and free device, "autodetect" resolved to the first free one; the new VBD is not attached
 * until plugged, unless the VM is suspended), `VBD.destroy` (not while attached), `VBD.plug` / `unplug` /
 * `unplug_force` (hotplug on a running VM, vbd-rules.ts), and CD media: `VBD.insert` / `VBD.eject`.
 */
import type { VbdOperations, VbdRecord, VdiRecord, VdiType, VmRecord } from "@/lib/xapi/model/records.generated";
import { constructorArgs } from "./constructor-args";
import { allowedVbdDevices, clashes, isHvm, usedVbdDevices, validVbdDevice } from "./device-numbers";
import { XapiError } from "./errors";
import { createVbd, destroyVbd, deviceName, linkRef, unlinkRef } from "./objects";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import { assertManaged } from "./storage-operations";
import type { StoredObject } from "./store";
import { assertVbdOperation, refreshVbdOperations } from "./vbd-rules";
import { refreshVdiOperations } from "./vdi-rules";

type Vbd = StoredObject<VbdRecord>;
type Vm = StoredObject<VmRecord>;

/** Disk types a guest may attach (ha_statefile, redo_log and cbt_metadata may not). */
const ATTACHABLE: readonly VdiType[] = ["system", "user", "ephemeral", "suspend", "crashdump", "metadata", "rrd", "pvs_cache"];

const vbdOf = (ctx: CallContext, ref: unknown): Vbd => ctx.pool.need<VbdRecord>("VBD", String(ref));

function vbdsOf(ctx: CallContext, vm: Vm): VbdRecord[] {
  return vm.rec.VBDs.map((ref) => ctx.pool.store.getOf<VbdRecord>("VBD", ref)?.rec).filter((vbd) => vbd !== undefined);
}

function refreshWithDisk(ctx: CallContext, vbd: Vbd, ...vdiRefs: string[]): void {
  refreshVbdOperations(ctx.pool, vbd);
  for (const ref of new Set([vbd.rec.VDI, ...vdiRefs])) {
    const vdi = ctx.pool.store.getOf<VdiRecord>("VDI", ref);
    if (vdi) refreshVdiOperations(ctx.pool, vdi);
  }
}

/** Runs `body` as VBD operation `op`: checked first (with the disk-sharing checks), listed in current_operations while it runs. */
async function withVbdOperation<T>(ctx: CallContext, vbd: Vbd, op: VbdOperations, body: () => Promise<T> | T): Promise<T> {
  assertVbdOperation(ctx.pool, vbd, op);
  const key = ctx.op.taskRef;
  const before = vbd.rec.VDI;
  ctx.pool.store.update(vbd, { current_operations: { ...vbd.rec.current_operations, [key]: op } });
  refreshVbdOperations(ctx.pool, vbd);
  try {
    return await body();
  } finally {
    if (!vbd.dtime) {
      const current = { ...vbd.rec.current_operations };
      delete current[key];
      ctx.pool.store.update(vbd, { current_operations: current });
      refreshWithDisk(ctx, vbd, before);
    }
  }
}

function suspendedError(vm: Vm): XapiError {
  return new XapiError("VM_BAD_POWER_STATE", [vm.ref, "halted, running", "suspended"]);
}

/** What `VBD.create` does once its arguments are read: used by the message and by `VM.provision`. */
export function createVbdChecked(ctx: CallContext, a: Partial<VbdRecord>): Vbd {
  const vm = ctx.pool.need<VmRecord>("VM", String(a.VM));
  const suspended = vm.rec.power_state === "Suspended";
  const vdi = a.empty ? undefined : ctx.pool.need<VdiRecord>("VDI", String(a.VDI));
  if (vdi && !ATTACHABLE.includes(vdi.rec.type)) throw new XapiError("VDI_INCOMPATIBLE_TYPE", [vdi.ref, vdi.rec.type]);
  if (a.type === "CD" && a.mode !== "RO") throw new XapiError("VBD_CDS_MUST_BE_READONLY", []);
  if (a.type !== "CD" && a.empty) throw new XapiError("VBD_NOT_REMOVABLE_MEDIA", ["in constructor"]);
  if (a.mode === "RW" && ctx.pool.need<VdiRecord>("VDI", String(a.VDI)).rec.read_only) throw new XapiError("VDI_READONLY", [String(a.VDI)]);
  const migrating = Object.entries(vm.rec.current_operations)
    .sort(([, x], [, y]) => x.localeCompare(y))
    .find(([, op]) => op === "migrate_send" || op === "pool_migrate");
  if (migrating) throw new XapiError("OTHER_OPERATION_IN_PROGRESS", ["VM", vm.ref, migrating[1], migrating[0]]);
  if (a.type === "Floppy" && !isHvm(vm.rec)) throw new XapiError("NOT_IMPLEMENTED", ["VBD of type 'floppy' is not supported on PV domain"]);
  let userdevice = String(a.userdevice);
  if (!validVbdDevice(userdevice)) throw new XapiError("INVALID_DEVICE", [userdevice]);
  const existing = vbdsOf(ctx, vm);
  if (userdevice === "autodetect") {
    const free = allowedVbdDevices(vm.rec, existing);
    if (free.length === 0) throw new XapiError("INVALID_DEVICE", [userdevice]);
    userdevice = free[0];
  }
  if (clashes(userdevice, usedVbdDevices(existing))) throw new XapiError("DEVICE_ALREADY_EXISTS", [userdevice]);
  const backendKind = vdi?.rec.sm_config["backend-kind"];
  return createVbd(ctx.pool, vm, vdi ? vdi.ref : String(a.VDI), {
    userdevice,
    bootable: a.bootable,
    mode: a.mode,
    type: a.type,
    unpluggable: a.unpluggable,
    empty: a.empty,
    other_config: backendKind === undefined ? { ...a.other_config } : { "backend-kind": backendKind, ...a.other_config },
    qos_algorithm_type: a.qos_algorithm_type,
    qos_algorithm_params: { ...a.qos_algorithm_params },
    device: suspended ? a.device : "",
    currently_attached: suspended ? a.currently_attached : false,
  });
}

export function vbdMessages(r: MessageRegistry): void {
  r.define("VBD.create", (ctx, [args]) => createVbdChecked(ctx, constructorArgs<VbdRecord>("VBD", args)).ref);

  r.define("VBD.destroy", (ctx, [ref]) => {
    const vbd = vbdOf(ctx, ref);
    if (vbd.rec.currently_attached) {
      const vm = ctx.pool.store.getOf<VmRecord>("VM", vbd.rec.VM);
      throw new XapiError("OPERATION_NOT_ALLOWED", [`VBD '${vbd.uuid}' still attached to '${vm?.uuid ?? ""}'`]);
    }
    const vdi = vbd.rec.VDI;
    destroyVbd(ctx.pool, vbd);
    const disk = ctx.pool.store.getOf<VdiRecord>("VDI", vdi);
    if (disk) refreshVdiOperations(ctx.pool, disk);
  });

  r.define("VBD.plug", (ctx, [ref]) => {
    const vbd = vbdOf(ctx, ref);
    return withVbdOperation(ctx, vbd, "plug", async () => {
      const vm = ctx.pool.need<VmRecord>("VM", vbd.rec.VM);
      // CA-83260: HVM guests cannot have read-only disks.
      if (isHvm(vm.rec) && vbd.rec.type !== "CD" && vbd.rec.mode === "RO") throw new XapiError("DISK_VBD_MUST_BE_READWRITE_FOR_HVM", [vbd.ref]);
      await ctx.op.work(ctx.core.duration("vbd_plug"));
      ctx.pool.store.update(vbd, { currently_attached: true, device: deviceName(vbd.rec.userdevice) });
    });
  });
  for (const op of ["unplug", "unplug_force"] as const) {
    r.define(`VBD.${op}`, (ctx, [ref]) => {
      const vbd = vbdOf(ctx, ref);
      return withVbdOperation(ctx, vbd, op, async () => {
        await ctx.op.work(ctx.core.duration("vbd_unplug"));
        ctx.pool.store.update(vbd, { currently_attached: false, device: "" });
      });
    });
  }

  r.define("VBD.insert", (ctx, [ref, vdiRef]) => {
    const vbd = vbdOf(ctx, ref);
    return withVbdOperation(ctx, vbd, "insert", () => {
      const vm = ctx.pool.need<VmRecord>("VM", vbd.rec.VM);
      if (vm.rec.power_state === "Suspended") throw suspendedError(vm);
      if (vbd.rec.type !== "CD") throw new XapiError("VBD_NOT_REMOVABLE_MEDIA", [vbd.ref]);
      if (!vbd.rec.empty) throw new XapiError("VBD_NOT_EMPTY", [vbd.ref]);
      const vdi = ctx.pool.need<VdiRecord>("VDI", String(vdiRef));
      assertManaged(vdi);
      ctx.pool.store.update(vbd, { VDI: vdi.ref, empty: false });
      linkRef(ctx.pool.store, vdi, "VBDs", vbd.ref);
    });
  });
  r.define("VBD.eject", (ctx, [ref]) => {
    const vbd = vbdOf(ctx, ref);
    return withVbdOperation(ctx, vbd, "eject", () => {
      const vm = ctx.pool.need<VmRecord>("VM", vbd.rec.VM);
      if (vbd.rec.type !== "CD") throw new XapiError("VBD_NOT_REMOVABLE_MEDIA", [vbd.ref]);
      if (vbd.rec.empty) throw new XapiError("VBD_IS_EMPTY", [vbd.ref]);
      if (vm.rec.power_state === "Suspended") throw suspendedError(vm);
      unlinkRef(ctx.pool.store, ctx.pool.store.getOf<VdiRecord>("VDI", vbd.rec.VDI), "VBDs", vbd.ref);
      ctx.pool.store.update(vbd, { VDI: NULL_REF, empty: true });
    });
  });
  r.define("VBD.assert_attachable", (ctx, [ref]) => assertVbdOperation(ctx.pool, vbdOf(ctx, ref), "attach"));
}
