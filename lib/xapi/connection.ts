/**
 * `PoolConnection`: the live view of one registered pool, one per pool per server process.
 *
 * Cycle: log in → `event.inject` (a token taken before the fetch, so nothing is missed) → `get_all_records`
 * of every cached class → `event.from` loop applying add/mod/del to the cache. Any failure of the loop
 * leads to a full resync, after a backoff when the pool is unreachable; so do a new session (SESSION_INVALID
 * answered by a re-login means a toolstack restart: tokens may not be trusted) and a move to another master.
 * While reconnecting, the cache keeps its last content: pages show it as stale, never empty.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import { PoolCache, type CacheChange, type CacheUpdate } from "./cache";
import { CACHED_CLASSES, CACHED_FIELDS, type CachedClass } from "./cached-fields";
import { XapiClient, consoleLogger, type CallAsyncOptions, type XapiClientOptions, type XapiLogger } from "./client";
import { decodeAs, recordDecoder, recordPlan, recordShape, type RawEventBatch, type RecordDecoder } from "./codec";
import { CLIENT_CODES, XapiError, describeXapiError } from "./errors";
import type { Ref } from "./model/records.generated";
import { Semaphore } from "./semaphore";
import { CachedTaskFeed } from "./cached-task-feed";
import { STARTED_BY_ID_KEY, STARTED_BY_NAME_KEY, TaskHistory, type TaskObjectClass, type TaskStarter } from "./task-history";
import type { ParsePlan } from "./xmlrpc-parser";

/** What the registry knows about a registered pool (from XenDeck's database). */
export interface PoolConnectionConfig {
  /** XenDeck's database id of the pool. */
  id: string;
  label: string;
  url: string;
  username: string;
  password: string;
  fingerprint?: string | null;
  readOnly: boolean;
}

/** A pool's configuration as the connection exposes it: everything but the password. */
export type PublicPoolConfig = Omit<PoolConnectionConfig, "password">;

export type PoolConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected" | "error";

export interface PoolConnectionStatus {
  state: PoolConnectionState;
  /** When `state` (or the error) last changed. */
  since: Date;
  /** The last failure, while not connected. The message is safe to show (no secrets). */
  error?: { code: string; message: string };
  /** Last moment the cache was known to be current (full sync or event batch). */
  lastSyncAt?: Date;
}

export type PoolEvent =
  | { type: "changes"; changes: CacheChange[]; version: number }
  /** The whole cache was reloaded (first sync or resync): re-read everything. */
  | { type: "resync"; version: number }
  | { type: "status"; status: PoolConnectionStatus };

export type PoolListener = (event: PoolEvent) => void;

/** `callAsync` options of a pool connection: the client's, who asked (written into the task), and on what. */
export interface PoolCallAsyncOptions extends CallAsyncOptions {
  startedBy?: TaskStarter;
  /** The object the task works on, by class and uuid (the tasks page names it; access to the task follows it). */
  about?: { cls: TaskObjectClass; uuid: string };
}

export interface PoolConnectionOptions {
  /** `event.from` timeout in seconds (XAPI clients use 60). */
  eventTimeoutS?: number;
  backoff?: BackoffOptions;
  logger?: XapiLogger;
  /** Passed to the client (timeouts, limits, concurrency). */
  client?: Partial<Omit<XapiClientOptions, "url" | "username" | "password" | "fingerprint" | "readOnly" | "label" | "logger" | "taskFeed">>;
}

