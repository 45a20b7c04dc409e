/**
 * `XapiClient`: the one way XenDeck talks to a pool.
 *
 * - Sessions: logs in on first use, follows `HOST_IS_SLAVE` to the master (same scheme and port), logs in
 *   again once when a call meets `SESSION_INVALID`, logs out on `close()`.
 * - Failover: remembers every member's address (refreshed at each login, and by the live connection); when the
 *   master stops answering, probes them all and moves to whichever is master now.
 * - Calls: bounded concurrency per pool, a deadline per call, typed results decoded against the model,
 *   read-only pools refuse side-effect calls before anything is sent.
 * - `callAsync`: runs `Async.<method>`, follows the task through the event stream (its pool connection's, see
 *   `task-watchers.ts`), reports progress, cancels on abort or timeout, destroys the task once finished.
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { decodeResult, decodeTaskResult, encodeMethodCall, responseSink, resultType } from "./codec";
import {
  CLIENT_CODES,
  XapiCertificateError,
  XapiError,
  XapiHttpError,
  XapiProtocolError,
  XapiReadOnlyError,
  XapiTimeoutError,
  XapiTransportError,
  redactSession,
} from "./errors";
import type { Ref, TaskRecord } from "./model/records.generated";
import { isReadOnlyMethod } from "./read-only";
import { Semaphore } from "./semaphore";
import { OwnTaskEvents } from "./own-task-events";
import type { TaskFeed } from "./task-watchers";
import { normalizeFingerprint, type TrustPolicy } from "./tls";
import { Transport, type BodySink, type PutAnswer } from "./transport";
import type { ParsePlan } from "./xmlrpc-parser";

export interface XapiLogger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const consoleLogger: XapiLogger = {
  debug: (message, ...details) => {
    if (process.env.XENDECK_XAPI_DEBUG) console.debug(message, ...details);
  },
  info: (message, ...details) => console.info(message, ...details),
  warn: (message, ...details) => console.warn(message, ...details),
  error: (message, ...details) => console.error(message, ...details),
};

export interface XapiClientOptions {
  /** Any host of the pool: `https://10.0.0.1` (port optional), or `http://` when the URL says so. */
  url: string;
  username: string;
  password: string;
  /** Pinned SHA-256 fingerprint of the host's certificate; absent: verify with the system CAs. */
  fingerprint?: string | null;
  /** Refuse every call with side effects, before it is sent. */
  readOnly?: boolean;
  /** For log lines. */
  label?: string;
  /** Concurrent calls per pool (long polls of the event stream are not counted). Default 8. */
  maxConcurrentCalls?: number;
  /** Deadline of an ordinary call. Default 60 s. */
  callTimeoutMs?: number;
  /** Deadline for TCP + TLS setup and for failover probes. Default 5 s. */
  connectTimeoutMs?: number;
  /** Largest answer accepted. Default 256 MiB. */
  maxResponseBytes?: number;
  /** `event.from` timeout of the client's own task events (when no `taskFeed` is given), in seconds. Default 60. */
  eventTimeoutS?: number;
  logger?: XapiLogger;
  /** What reports task changes to `callAsync`: a pool connection's event loop; by default, the client's own task events. */
  taskFeed?: TaskFeed;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** An `event.from` long poll: not counted against the concurrency bound. */
  longPoll?: boolean;
  /** Which parts of the result to build (see `ParsePlan`); used with `decode: false`. */
  plan?: ParsePlan;
  /** Decode the result against the model's result type (default true). */
  decode?: boolean;
}

export interface CallAsyncOptions {
  /** Called once with the task's ref as soon as XAPI created it (before any progress): for audit and logs. */
  onTask?: (taskRef: string) => void;
  onProgress?: (progress: number, task: Readonly<Partial<TaskRecord>>) => void;
  /** Aborting cancels the task (`task.cancel`). */
  signal?: AbortSignal;
  /** Default 1 hour; the task is cancelled when it expires. */
  timeoutMs?: number;
}

