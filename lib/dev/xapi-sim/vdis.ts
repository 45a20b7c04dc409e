/**
 * VDI messages: `VDI.create` (the SR's driver sizes the volume and may refuse it; see sr-drivers.ts),
 * `VDI.resize` / `VDI.resize_online` (grow only), `VDI.destroy` (refused while a running VM uses the disk; its
 * VBDs go with it). Each runs as an SR operation (storage-operations.ts), takes its configured time and keeps
 * the SR's allocation figures and every `allowed_operations` right.
 */
import type { SrRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { constructorArgs } from "./constructor-args";
import { XapiError } from "./errors";
import { createVdi, destroyVbd, destroyVdi } from "./objects";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import { createVolume, resizeVolume } from "./sr-drivers";
import { assertManaged, assertSrAttached, withStorageOperation } from "./storage-operations";
import type { StoredObject } from "./store";
import { forgetVdiContent } from "./vdi-content";

type Vdi = StoredObject<VdiRecord>;

const TiB = 1024 ** 4;

export type NewDisk = Pick<VdiRecord, "name_label" | "name_description" | "SR" | "virtual_size" | "type" | "sharable" | "read_only" | "other_config"> &
  Partial<Pick<VdiRecord, "xenstore_data" | "sm_config" | "tags">>;

/**
 * What `VDI.create` does once its arguments are read: used by the message and by `VM.provision` (which says
 * how far its task's progress gets by the end of this disk).
 */
export function createDisk(ctx: CallContext, disk: NewDisk, progressUpTo?: number): Promise<Vdi> {
  const sr = ctx.pool.need<SrRecord>("SR", disk.SR);
  return withStorageOperation(ctx, sr, "vdi_create", async () => {
    if (disk.type === "cbt_metadata") throw new XapiError("VDI_INCOMPATIBLE_TYPE", ["", "cbt_metadata"]);
    assertSrAttached(ctx, sr);
    const volume = createVolume(sr.rec, disk.virtual_size);
    await ctx.op.work(ctx.core.duration("vdi_create") * (1 + volume.virtualSize / TiB), progressUpTo);
    const iso = sr.rec.content_type === "iso";
    const vdi = createVdi(ctx.pool, {
      SR: sr.ref,
      name_label: disk.name_label,
      name_description: disk.name_description,
      virtual_size: volume.virtualSize,
      physical_utilisation: volume.physicalUtilisation,
      type: disk.type,
      sharable: disk.sharable,
      read_only: disk.read_only,
      other_config: { ...disk.other_config },
      xenstore_data: { ...disk.xenstore_data },
      sm_config: { ...disk.sm_config, ...volume.smConfig },
      tags: [...(disk.tags ?? [])],
      location: iso ? disk.name_label : "",
    });
    return vdi;
  });
}

/** `VDI.destroy`: the disk and its (unplugged) VBDs; a VM suspended onto it loses its suspend image. */
export function destroyDisk(ctx: CallContext, vdi: Vdi): Promise<void> {
  const sr = ctx.pool.need<SrRecord>("SR", vdi.rec.SR);
  return withStorageOperation(
    ctx,
    sr,
    "vdi_destroy",
    async () => {
      assertSrAttached(ctx, sr);
      assertManaged(vdi);
      const vbds = vdi.rec.VBDs.map((ref) => ctx.pool.store.getOf<VbdRecord>("VBD", ref)).filter((vbd) => vbd !== undefined);
      if (vbds.some((vbd) => vbd.rec.currently_attached)) throw new XapiError("VDI_IN_USE", [vdi.ref, "destroy"]);
      await ctx.op.work(ctx.core.duration("vdi_destroy"));
      for (const vbd of vbds) destroyVbd(ctx.pool, vbd);
      for (const vm of ctx.pool.store.all<VmRecord>("VM")) {
        if (vm.rec.suspend_VDI === vdi.ref) ctx.pool.store.update(vm, { suspend_VDI: NULL_REF });
      }
      forgetVdiContent(vdi);
      destroyVdi(ctx.pool, vdi);
    },
    { vdi, op: "destroy" },
  );
}

function resize(ctx: CallContext, vdi: Vdi, size: number, op: "resize" | "resize_online"): Promise<void> {
  const sr = ctx.pool.need<SrRecord>("SR", vdi.rec.SR);
  return withStorageOperation(
    ctx,
    sr,
    "vdi_resize",
    async () => {
      assertSrAttached(ctx, sr);
      assertManaged(vdi);
      const grown = resizeVolume(sr.rec, { virtualSize: vdi.rec.virtual_size, physicalUtilisation: vdi.rec.physical_utilisation }, size);
      if (!grown) return;
      await ctx.op.work(ctx.core.duration("vdi_resize"));
      ctx.pool.store.update(sr, {
        virtual_allocation: sr.rec.virtual_allocation + grown.virtualSize - vdi.rec.virtual_size,
        physical_utilisation: sr.rec.physical_utilisation + grown.physicalUtilisation - vdi.rec.physical_utilisation,
      });
      ctx.pool.store.update(vdi, { virtual_size: grown.virtualSize, physical_utilisation: grown.physicalUtilisation });
    },
    { vdi, op },
  );
}

export function vdiMessages(r: MessageRegistry): void {
  r.define("VDI.create", async (ctx, [args]) => {
    const disk = constructorArgs<VdiRecord>("VDI", args) as NewDisk;
    return (await createDisk(ctx, disk)).ref;
  });
  r.define("VDI.destroy", (ctx, [ref]) => destroyDisk(ctx, ctx.pool.need<VdiRecord>("VDI", String(ref))));
  r.define("VDI.resize", (ctx, [ref, size]) => resize(ctx, ctx.pool.need<VdiRecord>("VDI", String(ref)), Number(size), "resize"));
  r.define("VDI.resize_online", (ctx, [ref, size]) => resize(ctx, ctx.pool.need<VdiRecord>("VDI", String(ref)), Number(size), "resize_online"));
}
