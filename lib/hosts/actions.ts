/**
 * Host maintenance and power, for admins of the host (`host.maintenance`, `host.power`):
 *
 * - **enable / disable**: `host.enable` / `host.disable` (a disabled host takes no new VMs);
 * - **enter maintenance mode**, as Xen Orchestra and XenCenter do it: disable the host (until enabled again, even
 *   across a reboot), mark it
 *   (`other_config:MAINTENANCE_MODE`, which XenCenter reads too), then `host.evacuate` (every VM migrates to
 *   another host). XenDeck first asks the pool which VMs would stay (`host.get_vms_which_prevent_evacuation`)
 *   and refuses, naming them and why, unless forced. If the evacuation fails the host is enabled again, unless
 *   forced (then it stays in maintenance, with the VMs that could not move);
 * - **exit maintenance mode**: enable it and clear the mark;
 * - **reboot / shut down**: only a disabled host (XAPI refuses the others: HOST_NOT_DISABLED); the VMs still on it
 *   are moved or shut down by XAPI first. The host goes away, and a rebooted one comes back by itself.
 *
 * `hostEvacuationCheck` is the pre-flight alone, for the maintenance dialog (a query: not audited unless refused).
 */
import "server-only";
import { z } from "zod";
import { can } from "@/lib/access/can";
import { vmSecurable } from "@/lib/access/securables";
import { defineAction, FollowUpError, type Located } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { locateHost, type LocatedHost } from "@/lib/pools/locate";
import { refNamer } from "@/lib/pools/names";
import { loadPoolViews } from "@/lib/pools/views";
import { formBoolean, refusal, type ActionResult } from "@/lib/result";
import { MAINTENANCE_MODE_KEY } from "./host-state";
import { describeXapiError, XapiError, type PoolConnection, type XapiObject } from "@/lib/xapi";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const HOST_NOT_FOUND = "This host does not exist, or you do not have access to it.";

const hostUuid = objectUuidSchema("A host");

export async function locateHostFor(uuid: string): Promise<Located<LocatedHost> | null> {
  const located = locateHost(await loadPoolViews(), uuid);
  if (!located) return null;
  return { value: located, securable: located.securable, object: { kind: "host", uuid, label: located.host.name_label }, poolId: located.view.id };
}

/** A VM that would stay on the host, and why, in words (its name only for users who may view it). */
export interface BlockingVm {
  uuid: string | null;
  name: string | null;
  reason: string;
}

/** The pool's evacuation pre-flight: which resident VMs could not move, and why. */
export async function vmsPreventingEvacuation(actor: CurrentUser, located: LocatedHost): Promise<BlockingVm[]> {
  const { connection, host, view } = located;
  const cache = connection.cache;
  const answer = await connection.client.request<Record<string, string[]>>("host.get_vms_which_prevent_evacuation", [host.$ref]);
  const nameOf = refNamer(cache);
  return Object.entries(answer ?? {}).map(([vmRef, description]) => {
    const vm = cache.get("VM", vmRef);
    const visible = vm !== undefined && can(actor, "vm.view", vmSecurable(view.uuid, cache, vm));
    // A VM the user may not see is described without its name.
    const reasonNames = visible ? nameOf : (ref: string) => (ref === vmRef ? undefined : nameOf(ref));
    return {
      uuid: visible ? vm.uuid : null,
      name: visible ? vm.name_label : null,
      reason: describeXapiError(XapiError.fromDescription(description), { nameOf: reasonNames }),
    };
  });
}

const blockingSummary = (blocking: BlockingVm[]) => blocking.map((vm) => `${vm.name ?? "a VM you cannot see"}: ${vm.reason}`).join("; ");

export const hostEvacuationCheck = defineAction({
  name: "host.evacuation-check",
  input: z.object({ host: hostUuid }),
  authorize: { action: "host.maintenance", locate: (input) => locateHostFor(input.host), notFound: HOST_NOT_FOUND, requestedUuid: (input) => input.host },
  describe: ({ target }) => ({ objectName: target.host.name_label, nameOf: refNamer(target.connection.cache) }),
  query: true,
  async run({ actor, target }): Promise<ActionResult<{ blocking: BlockingVm[]; residents: number }>> {
    const residents = target.connection.cache.vmsByHost(target.host.$ref).filter((vm) => !vm.is_control_domain).length;
    return { ok: true, blocking: await vmsPreventingEvacuation(actor, target), residents };
  },
});

/**
 * Maintenance outlives a reboot: `auto_enable = false` keeps the host disabled until it is enabled explicitly
 * (an upgrade reboots the host, which must not take VMs before the admin says so). XAPI versions before the
 * parameter existed take the one-argument form.
 */