export interface ResourceOptions {
  /** The host to ask, by address (`host.address`); the master when absent. */
  address?: string;
  /** Default: the call deadline (60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

interface Member {
  address: string;
  /** SHA-256 fingerprint of its certificate, learnt from the (verified) master. */
  fingerprint?: string;
}

type Listener = (masterUrl: URL) => void;

const DEFAULTS = {
  maxConcurrentCalls: 8,
  callTimeoutMs: 60_000,
  connectTimeoutMs: 5_000,
  maxResponseBytes: 256 * 1024 * 1024,
  eventTimeoutS: 60,
  callAsyncTimeoutMs: 60 * 60_000,
};

/** Deadline of a login (an external directory can make it slow, but not this slow). */
const LOGIN_TIMEOUT_MS = 30_000;

/** How long we still follow a cancelled or timed-out task to destroy it once finished. */
const CANCEL_GRACE_MS = 30_000;

export class XapiClient {
  readonly label: string;
  readonly readOnly: boolean;
  private readonly options: Required<Omit<XapiClientOptions, "fingerprint" | "label" | "readOnly" | "taskFeed">>;
  private readonly transport: Transport;
  private readonly limiter: Semaphore;
  private readonly pinned: string | null;
  private readonly tasks: TaskFeed;
  private master: URL;
  private session: string | null = null;
  private sessionPromise: Promise<string> | null = null;
  private failoverPromise: Promise<void> | null = null;
  private members = new Map<Ref, Member>();
  private closed = false;
  private logins = 0;
  private readonly masterListeners = new Set<Listener>();
  private readonly closeController = new AbortController();
  private readonly background = new Set<Promise<void>>();

  constructor(options: XapiClientOptions) {
    this.master = parsePoolUrl(options.url);
    this.label = options.label ?? this.master.host;
    this.readOnly = options.readOnly ?? false;
    this.options = {
      url: options.url,
      username: options.username,
      password: options.password,
      maxConcurrentCalls: options.maxConcurrentCalls ?? DEFAULTS.maxConcurrentCalls,
      callTimeoutMs: options.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      eventTimeoutS: options.eventTimeoutS ?? DEFAULTS.eventTimeoutS,
      logger: options.logger ?? consoleLogger,
    };
    if (options.fingerprint) {
      this.pinned = normalizeFingerprint(options.fingerprint);
      if (!this.pinned) throw new TypeError("the pinned fingerprint is not a SHA-256 fingerprint (64 hex digits)");
    } else {
      this.pinned = null;
    }
    this.limiter = new Semaphore(this.options.maxConcurrentCalls);
    this.transport = new Transport({
      // concurrent calls + an event loop (the live connection's, or the client's own task events) + failover probes
      maxSockets: this.options.maxConcurrentCalls + 4,
      connectTimeoutMs: this.options.connectTimeoutMs,
      trust: () => ({ pinned: this.trustedFingerprints() }),
    });
    this.tasks = options.taskFeed ?? new OwnTaskEvents(this, this.options.eventTimeoutS, this.options.logger, this.label);
  }

