/**
 * Storage messages the simulator implements beyond the generic ones: CD drives (`VBD.insert` / `eject`),
 * `SR.get_supported_types`, `VDI.destroy` (`SR.scan` is in sr-operations.ts).
 */
import type { SrRecord, VbdRecord, VdiRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import { destroyVbd, destroyVdi, linkRef, unlinkRef, vbdOperations } from "./objects";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";

const vbdOf = (ctx: CallContext, ref: unknown): StoredObject<VbdRecord> => ctx.pool.need<VbdRecord>("VBD", String(ref));

export function storageMessages(r: MessageRegistry): void {
  r.define("VBD.insert", (ctx, [ref, vdiRef]) => {
    const vbd = vbdOf(ctx, ref);
    const vdi = ctx.pool.need<VdiRecord>("VDI", String(vdiRef));
    if (vbd.rec.type !== "CD") throw new XapiError("VBD_NOT_REMOVABLE_MEDIA", [vbd.ref]);
    if (!vbd.rec.empty) throw new XapiError("VBD_NOT_EMPTY", [vbd.ref]);
    const sr = ctx.pool.store.getOf<SrRecord>("SR", vdi.rec.SR);
    if (sr?.rec.content_type !== "iso") throw new XapiError("VDI_IS_NOT_ISO", [vdi.ref, sr?.rec.type ?? ""]);
    ctx.pool.store.update(vbd, { VDI: vdi.ref, empty: false, allowed_operations: vbdOperations(vbd.rec.currently_attached, true, false) });
    linkRef(ctx.pool.store, vdi, "VBDs", vbd.ref);
  });
  r.define("VBD.eject", (ctx, [ref]) => {
    const vbd = vbdOf(ctx, ref);
    if (vbd.rec.type !== "CD") throw new XapiError("VBD_NOT_REMOVABLE_MEDIA", [vbd.ref]);
    if (vbd.rec.empty) throw new XapiError("VBD_IS_EMPTY", [vbd.ref]);
    unlinkRef(ctx.pool.store, ctx.pool.store.getOf<VdiRecord>("VDI", vbd.rec.VDI), "VBDs", vbd.ref);
    ctx.pool.store.update(vbd, { VDI: NULL_REF, empty: true, allowed_operations: vbdOperations(vbd.rec.currently_attached, true, true) });
  });
  r.define("SR.get_supported_types", () => [
    "ext",
    "lvm",
    "nfs",
    "iso",
    "iscsi",
    "lvmoiscsi",
    "lvmohba",
    "smb",
    "cifs",
    "udev",
    "file",
    "zfs",
    "xfs",
    "largeblock",
  ]);
  r.define("VDI.destroy", (ctx, [ref]) => {
    const vdi = ctx.pool.need<VdiRecord>("VDI", String(ref));
    const vbds = vdi.rec.VBDs.map((v) => ctx.pool.store.getOf<VbdRecord>("VBD", v)).filter((v) => v !== undefined);
    if (vbds.some((v) => v.rec.currently_attached)) throw new XapiError("VDI_IN_USE", [vdi.ref, "destroy"]);
    for (const vbd of vbds) destroyVbd(ctx.pool, vbd);
    destroyVdi(ctx.pool, vdi);
  });
}
