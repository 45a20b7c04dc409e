/**
 * How VM actions find their object for the action pipeline: in the live caches, by the uuid the browser sent,
 * kept only when it is the kind of object the action acts on (an ordinary VM, or a snapshot).
 */
import "server-only";
import type { Located } from "@/lib/actions/define";
import { locateVm, type LocatedVm } from "@/lib/pools/locate";
import { loadPoolViews } from "@/lib/pools/views";
import type { XapiObject } from "@/lib/xapi";
import { isOrdinaryVm } from "./fields";

/** The answer for a VM that does not exist and for one the user may not view: the same, so existence does not leak. */
export const VM_NOT_FOUND = "This VM does not exist, or you do not have access to it.";
export const SNAPSHOT_NOT_FOUND = "This snapshot does not exist, or you do not have access to it.";

export async function locateVmFor(uuid: string, accept: (vm: XapiObject<"VM">) => boolean = isOrdinaryVm): Promise<Located<LocatedVm> | null> {
  const located = locateVm(await loadPoolViews(), uuid);
  if (!located || !accept(located.vm)) return null;
  return {
    value: located,
    securable: located.securable,
    object: { kind: "vm", uuid: located.vm.uuid, label: located.vm.name_label },
    poolId: located.view.id,
  };
}

export const isSnapshot = (vm: XapiObject<"VM">) => vm.is_a_snapshot;