const CLASS_BY_EVENT_NAME = new Map<string, CachedClass>(CACHED_CLASSES.map((cls) => [cls.toLowerCase(), cls]));
const EVENT_CLASSES = CACHED_CLASSES.map((cls) => cls.toLowerCase());
/** Event snapshots are decoded after parsing (their class is only known then)... */
const DECODERS = new Map<CachedClass, RecordDecoder>(CACHED_CLASSES.map((cls) => [cls, recordDecoder(cls, CACHED_FIELDS[cls], true)]));
/** ...while get_all_records answers are built into cached records by the parser itself. */
const FETCH_PLANS = new Map<CachedClass, ParsePlan>(CACHED_CLASSES.map((cls) => [cls, { each: recordPlan(recordShape(cls, CACHED_FIELDS[cls], true)) }]));
/** Event snapshots: only fields some cached class keeps are built. */
const EVENT_PLAN: ParsePlan = {
  members: { events: { each: { members: { snapshot: { keep: new Set(CACHED_CLASSES.flatMap((cls) => [...CACHED_FIELDS[cls]])) } } } } },
};

/** Errors after which retrying cannot help until the configuration changes. */
const FATAL_CODES = new Set<string>([CLIENT_CODES.certificateMismatch, CLIENT_CODES.certificateUntrusted]);

/**
 * `get_all_records` calls in flight per pool during a full sync (half the pool's call bound: pages keep the
 * rest), and for all pools of the process. Answers are parsed as they arrive (no answer is held whole), so
 * what is in flight costs little memory: the process-wide bound only keeps the number of sockets reasonable
 * while letting every pool's master work at once (a real master takes seconds to write its biggest answers).
 */
const FULL_SYNC_CONCURRENCY = 4;
const processWideFetches = new Semaphore(16);

/**
 * Relative answer sizes on a typical pool: a VM record is ~9 KB of XML, its disks (VBD + VDI), interfaces and
 * metrics come next. The biggest answers are asked first so that a sync ends with small ones instead of
 * waiting on a big answer asked last (longest first); classes not listed are small and come after.
 */
const ANSWER_WEIGHT: Partial<Record<CachedClass, number>> = {
  VM: 100,
  VDI: 45,
  VBD: 45,
  VIF: 30,
  VM_guest_metrics: 25,
  VM_metrics: 17,
  message: 10,
  console: 4,
};
const FETCH_ORDER = [...CACHED_CLASSES].sort((a, b) => (ANSWER_WEIGHT[b] ?? 1) - (ANSWER_WEIGHT[a] ?? 1));

/** At most one immediate resync per interval; more frequent ones wait for the backoff. */
const QUICK_RESYNC_INTERVAL_MS = 30_000;

class ResyncNeeded extends Error {}

export class PoolConnection {
  readonly id: string;
  private currentConfig: Readonly<PublicPoolConfig>;
  readonly cache = new PoolCache();
  /** The pool's tasks, kept for a while after they end (see task-history.ts). */
  readonly tasks = new TaskHistory(this.cache);
  readonly client: XapiClient;
  /** `callAsync`'s tasks, followed through this connection's event loop (tasks are cached). */
  private readonly taskFeed: CachedTaskFeed;
  private readonly logger: XapiLogger;
  private readonly eventTimeoutS: number;
  private readonly backoff: BackoffOptions;
  /** How long past its own timeout an `event.from` may take before the master is deemed hung. */
  private readonly longPollMarginMs: number;
  private readonly listeners = new Set<PoolListener>();
  private current: PoolConnectionStatus = { state: "connecting", since: new Date() };
  private lastSyncAt?: Date;
  private running: Promise<void> | null = null;
  private stopped = false;
  private loopController = new AbortController();
  private wakeUp: (() => void) | null = null;
  private syncWaiters: (() => void)[] = [];
  /** Token of the last applied batch, and the `catchUp` calls waiting for the loop to pass a token. */
  private token: string | null = null;
  private readonly tokenWaiters = new Set<{ token: string; resolve: () => void }>();
  /** The client's login count when the cache was last loaded: another login means another session. */
  private syncedLogins = 0;

