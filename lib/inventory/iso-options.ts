/**
 * The ISOs a user may insert or boot from in one pool (the New VM form's and the Hardware tab's CD pickers): every
 * disk of the pool's ISO libraries the user may view, named with its library, in name order.
 */
import { can } from "@/lib/access/can";
import { vdiSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { PoolCache, XapiObject } from "@/lib/xapi/cache";

export interface IsoOption {
  uuid: string;
  name: string;
  /** The ISO library (SR) holding it. */
  library: string;
}

export function isoOptions(user: CurrentUser, poolUuid: string, cache: PoolCache): IsoOption[] {
  return cache
    .list("SR")
    .filter((sr) => sr.content_type === "iso")
    .flatMap((sr) =>
      sr.VDIs.map((ref) => cache.get("VDI", ref))
        .filter((vdi): vdi is XapiObject<"VDI"> => vdi !== undefined && can(user, "vdi.view", vdiSecurable(poolUuid, cache, vdi)))
        .map((vdi) => ({ uuid: vdi.uuid, name: vdi.name_label, library: sr.name_label })),
    )
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}
