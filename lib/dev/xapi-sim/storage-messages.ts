/**
 * Storage messages the simulator implements beyond the generic ones: `SR.get_supported_types`. `SR.scan` is in
 * sr-operations.ts, VDIs in vdis.ts, VBDs (CD drives included) in vbds.ts.
 */
import type { MessageRegistry } from "./registry";

export function storageMessages(r: MessageRegistry): void {
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