  constructor(config: PoolConnectionConfig, options: PoolConnectionOptions = {}) {
    this.id = config.id;
    const { password: _password, ...withoutPassword } = config;
    this.currentConfig = Object.freeze(withoutPassword);
    this.logger = options.logger ?? consoleLogger;
    this.eventTimeoutS = options.eventTimeoutS ?? 60;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.longPollMarginMs = Math.min(options.client?.callTimeoutMs ?? 15_000, 15_000);
    this.taskFeed = new CachedTaskFeed(this.cache, () => this.client, this.logger, config.label);
    this.client = new XapiClient({
      ...options.client,
      url: config.url,
      username: config.username,
      password: config.password,
      fingerprint: config.fingerprint,
      readOnly: config.readOnly,
      label: config.label,
      logger: this.logger,
      eventTimeoutS: this.eventTimeoutS,
      taskFeed: this.taskFeed,
    });
    this.client.onMasterChange(() => this.loopController.abort());
  }

  /** The configuration this connection runs with, without the password (which only the client holds). */
  get config(): Readonly<PublicPoolConfig> {
    return this.currentConfig;
  }

  /** A new label needs no reconnection. */
  relabel(label: string): void {
    this.currentConfig = Object.freeze({ ...this.currentConfig, label });
  }

  get status(): PoolConnectionStatus {
    return { ...this.current, lastSyncAt: this.lastSyncAt };
  }

  /** The pool's XAPI uuid, once synced. */
  get poolUuid(): string | undefined {
    return this.cache.pool()?.uuid;
  }

