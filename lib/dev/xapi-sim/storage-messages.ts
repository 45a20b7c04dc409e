/**
 * Storage messages the simulator implements beyond the generic ones: `SR.scan`, `SR.get_supported_types`.
 * VDIs are in vdis.ts, VBDs (CD drives included) in vbds.ts.
 */
import type { SrRecord } from "@/lib/xapi/model/records.generated";
import type { MessageRegistry } from "./registry";

export function storageMessages(r: MessageRegistry): void {
  r.define("SR.scan", (ctx, [ref]) => {
    ctx.pool.need<SrRecord>("SR", String(ref));
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
}
