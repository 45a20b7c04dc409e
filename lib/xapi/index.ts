/**
 * The XAPI client of XenDeck: public API for the web app (server side only).
 *
 *   const registry = getPoolRegistry();            // one per process, started by instrumentation.ts
 *   const pool = registry.get(poolId);              // PoolConnection
 *   pool.status; pool.cache.list("VM"); pool.cache.vbdsByVm(vm.$ref); pool.subscribe(listener);
 *   await pool.callAsync("VM.start", [vm.$ref, false, false], { onProgress }); // resolves once the cache shows it
 *
 * See lib/xapi/README.md.
 */
import "server-only";

export {
  CLIENT_CODES,
  XapiCertificateError,
  XapiError,
  XapiHttpError,
  XapiProtocolError,
  XapiReadOnlyError,
  XapiTimeoutError,
  XapiTransportError,
  describeXapiError,
  isXapiError,
} from "./errors";
export type { DescribeContext, XapiErrorKind } from "./errors";
export { XapiClient, parsePoolUrl } from "./client";
export type { CallAsyncOptions, RequestOptions, ResourceOptions, XapiClientOptions, XapiLogger } from "./client";
export { NULL_REF, XapiFloat } from "./codec";
export { PoolCache } from "./cache";
export type { CacheChange, ChangeOperation, XapiObject } from "./cache";
export { CACHED_CLASSES, CACHED_FIELDS } from "./cached-fields";
export type { CachedClass, CachedClassRecords, CachedRecord } from "./cached-fields";
export { PoolConnection } from "./connection";
export type {
  PoolConnectionConfig,
  PublicPoolConfig,
  PoolConnectionOptions,
  PoolConnectionState,
  PoolConnectionStatus,
  PoolEvent,
  PoolListener,
  PoolCallAsyncOptions,
} from "./connection";
export { TASK_OBJECT_CLASSES, isTaskRunning } from "./task-history";
export type { TaskEntry, TaskFields, TaskObjectClass, TaskObjectLink, TaskStarter } from "./task-history";
export { PoolRegistry, getPoolRegistry, startRegistry, stopRegistry } from "./registry";
export type { RegistryEvent, RegistryListener, RegistryOptions } from "./registry";
export { fetchCertificate } from "./certificate";
export type { CertificateInfo } from "./certificate";
export { probePool } from "./probe";
export { importRawVdi } from "./import-raw-vdi";
export type { PoolProbe } from "./probe";
export { normalizeFingerprint } from "./tls";
export { isReadOnlyMethod } from "./read-only";
export type * from "./model/records.generated";