  /** The URL calls currently go to (the pool master as last seen). */
  get masterUrl(): URL {
    return new URL(this.master);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Grows at every login (first one, re-login after SESSION_INVALID, failover): a new session was opened. */
  get loginCount(): number {
    return this.logins;
  }

  /** Addresses of the pool's hosts as last seen (used to find the master after a failover). */
  get memberAddresses(): string[] {
    return [...new Set([...this.members.values()].map((m) => m.address))];
  }

  /** Called with the new master URL when the client moves to another host. */
  onMasterChange(listener: Listener): () => void {
    this.masterListeners.add(listener);
    return () => this.masterListeners.delete(listener);
  }

  /** Updates the member list from host records (the live connection calls this on host changes). */
  setMembers(hosts: Iterable<{ ref: Ref; address: string }>): void {
    const next = new Map<Ref, Member>();
    for (const { ref, address } of hosts) {
      if (!address) continue;
      next.set(ref, { address, fingerprint: this.members.get(ref)?.fingerprint });
    }
    if (next.size > 0) this.members = next;
  }

  /** Logs in now (otherwise the first call does). Resolves when a session with the master exists. */
  async connect(): Promise<void> {
    await this.ensureSession();
  }

  /**
   * A session for XAPI's HTTP handlers (consoles...), which take it as a `session_id` cookie on any host of the
   * pool, logging in if needed; with the trust policy those hosts' certificates must pass (when pinning: the
   * master's and the members' fingerprints).
   */
  async httpSession(): Promise<{ session: string; trust: TrustPolicy }> {
    this.assertOpen("http session");
    const session = await this.ensureSession();
    return { session, trust: { pinned: this.trustedFingerprints() } };
  }

  /** An HTTP handler refused `session` (401): the next call logs in again, as after SESSION_INVALID. */
  sessionRefused(session: string): void {
    this.dropSession(session);
  }

  /** Calls `method` with the session prepended; the result is decoded against the model. */
  call<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    return this.request<T>(method, params);
  }

