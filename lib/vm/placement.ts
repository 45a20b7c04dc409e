/**
 * Where a VM can run: the migrate dialog asks the pool, for every other host the user may view, whether the VM
 * could boot there (`VM.assert_can_boot_here`: host live and enabled, the VM's storage and networks reachable,
 * enough memory and CPUs), and greys the others with XAPI's reason in words ("The VM “db-01” needs the storage
 * “Local storage on xcp-lab-01”, which the host cannot reach"). A query: it changes nothing, so its successes
 * are not audited (its refusals are).
 */
import "server-only";
import { z } from "zod";
import { can } from "@/lib/access/can";
import { hostSecurable } from "@/lib/access/securables";
import { defineAction } from "@/lib/actions/define";
import { refNamer } from "@/lib/pools/names";
import type { LocatedVm } from "@/lib/pools/locate";
import type { CurrentUser } from "@/lib/auth/session-user";
import { describeXapiError, isXapiError } from "@/lib/xapi";
import { uuidSchema } from "./lifecycle-actions";
import { locateVmFor, VM_NOT_FOUND } from "./locate";

/** Checks in flight at once (the client allows 8 calls per pool; pages need some). */
const CHECK_CONCURRENCY = 4;

export interface HostPlacement {
  uuid: string;
  name: string;
  /** Why the VM cannot run there now; null when it can. */
  unavailableReason: string | null;
}

/** Asks the pool, host by host, whether the VM could run there (every host the user may view but its own). */
export async function placementOf(actor: CurrentUser, located: LocatedVm): Promise<HostPlacement[]> {
  const { connection, vm, view } = located;
  const cache = connection.cache;
  const nameOf = refNamer(cache);
  const hosts = cache
    .list("host")
    .filter((host) => host.$ref !== vm.resident_on && can(actor, "host.view", hostSecurable(view.uuid, host)))
    .sort((a, b) => a.name_label.localeCompare(b.name_label, undefined, { numeric: true }));
  const out: HostPlacement[] = hosts.map((host) => ({ uuid: host.uuid, name: host.name_label, unavailableReason: null }));
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const index = next++;
      try {
        await connection.client.request("VM.assert_can_boot_here", [vm.$ref, hosts[index]!.$ref]);
      } catch (error) {
        out[index]!.unavailableReason =
          isXapiError(error) && error.kind === "xapi" ? describeXapiError(error, { nameOf }) : "The pool did not answer; try again";
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, hosts.length) }, worker));
  return out;
}

export const vmPlacement = defineAction({
  name: "vm.placement",
  input: z.object({ vm: uuidSchema }),
  // The hosts a VM can move to matter to whoever may move it.
  authorize: { action: "vm.migrate", locate: (input) => locateVmFor(input.vm), notFound: VM_NOT_FOUND, requestedUuid: (input) => input.vm },
  query: true,
  async run({ actor, target }) {
    return { ok: true, hosts: await placementOf(actor, target) };
  },
});
