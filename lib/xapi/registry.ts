/**
 * The process-wide registry of pool connections: one `PoolConnection` per registered pool.
 *
 * It lives on `globalThis` so that Next.js dev reloads (which re-evaluate modules) reuse it instead of opening
 * a second set of sessions. `refresh()` loads the configurations from the source (XenDeck's database), then
 * starts, stops or restarts connections; a periodic refresh lets several app instances sharing a database pick
 * up pools registered elsewhere.
 */
import { consoleLogger, type XapiLogger } from "./client";
import { PoolConnection, type PoolConnectionConfig, type PoolConnectionOptions, type PoolEvent } from "./connection";

export type RegistryEvent = PoolEvent | { type: "added" } | { type: "removed" };
export type RegistryListener = (poolId: string, event: RegistryEvent) => void;

export interface RegistryOptions {
  /** Periodic refresh interval; 0 disables it. Default 15 s. */
  refreshIntervalMs?: number;
  /** Options of every connection (timeouts, backoff, logger...). */
  connection?: PoolConnectionOptions;
  logger?: XapiLogger;
}

/** Fields whose change needs a new connection (a label change does not). */
const RESTART_FIELDS = ["url", "username", "password", "fingerprint", "readOnly"] as const;

export class PoolRegistry {
  private readonly connections = new Map<string, PoolConnection>();
  /** The configuration each connection was started with (the connection itself does not expose the password). */
  private readonly applied = new Map<string, PoolConnectionConfig>();
  private readonly unsubscribes = new Map<string, () => void>();
  private readonly listeners = new Set<RegistryListener>();
  private source: (() => Promise<PoolConnectionConfig[]>) | null = null;
  private refreshing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private options: RegistryOptions = {};
  private stopped = false;

  private get logger(): XapiLogger {
    return this.options.logger ?? consoleLogger;
  }

  configure(options: RegistryOptions): void {
    this.options = { ...this.options, ...options };
  }

  /** Where configurations come from (the web app's database loader). */
  setSource(load: () => Promise<PoolConnectionConfig[]>): void {
    this.source = load;
  }

  get(id: string): PoolConnection | undefined {
    return this.connections.get(id);
  }

  all(): PoolConnection[] {
    return [...this.connections.values()];
  }

  /** Events of every pool (cache changes, status) plus pools added and removed. */
  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reloads the configurations and reconciles: new pools are connected, removed ones stopped (logged out),
   * changed ones restarted. Calls are serialised; a failing source leaves the connections as they are.
   */
  refresh(): Promise<void> {
    const next = this.refreshing.then(() => this.reconcile());
    this.refreshing = next.catch(() => {});
    return next;
  }

  /** Starts the periodic refresh (idempotent). */
  startPeriodicRefresh(): void {
    const interval = this.options.refreshIntervalMs ?? 15_000;
    if (this.timer || interval <= 0) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error) => this.logger.warn(`[xapi registry] refresh failed: ${error instanceof Error ? error.message : String(error)}`));
    }, interval);
    this.timer.unref();
  }

  /** Stops every connection (logging out) and the periodic refresh. The registry can be started again. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    await this.refreshing;
    await Promise.all([...this.connections.keys()].map((id) => this.remove(id)));
    this.stopped = false;
  }

  // -------------------------------------------------------------------------------------------------------

  private async reconcile(): Promise<void> {
    if (!this.source || this.stopped) return;
    const configs = await this.source();
    const wanted = new Map(configs.map((config) => [config.id, config]));
    const work: Promise<void>[] = [];
    for (const id of this.connections.keys()) if (!wanted.has(id)) work.push(this.remove(id));
    for (const config of wanted.values()) {
      const existing = this.connections.get(config.id);
      const before = this.applied.get(config.id);
      if (!existing || !before) {
        this.add(config);
      } else if (RESTART_FIELDS.some((field) => (before[field] ?? null) !== (config[field] ?? null))) {
        this.logger.info(`[xapi registry] pool ${config.label}: configuration changed, reconnecting`);
        work.push(this.remove(existing.id, false).then(() => this.add(config)));
      } else if (before.label !== config.label) {
        existing.relabel(config.label);
        this.applied.set(config.id, config);
      }
    }
    await Promise.all(work);
  }

  private add(config: PoolConnectionConfig): void {
    const connection = new PoolConnection(config, { ...this.options.connection, logger: this.options.connection?.logger ?? this.options.logger });
    this.connections.set(config.id, connection);
    this.applied.set(config.id, config);
    this.unsubscribes.set(
      config.id,
      connection.subscribe((event) => this.emit(config.id, event)),
    );
    connection.start();
    this.emit(config.id, { type: "added" });
  }

  private async remove(id: string, announce = true): Promise<void> {
    const connection = this.connections.get(id);
    if (!connection) return;
    this.connections.delete(id);
    this.applied.delete(id);
    await connection.stop();
    this.unsubscribes.get(id)?.();
    this.unsubscribes.delete(id);
    if (announce) this.emit(id, { type: "removed" });
  }

  private emit(id: string, event: RegistryEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(id, event);
      } catch (error) {
        this.logger.warn(`[xapi registry] a listener failed: ${String(error)}`);
      }
    }
  }
}

const GLOBAL_KEY = Symbol.for("xendeck.xapi.poolRegistry");
type GlobalWithRegistry = typeof globalThis & { [GLOBAL_KEY]?: PoolRegistry };

/** The registry of this process (created on first use, shared across Next.js dev reloads). */
export function getPoolRegistry(): PoolRegistry {
  const holder = globalThis as GlobalWithRegistry;
  return (holder[GLOBAL_KEY] ??= new PoolRegistry());
}

/**
 * Server start (`instrumentation.ts`): sets the source, connects every registered pool and starts the periodic
 * refresh. Safe to call twice (the second call only refreshes). If the first load fails it rejects, and the
 * periodic refresh keeps trying.
 */
export async function startRegistry(load: () => Promise<PoolConnectionConfig[]>, options: RegistryOptions = {}): Promise<PoolRegistry> {
  const registry = getPoolRegistry();
  registry.configure(options);
  registry.setSource(load);
  try {
    await registry.refresh();
  } finally {
    // Even when the first load fails (database not ready): the periodic refresh retries it.
    registry.startPeriodicRefresh();
  }
  return registry;
}

/** Server shutdown: logs out of every pool. Safe to call twice, or without a start. */
export async function stopRegistry(): Promise<void> {
  const holder = globalThis as GlobalWithRegistry;
  await holder[GLOBAL_KEY]?.stop();
}