  /** `call` with options (deadline, abort signal, long poll, parse plan, raw result). */
  async request<T = unknown>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    this.assertOpen(method);
    if (this.readOnly && !isReadOnlyMethod(method)) throw new XapiReadOnlyError(method);
    const run = () => this.callWithSession(method, params, options);
    const raw = options.longPoll ? await run() : await this.limiter.run(run);
    try {
      return (options.decode === false ? raw : decodeResult(method, raw)) as T;
    } catch (error) {
      if (error instanceof XapiError) error.method ??= method;
      throw error;
    }
  }

  /**
   * Runs `Async.<method>` and resolves with its decoded result once the task succeeds; rejects with the
   * task's `XapiError` (from `error_info`), `TASK_CANCELLED` when cancelled, or a timeout error.
   */
  async callAsync<T = unknown>(method: string, params: readonly unknown[] = [], options: CallAsyncOptions = {}): Promise<T> {
    const asyncMethod = method.startsWith("Async.") ? method : `Async.${method}`;
    this.assertOpen(asyncMethod);
    if (this.readOnly) throw new XapiReadOnlyError(asyncMethod);
    if (options.signal?.aborted) throw abortedError(asyncMethod);
    const taskRef = await this.request<string>(asyncMethod, params, { signal: options.signal });
    return this.awaitTask<T>(method, taskRef, options);
  }

  /**
   * Follows a task the caller started (`callAsync`'s, or one made with `task.create` for an HTTP handler) until
   * it finishes: resolves with its result decoded as `method`'s, rejects with its error; cancels it on abort or
   * timeout; destroys it once finished.
   */
  async awaitTask<T = unknown>(method: string, taskRef: string, options: CallAsyncOptions = {}): Promise<T> {
    options.onTask?.(taskRef);
    const watch = this.tasks.watch(taskRef, (task) => {
      if (typeof task.progress === "number") options.onProgress?.(task.progress, task);
    });
    // On abort or timeout: cancel the task, then keep following it a little so that it can be destroyed.
    let stopReason: XapiError | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let cleanup = () => {};
    const gaveUp = new Promise<never>((_, reject) => {
      const stop = (reason: XapiError) => {
        if (stopReason) return;
        stopReason = reason;
        this.inBackground("task.cancel", [taskRef]);
        graceTimer = setTimeout(() => reject(reason), CANCEL_GRACE_MS);
      };
      const deadline = options.timeoutMs ?? DEFAULTS.callAsyncTimeoutMs;
      const timer = setTimeout(
        () => stop(new XapiTimeoutError(`${method}: the task did not finish within ${(deadline / 1000).toFixed(0)} s`, { method })),
        deadline,
      );
      const onAbort = () => stop(abortedError(method));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      cleanup = () => {
        clearTimeout(timer);
        clearTimeout(graceTimer);
        options.signal?.removeEventListener("abort", onAbort);
      };
    });
    gaveUp.catch(() => {});
    try {
      const task = await Promise.race([watch.done, gaveUp]);
      if (task.status === "success") {
        if (stopReason?.kind === "timeout") throw stopReason;
        return decodeTaskResult(task.result, resultType(method)) as T;
      }
      if (task.status === "cancelled") throw stopReason ?? new XapiError("TASK_CANCELLED", [taskRef], { method });
      throw XapiError.fromDescription(task.error_info.length ? task.error_info : ["INTERNAL_ERROR", "the task failed without error_info"], method);
    } finally {
      cleanup();
      watch.stop();
      if (watch.finished && !this.closed) this.inBackground("task.destroy", [taskRef]);
    }
  }

  /**
   * GETs an HTTP resource of one of the pool's hosts (`/rrd_updates`, `/vm_rrd`...) with the session in the query,
   * the answer fed to a fresh `sink()` as it arrives (HTTP 200 only; other statuses are `XapiHttpError`s). Logs in
   * again once on 401; follows redirections to other hosts of the pool (never elsewhere: the session travels in the
   * URL), as `/vm_rrd` does to the VM's host. Counted against the pool's concurrency bound, like calls.
   */
  async getResource<T>(path: string, query: Record<string, string>, sink: () => BodySink<T>, options: ResourceOptions = {}): Promise<T> {
    const method = `GET ${path}`;
    this.assertOpen(method);
    let base = options.address ? hostUrl(this.master, options.address) : new URL(this.master);
    let resource = path;
    let params = new URLSearchParams(query);
    let reloggedIn = false;
    for (let hops = 0; ;) {
      const session = await this.ensureSession();
      const url = new URL(base);
      url.pathname = resource;
      const search = new URLSearchParams(params);
      search.set("session_id", session);
      url.search = search.toString();
      const signal = options.signal ? AbortSignal.any([options.signal, this.closeController.signal]) : this.closeController.signal;
      try {
        return await this.limiter.run(() =>
          this.transport.get(
            url,
            { timeoutMs: options.timeoutMs ?? this.options.callTimeoutMs, maxBytes: this.options.maxResponseBytes, signal, method },
            sink(),
          ),
        );
      } catch (error) {
        if (!(error instanceof XapiHttpError) || this.closed) throw error;
        if (error.status === 401 && !reloggedIn) {
          reloggedIn = true;
          this.dropSession(session);
          continue;
        }
        if (REDIRECT_STATUSES.has(error.status) && error.location && hops < 3) {
          const next = new URL(error.location, url);
          if (!this.isPoolHost(next.hostname)) throw new XapiProtocolError(`${method}: ${url.host} redirected outside the pool (${next.host})`, { method });
          // The same scheme and port as the pool's URL (xapi writes https:// without a port).
          base = hostUrl(this.master, next.hostname.replace(/^\[(.*)\]$/, "$1"));
          resource = next.pathname;
          params = new URLSearchParams(next.search);
          params.delete("session_id");
          hops++;
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * PUTs `body` to one of the master's HTTP handlers (`/import_raw_vdi`), authenticated by the session, with the
   * same certificate trust as calls; follows one redirection to another host of the pool (a host that sees the
   * disk's SR). Refused before anything is sent on a read-only pool.
   */
  async put(path: string, query: Record<string, string>, body: Buffer, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PutAnswer> {
    const method = `PUT ${path}`;
    this.assertOpen(method);
    if (this.readOnly) throw new XapiReadOnlyError(method);
    const session = await this.ensureSession();
    let url = new URL(path, this.master);
    for (const [key, value] of Object.entries({ session_id: session, ...query })) url.searchParams.set(key, value);
    const signal = options.signal ? AbortSignal.any([options.signal, this.closeController.signal]) : this.closeController.signal;
    for (let hops = 0; ; hops++) {
      const answer = await this.transport.put(url, body, { timeoutMs: options.timeoutMs ?? this.options.callTimeoutMs, signal, method });
      const location = answer.headers.location;
      if (answer.status !== 302 || !location || hops > 0) return answer;
      const next = new URL(location, url);
      // Only to a host of this pool, with the session: never anywhere a redirection says.
      if (!this.memberAddresses.includes(next.hostname.replace(/^\[(.*)\]$/, "$1"))) return answer;
      url = hostUrl(url, next.hostname.replace(/^\[(.*)\]$/, "$1"));
    }
  }

  /** Logs out and closes every connection; further calls fail with `XENDECK_CLIENT_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Let the clean-up calls already started (task.destroy, task.cancel) finish first, briefly.
    if (this.background.size > 0) {
      await Promise.race([Promise.allSettled(this.background), new Promise((resolve) => setTimeout(resolve, this.options.connectTimeoutMs).unref())]);
    }
    this.closed = true;
    this.closeController.abort();
    this.tasks.close(new XapiError(CLIENT_CODES.closed, [], { kind: "closed", message: "the client was closed while a task was running" }));
    const session = this.session;
    this.session = null;
    if (session) {
      try {
        await this.send("session.logout", [], session, { timeoutMs: this.options.connectTimeoutMs });
      } catch (error) {
        this.options.logger.debug(`[xapi ${this.label}] logout failed: ${String(error)}`);
      }
    }
    this.transport.destroy();
  }

  // -------------------------------------------------------------------------------------------------------

  /** A best-effort call nobody waits for (but `close()` does, briefly). */
  private inBackground(method: string, params: unknown[]): void {
    const call = this.request(method, params).then(
      () => {},
      (error) => this.options.logger.debug(`[xapi ${this.label}] ${method}: ${String(error)}`),
    );
    this.background.add(call);
    void call.finally(() => this.background.delete(call));
  }

  private isPoolHost(hostname: string): boolean {
    const bare = hostname.replace(/^\[(.*)\]$/, "$1");
    const known = [this.master.hostname, parsePoolUrl(this.options.url).hostname, ...this.memberAddresses].map((h) => h.replace(/^\[(.*)\]$/, "$1"));
    return known.includes(bare);
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new XapiError(CLIENT_CODES.closed, [], { kind: "closed", method, message: `${method}: the client is closed` });
  }

  private trustedFingerprints(): Set<string> {
    const set = new Set<string>();
    if (!this.pinned) return set;
    set.add(this.pinned);
    for (const member of this.members.values()) if (member.fingerprint) set.add(member.fingerprint);
    return set;
  }

  private async callWithSession(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    let reloggedIn = false;
    let redirected = false;
    let failedOver = false;
    for (;;) {
      const session = await this.ensureSession();
      try {
        return await this.send(method, params, session, options);
      } catch (error) {
        if (!(error instanceof XapiError) || this.closed) throw error;
        if (error.code === "SESSION_INVALID" && !reloggedIn) {
          reloggedIn = true;
          this.options.logger.info(`[xapi ${this.label}] session expired; logging in again`);
          this.dropSession(session);
          continue;
        }
        if (error.code === "HOST_IS_SLAVE" && !redirected && error.params[0]) {
          // The master changed under us (failover or designate_new_master): move and retry once.
          redirected = true;
          this.moveTo(hostUrl(this.master, error.params[0]));
          this.dropSession(session);
          continue;
        }
        if ((error.kind === "transport" || error.kind === "timeout") && !failedOver && !options.signal?.aborted) {
          // The master does not answer: find the master among the members. Retry only what is safe to repeat.
          failedOver = true;
          const retry = (error instanceof XapiTransportError && error.notSent) || isReadOnlyMethod(method);
          const failover = this.failover(session);
          if (!retry) {
            failover.catch(() => {});
            throw error;
          }
          await failover;
          continue;
        }
        throw error;
      }
    }
  }

  /** One HTTP exchange: encode, post, parse (while the answer arrives). */
  private async send(
    method: string,
    params: readonly unknown[],
    session: string | undefined,
    options: RequestOptions,
    url: URL = this.master,
  ): Promise<unknown> {
    const body = encodeMethodCall(method, params, session);
    const signal = options.signal ? AbortSignal.any([options.signal, this.closeController.signal]) : this.closeController.signal;
    try {
      return await this.transport.post(
        url,
        body,
        {
          timeoutMs: options.timeoutMs ?? this.options.callTimeoutMs,
          maxBytes: this.options.maxResponseBytes,
          signal: method === "session.logout" ? undefined : signal,
          method,
        },
        responseSink(method, options.plan),
      );
    } catch (error) {
      if (error instanceof XapiError) error.method ??= method;
      throw error;
    }
  }

  private ensureSession(): Promise<string> {
    if (this.session) return Promise.resolve(this.session);
    this.sessionPromise ??= this.login(false).finally(() => {
      this.sessionPromise = null;
    });
    return this.sessionPromise;
  }

  private dropSession(session: string): void {
    if (this.session === session) this.session = null;
  }

  /** Logs in at the master (`probe`: at whichever host is master now, see `findMaster`). */
  private async login(probe: boolean): Promise<string> {
    let session: string;
    try {
      session = probe ? await this.findMaster(this.master) : await this.loginAt(this.master);
    } catch (error) {
      const unreachable = error instanceof XapiError && (error.kind === "transport" || error.kind === "timeout");
      if (probe || !unreachable || this.members.size === 0) throw error;
      session = await this.findMaster(this.master);
    }
    this.session = session;
    this.logins++;
    this.options.logger.info(`[xapi ${this.label}] logged in to ${this.master.host} (session ${redactSession(session)})`);
    await this.refreshMembers(session);
    return session;
  }

  /** Logs in at `url`, following HOST_IS_SLAVE redirections; the master found becomes the client's master. */
  private async loginAt(start: URL, timeoutMs = Math.min(this.options.callTimeoutMs, LOGIN_TIMEOUT_MS)): Promise<string> {
    let url = start;
    for (let hops = 0; ; hops++) {
      try {
        const session = (await this.send(
          "session.login_with_password",
          [this.options.username, this.options.password, "1.0", "XenDeck"],
          undefined,
          { timeoutMs },
          url,
        )) as string;
        if (typeof session !== "string" || !session.startsWith("OpaqueRef:"))
          throw new XapiError(CLIENT_CODES.protocol, [], { kind: "protocol", message: "login answered something that is not a session ref" });
        this.moveTo(url);
        return session;
      } catch (error) {
        if (error instanceof XapiError && error.code === "HOST_IS_SLAVE" && error.params[0] && hops < 3) {
          url = hostUrl(url, error.params[0]);
          continue;
        }
        throw error;
      }
    }
  }

  /** The master stopped answering: log in again, probing every known host (one failover at a time). */
  private async failover(deadSession: string): Promise<void> {
    this.dropSession(deadSession);
    if (!this.session) {
      this.options.logger.warn(`[xapi ${this.label}] master ${this.master.host} does not answer; probing the pool's hosts`);
      this.sessionPromise ??= this.login(true).finally(() => {
        this.sessionPromise = null;
      });
      await this.sessionPromise;
    }
  }

  /**
   * Probes every known host (in parallel, short deadline) with a login: the master accepts it, members answer
   * HOST_IS_SLAVE with the master's address (followed once more if it was not among the candidates).
   */
  private async findMaster(unreachable: URL): Promise<string> {
    const candidates = new Map<string, URL>();
    for (const address of [unreachable.hostname, ...this.memberAddresses, parsePoolUrl(this.options.url).hostname]) {
      const url = hostUrl(unreachable, address);
      candidates.set(url.host, url);
    }
    const tried = new Set<string>();
    const failures: string[] = [];
    let refused: XapiCertificateError | undefined;
    let round = [...candidates.values()];
    while (round.length > 0) {
      for (const url of round) tried.add(url.host);
      const pointedTo: URL[] = [];
      const sessions = await Promise.all(
        round.map(async (url) => {
          try {
            const session = (await this.send(
              "session.login_with_password",
              [this.options.username, this.options.password, "1.0", "XenDeck"],
              undefined,
              { timeoutMs: this.options.connectTimeoutMs },
              url,
            )) as string;
            return { url, session };
          } catch (error) {
            if (error instanceof XapiError && error.code === "HOST_IS_SLAVE" && error.params[0]) pointedTo.push(hostUrl(url, error.params[0]));
            else failures.push(`${url.host}: ${error instanceof Error ? error.message : String(error)}`);
            if (error instanceof XapiCertificateError) refused ??= error;
            return null;
          }
        }),
      );
      const found = sessions.filter((s): s is { url: URL; session: string } => s !== null);
      if (found.length > 0) {
        const [winner, ...extra] = found;
        for (const other of extra) this.send("session.logout", [], other.session, { timeoutMs: this.options.connectTimeoutMs }, other.url).catch(() => {});
        this.moveTo(winner.url);
        return winner.session;
      }
      round = pointedTo.filter((url, i, all) => !tried.has(url.host) && all.findIndex((u) => u.host === url.host) === i);
    }
    // A host that may be the master but whose certificate we refuse (e.g. a member we never learnt the
    // certificate of became master): that is what the admin must fix, so that is the error.
    if (refused) throw refused;
    throw new XapiTransportError(
      `No host of the pool answers as master (${failures.join("; ") || "every host is a member pointing at an unreachable master"})`,
      {
        errno: "EPOOLUNREACHABLE",
      },
    );
  }

  private moveTo(url: URL): void {
    if (url.href === this.master.href) return;
    const previous = this.master.host;
    this.master = url;
    this.options.logger.warn(`[xapi ${this.label}] master is now ${url.host} (was ${previous})`);
    for (const listener of this.masterListeners) listener(new URL(url));
  }

  /** Member addresses (and, when pinning, their certificates as the master reports them), best effort. */
  private async refreshMembers(session: string): Promise<void> {
    try {
      const hosts = (await this.send("host.get_all_records", [], session, { plan: { each: { keep: new Set(["address"]) } } })) as Record<
        string,
        { address?: unknown }
      >;
      const next = new Map<Ref, Member>();
      for (const [ref, host] of Object.entries(hosts)) {
        if (typeof host?.address === "string" && host.address) next.set(ref, { address: host.address, fingerprint: this.members.get(ref)?.fingerprint });
      }
      if (next.size > 0) this.members = next;
      if (this.pinned && this.master.protocol === "https:") {
        await Promise.all(
          [...this.members.entries()].map(async ([ref, member]) => {
            try {
              const pem = (await this.send("host.get_server_certificate", [ref], session, {})) as string;
              member.fingerprint = new X509Certificate(pem).fingerprint256;
            } catch (error) {
              this.options.logger.debug(`[xapi ${this.label}] certificate of ${member.address} unknown: ${String(error)}`);
            }
          }),
        );
      }
    } catch (error) {
      this.options.logger.warn(`[xapi ${this.label}] could not list the pool's hosts: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Validates a pool URL: http(s) only, no credentials, no query. */
export function parsePoolUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TypeError(`not a URL: ${input.slice(0, 100)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`a pool URL is https:// (or http:// for a test server), not ${url.protocol}`);
  if (url.username || url.password) throw new TypeError("put the pool's credentials in the username and password fields, not in the URL");
  url.search = "";
  url.hash = "";
  return url;
}

/** The URL of another host of the pool: same scheme, port and path, another address. */
export function hostUrl(base: URL, address: string): URL {
  const url = new URL(base);
  url.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return url;
}

function abortedError(method: string): XapiError {
  return new XapiError(CLIENT_CODES.aborted, [], { kind: "aborted", method, message: `${method}: cancelled` });
}
