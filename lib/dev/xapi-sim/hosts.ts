/**
 * Hosts and the master role: `host.compute_free_memory`, server time, the management interface, the server
 * certificate (enable, disable, evacuation and power are in host-operations.ts), and master changes (`pool.designate_new_master`, and the failover fault), after
 * which the old master answers `HOST_IS_SLAVE [new master address]`.
 */
import type { HostRecord, PifRecord } from "@/lib/xapi/model/records.generated";
import { tlsPairOf, type TlsOptions } from "./config";
import { XapiError } from "./errors";
import { hostFreeMemory } from "./objects";
import type { SimPool } from "./pool";
import { NULL_REF } from "./protocol/xapi-types";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";
import { TEST_TLS } from "@/lib/dev/test/tls";

const hostOf = (ctx: CallContext, ref: unknown): StoredObject<HostRecord> => ctx.pool.need<HostRecord>("host", String(ref));

/** Makes `hostRef` the master of its pool (the pool record changes, so clients see it in events). */
export function designateMaster(pool: SimPool, hostRef: string): void {
  pool.need<HostRecord>("host", hostRef);
  if (pool.masterRef === hostRef) return;
  pool.store.update(pool.pool, { master: hostRef });
  // Sessions stay valid (they live in the pool database), like after a real master transition.
}

/**
 * The PEM of the certificate a host serves (its first certificate when the file holds a chain). Over plain
 * HTTP, hosts report the built-in test certificate: a real host always has one.
 */
export function serverCertificate(tls: TlsOptions | undefined, address: string): string {
  const pem = String(tlsPairOf(tls, address)?.cert ?? TEST_TLS.cert);
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  return first ? `${first[0]}\n` : pem;
}

export function hostMessages(r: MessageRegistry): void {
  r.define("host.compute_free_memory", (ctx, [ref]) => hostFreeMemory(ctx.pool, hostOf(ctx, ref).ref));
  // The host's own clock, which may be off (see clock.ts).
  r.define("host.get_servertime", (ctx, [ref]) => new Date(ctx.core.clock.hostNow(hostOf(ctx, ref).ref)));
  r.define("host.get_server_localtime", (ctx, [ref]) => new Date(ctx.core.clock.hostNow(hostOf(ctx, ref).ref)));
  r.define("host.get_management_interface", (ctx, [ref]) => {
    const host = hostOf(ctx, ref);
    const pif = host.rec.PIFs.find((p) => ctx.pool.store.getOf<PifRecord>("PIF", p)?.rec.management);
    return pif ?? NULL_REF;
  });
  r.define("host.get_server_certificate", (ctx, [ref]) => serverCertificate(ctx.pool.core.options.tls, hostOf(ctx, ref).rec.address));
  r.define("pool.designate_new_master", (ctx, [ref]) => {
    const host = hostOf(ctx, ref);
    if (!host.rec.enabled) throw new XapiError("HOST_DISABLED", [host.ref]);
    designateMaster(ctx.pool, host.ref);
  });
}