async function disableUntilEnabled(connection: PoolConnection, host: XapiObject<"host">): Promise<void> {
  try {
    await connection.client.call("host.disable", host.$ref, false);
  } catch (error) {
    if (!(error instanceof XapiError && error.code === "MESSAGE_PARAMETER_COUNT_MISMATCH")) throw error;
    await connection.client.call("host.disable", host.$ref);
  }
}

export const HOST_MAINTENANCE_OPERATIONS = ["enable", "disable", "enter", "exit"] as const;
export type HostMaintenanceOperation = (typeof HOST_MAINTENANCE_OPERATIONS)[number];

export const hostMaintenance = defineAction({
  name: "host.maintenance",
  input: z.object({
    host: hostUuid,
    operation: z.enum(HOST_MAINTENANCE_OPERATIONS, { error: "Unknown operation" }),
    /** Enter maintenance even if some VMs cannot leave (they stay; the host stays disabled). */
    force: formBoolean,
  }),
  authorize: { action: "host.maintenance", locate: (input) => locateHostFor(input.host), notFound: HOST_NOT_FOUND, requestedUuid: (input) => input.host },
  describe: ({ target }) => ({ objectName: target.host.name_label, nameOf: refNamer(target.connection.cache) }),
  async run({ actor, input, target, task, params }): Promise<ActionResult<{ message: string }>> {
    const { connection, host } = target;
    const name = host.name_label;
    const call = (method: string, ...args: unknown[]) => connection.client.call(method, ...args);
    switch (input.operation) {
      case "disable":
        await call("host.disable", host.$ref);
        await connection.catchUp();
        return { ok: true, message: `${name} is disabled: it takes no new VMs` };
      case "enable":
      case "exit":
        await call("host.enable", host.$ref);
        if (host.other_config[MAINTENANCE_MODE_KEY] !== undefined) await call("host.remove_from_other_config", host.$ref, MAINTENANCE_MODE_KEY);
        await connection.catchUp();
        return { ok: true, message: input.operation === "exit" ? `${name} left maintenance mode and takes VMs again` : `${name} is enabled` };
      case "enter": {
        const blocking = await vmsPreventingEvacuation(actor, target);
        if (blocking.length > 0) {
          params.blocking = blocking.map((vm) => ({ vm: vm.uuid, reason: vm.reason }));
          if (!input.force) {
            return refusal(
              "VMS_PREVENT_EVACUATION",
              `${blocking.length === 1 ? "1 VM cannot" : `${blocking.length} VMs cannot`} leave ${name}, so nothing was changed: ${blockingSummary(blocking)}`,
            );
          }
        }
        await disableUntilEnabled(connection, host);
        if (host.other_config[MAINTENANCE_MODE_KEY] === undefined) await call("host.add_to_other_config", host.$ref, MAINTENANCE_MODE_KEY, "true");
        try {
          await connection.callAsync("host.evacuate", [host.$ref], task);
        } catch (error) {
          if (input.force) throw new FollowUpError(`${name} is in maintenance mode, but not every VM left it`, error);
          // Back as it was: the host takes VMs again.
          await call("host.enable", host.$ref).catch(() => {});
          await call("host.remove_from_other_config", host.$ref, MAINTENANCE_MODE_KEY).catch(() => {});
          await connection.catchUp();
          throw error;
        }
        return { ok: true, message: `${name} is in maintenance mode: its VMs moved to other hosts` };
      }
    }
  },
});

export const HOST_POWER_OPERATIONS = ["reboot", "shutdown"] as const;
export type HostPowerOperation = (typeof HOST_POWER_OPERATIONS)[number];

export const hostPower = defineAction({
  name: "host.power",
  input: z.object({ host: hostUuid, operation: z.enum(HOST_POWER_OPERATIONS, { error: "Unknown operation" }) }),
  authorize: { action: "host.power", locate: (input) => locateHostFor(input.host), notFound: HOST_NOT_FOUND, requestedUuid: (input) => input.host },
  describe: ({ input, target }) => ({
    action: input.operation === "reboot" ? "reboot" : "shut down",
    objectName: target.host.name_label,
    nameOf: refNamer(target.connection.cache),
  }),
  async run({ input, target, task }): Promise<ActionResult<{ message: string }>> {
    const { connection, host } = target;
    await connection.callAsync(input.operation === "reboot" ? "host.reboot" : "host.shutdown", [host.$ref], task);
    return {
      ok: true,
      message: input.operation === "reboot" ? `${host.name_label} is rebooting; it will be back in a few minutes` : `${host.name_label} is shutting down`,
    };
  },
});
