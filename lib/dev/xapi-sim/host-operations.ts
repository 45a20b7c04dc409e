/**
 * Host maintenance messages with XAPI's rules (message_forwarding.ml / xapi_host.ml): `host.disable` (with
 * `auto_enable`), `host.enable` (HOST_DISABLED_UNTIL_REBOOT while the host goes down), `host.evacuate` (the
 * plan's first error, else the guests migrate away; optional migration network), `host.assert_can_evacuate`
 * (CANNOT_EVACUATE_HOST), `host.get_vms_which_prevent_evacuation`, `host.reboot` and `host.shutdown` (a
 * disabled host only: HOST_NOT_DISABLED). Calls about a member that is down answer HOST_OFFLINE [host].
 */
import type { HostRecord, NetworkRecord, PifRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import { evacuateHost, evacuationPlan, vmsPreventingEvacuation } from "./evacuation";
import { assertNotGoingDown, beginPowerOff, powerState } from "./host-power";
import { isHostLive, refreshHostOperations, withHostOperation } from "./host-rules";
import type { SimPool } from "./pool";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";

type Host = StoredObject<HostRecord>;

const hostOf = (ctx: CallContext, ref: unknown): Host => ctx.pool.need<HostRecord>("host", String(ref));

/** XAPI forwards these calls to the host itself; a member that is down cannot take them. */
function assertReachable(pool: SimPool, host: Host): void {
  if (host.ref !== pool.masterRef && !isHostLive(pool, host.ref)) throw new XapiError("HOST_OFFLINE", [host.ref]);
}

/** The migration network of `host.evacuate` must have an attached PIF with an address on every destination. */
function assertMigrationNetwork(pool: SimPool, networkRef: string, destinations: string[]): void {
  const network = pool.need<NetworkRecord>("network", networkRef);
  for (const hostRef of new Set(destinations)) {
    const pif = network.rec.PIFs.map((p) => pool.store.getOf<PifRecord>("PIF", p)).find((p) => p?.rec.host === hostRef);
    if (!pif) throw new XapiError("PIF_NOT_PRESENT", [hostRef, network.ref]);
    if (!pif.rec.currently_attached) throw new XapiError("REQUIRED_PIF_IS_UNPLUGGED", [pif.ref]);
    if (pif.rec.IP === "" && pif.rec.IPv6.length === 0) throw new XapiError("INTERFACE_HAS_NO_IP", [pif.ref]);
  }
}

export function hostOperationMessages(r: MessageRegistry): void {
  r.define("host.disable", (ctx, [ref, autoEnable]) => {
    const host = hostOf(ctx, ref);
    assertReachable(ctx.pool, host);
    if (host.rec.enabled) {
      ctx.pool.store.update(host, { enabled: false });
      const stay = powerState(ctx.pool).stayDisabled;
      if (autoEnable === false) stay.add(host.ref);
      else stay.delete(host.ref);
    }
    refreshHostOperations(ctx.pool, host);
  });

  r.define("host.enable", (ctx, [ref]) => {
    const host = hostOf(ctx, ref);
    return withHostOperation(ctx.pool, host, "enable", ctx.op.taskRef, () => {
      assertReachable(ctx.pool, host);
      if (host.rec.enabled) return;
      assertNotGoingDown(ctx.pool, host);
      powerState(ctx.pool).stayDisabled.delete(host.ref);
      ctx.pool.store.update(host, { enabled: true });
    });
  });

  r.define("host.get_vms_which_prevent_evacuation", (ctx, [ref]) => vmsPreventingEvacuation(ctx.pool, hostOf(ctx, ref).ref));

  r.define("host.assert_can_evacuate", (ctx, [ref]) => {
    const errors = Object.values(vmsPreventingEvacuation(ctx.pool, hostOf(ctx, ref).ref)).map((error) => error.join(","));
    if (errors.length > 0) throw new XapiError("CANNOT_EVACUATE_HOST", [errors.join("|")]);
  });

  r.define("host.evacuate", (ctx, [ref, network, batchSize]) => {
    const host = hostOf(ctx, ref);
    return withHostOperation(ctx.pool, host, "evacuate", ctx.op.taskRef, () => {
      if (network !== undefined && network !== NULL_REF) {
        const destinations = [...evacuationPlan(ctx.pool, host.ref).values()].flatMap((step) => ("migrateTo" in step ? [step.migrateTo] : []));
        assertMigrationNetwork(ctx.pool, String(network), destinations);
      }
      return evacuateHost(ctx, host, Number(batchSize ?? 0));
    });
  });

  for (const reboot of [true, false]) {
    r.define(reboot ? "host.reboot" : "host.shutdown", (ctx, [ref]) => {
      const host = hostOf(ctx, ref);
      return withHostOperation(ctx.pool, host, reboot ? "reboot" : "shutdown", ctx.op.taskRef, () => {
        assertReachable(ctx.pool, host);
        if (host.rec.enabled) throw new XapiError("HOST_NOT_DISABLED", []);
        beginPowerOff(ctx, host, reboot);
      });
    });
  }
}
