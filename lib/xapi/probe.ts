/**
 * "Test the connection" for the registration form: log in (following HOST_IS_SLAVE), read what identifies the
 * pool (so that the same pool is not registered twice), log out. Errors are the client's typed errors.
 */
import { consoleLogger, XapiClient, type XapiLogger } from "./client";
import type { PoolConnectionConfig } from "./connection";
import type { Ref } from "./model/records.generated";

export interface PoolProbe {
  poolUuid: string;
  poolName: string;
  /** The master's URL (may differ from the URL given: any member works). */
  masterUrl: string;
  hostCount: number;
  /** API version of the master, e.g. "2.21". */
  apiVersion: string;
}

/** A connection test is one short session: its routine lines ("logged in to...") would only be noise in the log. */
const probeLogger: XapiLogger = { ...consoleLogger, info: () => {} };

export async function probePool(config: Omit<PoolConnectionConfig, "id" | "label" | "readOnly">, options: { timeoutMs?: number } = {}): Promise<PoolProbe> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = new XapiClient({
    ...config,
    readOnly: true,
    label: "probe",
    logger: probeLogger,
    callTimeoutMs: timeoutMs,
    connectTimeoutMs: Math.min(timeoutMs, 5_000),
  });
  try {
    const pools = await client.call<Record<Ref, { uuid: string; name_label: string; master: Ref }>>("pool.get_all_records");
    const [pool] = Object.values(pools);
    if (!pool) throw new Error("the pool has no pool object");
    const hosts = await client.call<Ref[]>("host.get_all");
    const [major, minor] = await Promise.all([
      client.call<number>("host.get_API_version_major", pool.master),
      client.call<number>("host.get_API_version_minor", pool.master),
    ]);
    return { poolUuid: pool.uuid, poolName: pool.name_label, masterUrl: client.masterUrl.origin, hostCount: hosts.length, apiVersion: `${major}.${minor}` };
  } finally {
    await client.close();
  }
}