  /** Batched cache changes and status changes. Returns the unsubscribe function. */
  subscribe(listener: PoolListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the connection loop (idempotent). */
  start(): this {
    if (!this.running && !this.stopped) this.running = this.run();
    return this;
  }

  /** Resolves once the cache is complete (now, if it already is); rejects after `timeoutMs`. */
  waitForSync(timeoutMs = 60_000): Promise<void> {
    if (this.current.state === "connected") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `pool ${this.config.label} not synced within ${timeoutMs} ms (${this.current.state}${this.current.error ? `: ${this.current.error.message}` : ""})`,
            ),
          ),
        timeoutMs,
      );
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Resolves once the cache reflects every change made on the pool before this call (a barrier: a token is
   * taken with `event.inject` and the event loop must pass it), or after `timeoutMs` at the latest. Resolves
   * at once while the connection is not live: there is nothing to wait for then.
   */
  async catchUp(timeoutMs = 5_000): Promise<void> {
    const pool = this.cache.pool();
    if (this.current.state !== "connected" || !pool) return;
    const target = await this.client.request<string>("event.inject", ["pool", pool.$ref]);
    if (this.token !== null && this.token >= target) return;
    await new Promise<void>((resolve) => {
      const waiter = { token: target, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.tokenWaiters.delete(waiter);
        resolve();
      }, timeoutMs);
      this.tokenWaiters.add(waiter);
    });
  }

  /**
   * `client.callAsync`, then `catchUp()`: when it resolves, the cache already shows the operation's effects,
   * so a page rendered next is up to date.
   */
  async callAsync<T = unknown>(method: string, params: readonly unknown[] = [], options: PoolCallAsyncOptions = {}): Promise<T> {
    const { startedBy, about, ...clientOptions } = options;
    let taskRef: Ref | undefined;
    const followed: CallAsyncOptions = {
      ...clientOptions,
      onTask: (ref) => {
        taskRef = ref;
        if (startedBy) this.markStarter(ref, startedBy);
        const object = about ? this.cache.getByUuid(about.cls, about.uuid) : undefined;
        if (object)
          this.tasks.noteObject(ref, { cls: about!.cls, ref: object.$ref, uuid: object.uuid, operation: method.replace(/^(Async\.)?[A-Za-z_]+\./, "") });
        options.onTask?.(ref);
      },
      onProgress: (progress, task) => {
        if (taskRef) this.tasks.noteSnapshot(taskRef, task);
        options.onProgress?.(progress, task);
      },
    };
    try {
      return await this.client.callAsync<T>(method, params, followed);
    } finally {
      await this.catchUp().catch(() => {});
    }
  }

  /** Who started a task: noted at once, and written into the task for the other XenDeck instances (best effort). */
  private markStarter(ref: Ref, starter: TaskStarter): void {
    this.tasks.noteStarter(ref, starter);
    for (const [key, value] of [
      [STARTED_BY_ID_KEY, starter.id],
      [STARTED_BY_NAME_KEY, starter.username],
    ]) {
      this.client.request("task.add_to_other_config", [ref, key, value]).catch((error: unknown) => {
        this.logger.debug(`[xapi ${this.config.label}] task.add_to_other_config: ${String(error)}`);
      });
    }
  }

  /** Stops the loop and logs out. The cache keeps its content; the status becomes `disconnected`. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const waiter of this.tokenWaiters) waiter.resolve();
    this.tokenWaiters.clear();
    this.loopController.abort();
    this.wakeUp?.();
    await this.client.close();
    await this.running?.catch(() => {});
    this.setStatus("disconnected");
  }

  // -------------------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    let attempt = 0;
    let everSynced = false;
    let lastQuickResync = 0;
    while (!this.stopped) {
      this.loopController = new AbortController();
      try {
        const token = await this.fullSync();
        everSynced = true;
        attempt = 0;
        await this.followEvents(token);
      } catch (error) {
        if (this.stopped) break;
        const resync =
          error instanceof ResyncNeeded ||
          (error instanceof XapiError && (error.code === "EVENTS_LOST" || error.code === "EVENT_FROM_TOKEN_PARSE_FAILURE" || error.kind === "aborted"));
        const described = describe(error);
        if (!(error instanceof XapiError) && !(error instanceof ResyncNeeded)) this.logger.error(`[xapi ${this.config.label}] unexpected error`, error);
        if (error instanceof XapiError && FATAL_CODES.has(error.code)) {
          this.logger.error(`[xapi ${this.config.label}] stopped: ${described.message}`);
          this.setStatus("error", described);
          return; // the registry restarts the connection when the pinned fingerprint changes
        }
        // A resync right away, unless one just happened (a pool that keeps losing events gets the backoff).
        if (resync && Date.now() - lastQuickResync > QUICK_RESYNC_INTERVAL_MS) {
          this.logger.info(`[xapi ${this.config.label}] resynchronising (${described.message})`);
          lastQuickResync = Date.now();
          continue;
        }
        const lostContact = error instanceof XapiError && (error.kind === "transport" || error.kind === "timeout" || error.kind === "aborted");
        this.setStatus(everSynced && lostContact ? "reconnecting" : "error", described);
        const delay = backoffDelay(attempt++, this.backoff);
        this.logger.warn(`[xapi ${this.config.label}] ${described.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        await this.sleep(delay);
      }
    }
  }

  /** Token first, then every class; the cache is replaced in one step. Returns the token to follow. */
  private async fullSync(): Promise<string> {
    const client = this.client;
    const pools = await client.request<Ref[]>("pool.get_all", []);
    if (!Array.isArray(pools) || pools.length === 0)
      throw new XapiError(CLIENT_CODES.protocol, [], { kind: "protocol", message: "the pool has no pool object" });
    const token = await client.request<string>("event.inject", ["pool", pools[0]]);
    const loginsAtSync = client.loginCount;
    const started = Date.now();
    const fetching = new Semaphore(FULL_SYNC_CONCURRENCY);
    const perClass = await Promise.all(
      FETCH_ORDER.map(async (cls) => {
        const records = await fetching.run(() =>
          processWideFetches.run(() =>
            client.request<Record<Ref, Record<string, unknown>>>(`${cls}.get_all_records`, [], { decode: false, plan: FETCH_PLANS.get(cls) }),
          ),
        );
        if (typeof records !== "object" || records === null || Array.isArray(records))
          throw new XapiError(CLIENT_CODES.protocol, [], { kind: "protocol", message: `${cls}.get_all_records did not answer a map` });
        return [cls, records] as const;
      }),
    );
    const count = this.cache.load(
      (function* () {
        for (const [cls, records] of perClass) for (const ref in records) yield { class: cls, ref, record: records[ref] };
      })(),
    );
    this.token = token;
    this.syncedLogins = loginsAtSync;
    this.tasks.reload();
    this.updateMembers();
    this.lastSyncAt = new Date();
    this.logger.info(`[xapi ${this.config.label}] synchronised ${count} objects in ${Date.now() - started} ms`);
    this.setStatus("connected");
    this.emit({ type: "resync", version: this.cache.version });
    this.taskFeed.reloaded();
    for (const waiter of this.syncWaiters.splice(0)) waiter();
    return token;
  }

  private async followEvents(startToken: string): Promise<void> {
    let token = startToken;
    const signal = this.loopController.signal;
    for (;;) {
      const raw = await this.client.request("event.from", [EVENT_CLASSES, token, this.eventTimeoutS], {
        longPoll: true,
        signal,
        timeoutMs: this.eventTimeoutS * 1000 + this.longPollMarginMs,
        decode: false,
        plan: EVENT_PLAN,
      });
      const batch = decodeAs("an event batch", raw, "event.from") as RawEventBatch;
      const updates: CacheUpdate[] = [];
      let hostsChanged = false;
      for (const event of batch.events) {
        const cls = CLASS_BY_EVENT_NAME.get(event.class.toLowerCase());
        if (!cls) continue;
        if (cls === "host") hostsChanged = true;
        updates.push({
          class: cls,
          ref: event.ref,
          operation: event.operation,
          record: event.operation === "del" ? undefined : DECODERS.get(cls)!(event.snapshot, cls),
        });
      }
      token = batch.token;
      this.token = token;
      this.lastSyncAt = new Date();
      const changes = this.cache.apply(updates);
      this.tasks.observe(changes);
      if (hostsChanged) this.updateMembers();
      if (changes.length > 0) this.emit({ type: "changes", changes, version: this.cache.version });
      this.taskFeed.applied(changes);
      for (const waiter of this.tokenWaiters) {
        if (waiter.token <= token) {
          this.tokenWaiters.delete(waiter);
          waiter.resolve();
        }
      }
      if (this.client.loginCount !== this.syncedLogins) throw new ResyncNeeded("a new session was opened (the pool's toolstack may have restarted)");
      const drift = this.countDrift(batch.valid_ref_counts);
      if (drift) throw new ResyncNeeded(`the cache holds ${drift.cached} ${drift.cls} objects, the pool ${drift.valid}: events were missed`);
    }
  }

  /**
   * `valid_ref_counts` tells how many objects of each class exist as of the batch's token: a difference with
   * the cache means missed events. Messages are left out: real pools keep them outside the object database.
   */
  private countDrift(counts: Record<string, number>): { cls: CachedClass; cached: number; valid: number } | null {
    for (const [name, valid] of Object.entries(counts)) {
      const cls = CLASS_BY_EVENT_NAME.get(name.toLowerCase());
      if (!cls || cls === "message") continue;
      const cached = this.cache.count(cls);
      if (cached !== valid) return { cls, cached, valid };
    }
    return null;
  }

  private updateMembers(): void {
    this.client.setMembers(this.cache.list("host").map((host) => ({ ref: host.$ref, address: host.address })));
  }

  private setStatus(state: PoolConnectionState, error?: { code: string; message: string }): void {
    const previous = this.current;
    if (previous.state === state && previous.error?.code === error?.code && previous.error?.message === error?.message) return;
    this.current = { state, since: new Date(), ...(error ? { error } : {}) };
    this.emit({ type: "status", status: this.status });
  }

  private emit(event: PoolEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn(`[xapi ${this.config.label}] a pool listener failed: ${String(error)}`);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof XapiError) return { code: error.code, message: describeXapiError(error) };
  if (error instanceof ResyncNeeded) return { code: "XENDECK_RESYNC", message: error.message };
  return { code: "XENDECK_INTERNAL_ERROR", message: "unexpected error in the pool connection (see the server log)" };
}
