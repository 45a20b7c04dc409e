/**
 * `startSimulator()`: builds the pools, binds every host, starts the control API and (if asked) the
 * background activity, and returns the handle tests and the CLI use: URLs and credentials, fault injection,
 * outside changes, read-only inspection, `stop()`.
 */
import type { VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { Activity } from "./activity";
import { ALARM_VARIABLES, raiseAlarm, type AlarmSpec } from "./alarms";
import { resolveOptions, type SimulatorOptions, type VmOperationName } from "./config";
import { consistencyErrors } from "./consistency";
import type { ConsoleView } from "./consoles";
import { ControlServer } from "./control";
import { SimCore, type CallLogEntry } from "./core";
import { Dispatcher } from "./dispatch";
import type { LatencyRule } from "./faults";
import { XapiError } from "./errors";
import { powerOnFromOutside } from "./host-power";
import { designateMaster } from "./hosts";
import { PoolStats, startLoadBursts } from "./rrd-history";
import type { JsonFlavor } from "./rrd-export";
import { changeVm, raiseAlert, type AlertSpec, type VmChange } from "./outside";
import { SimPool } from "./pool";
import { seedPool } from "./seed";
import { SERVED_CLASSES } from "./records";
import { poolName } from "./seed-data";
import { SimServer, type HostState } from "./server";
import type { AnyObject } from "./store";
import { vdiContent, type VdiContent } from "./vdi-content";
import { warmUpFragments } from "./warm-up";

/** The store class of an alarm's object. */
const CLASS_OF_ALARM = { VM: "VM", Host: "host", SR: "SR" } as const;

export interface SimHostInfo {
  ref: string;
  uuid: string;
  name: string;
  /** A plain IP, as `host.address` says. */
  address: string;
  url: string;
}

export interface SimPoolInfo {
  /** 0-based position in `sim.pools`. */
  index: number;
  ref: string;
  uuid: string;
  name: string;
  hosts: SimHostInfo[];
  /** The current master (changes after a failover). */
  readonly master: SimHostInfo;
  readonly masterUrl: string;
}

/** A pool: its index in `sim.pools`, or its name, uuid or ref. */
export type PoolKey = number | string;

export interface ObjectView<R = Record<string, unknown>> {
  /** Index of the pool in `sim.pools`. */
  pool: number;
  ref: string;
  /** A copy: changing it changes nothing in the simulator. */
  record: R;
}

export interface SimulatorFaults {
  /** Adds `ms` to every call (of `method`, received by `host`). */
  latency(rule: LatencyRule): void;
  /** The next `count` (default 1) calls of `method` fail with `error` (`[code, ...params]`). */
  /** `object`: only calls on that object (ref or uuid of the first parameter after the session). */
  failNext(rule: { method: string; error: string[]; count?: number; host?: string; object?: string }): void;
  /** The next `count` (default 1) responses of `method` are cut in the middle. */
  truncateNext(rule: { method: string; count?: number; host?: string; object?: string }): void;
  /** `refuse`: connections refused; `hang`: connections accepted, never answered; `up`: back to normal. */
  setHostState(host: string, state: HostState): Promise<void>;
  /** Another host becomes master; the old one answers HOST_IS_SLAVE. Open connections to the old master drop. */
  failover(pool: PoolKey, host: string, options?: { dropConnections?: boolean }): Promise<void>;
  /** Every session (of one pool, or all) becomes invalid. Returns how many were expired. */
  expireSessions(pool?: PoolKey): number;
  /** From now on `operation` takes `ms` (not scaled by the speed), e.g. a copy made long enough to cancel. */
  duration(operation: VmOperationName, ms: number): void;
  /** Clears latency, failures, truncations and durations and brings every host back up (a host that is off stays off). */
  reset(): Promise<void>;
}

export interface SimulatorOutside {
  /** Changes a VM as an admin on the host would (power state, other fields). */
  vm(key: string, change: VmChange): ObjectView<VmRecord>;
  /** Raises an alert (`message`) in a pool; returns its ref. */
  alert(pool: PoolKey, spec: AlertSpec): string;
  /** Raises a performance alarm (`ALARM`, perfmon's body) about a VM, host or SR; the pool is the object's. Returns its ref. */
  alarm(spec: AlarmSpec): string;
  /** Powers on a host that was shut down (`host.shutdown`), as its power button would. */
  powerOnHost(host: string): Promise<void>;
  /** Runs one step of the background activity now. */
  activityStep(): void;
}

export interface SimulatorInspect {
  /** A VM by ref, uuid or name (ordinary VMs first). */
  vm(key: string): ObjectView<VmRecord> | undefined;
  /** An object of `cls` by ref, uuid or name_label. */
  get<R = Record<string, unknown>>(cls: string, key: string, pool?: PoolKey): ObjectView<R> | undefined;
  all<R = Record<string, unknown>>(cls: string, pool?: PoolKey): ObjectView<R>[];
  /** Calls received, oldest first (bounded). */
  callLog(): CallLogEntry[];
  clearCallLog(): void;
  /** Open sessions of a pool. */
  sessionCount(pool: PoolKey): number;
  /** Broken references or relations, none when all is well. */
  consistencyErrors(): string[];
  /** What was typed into a VM's consoles (by ref, uuid or name) and what its console shows now. */
  console(vmKey: string): ConsoleView | undefined;
  /** Console connections open right now (CONNECT tunnels and websockets). */
  consoleConnections(): number;
  /** How many live objects there are, and how many have their XML-RPC / JSON-RPC wire fragment built. */
  fragmentCounts(): { objects: number; xml: number; json: number };
  /** What the last `PUT /import_raw_vdi` wrote into a VDI (by ref or uuid): size, SHA-256, first bytes. */
  vdiContent(key: string, pool?: PoolKey): VdiContent | undefined;
}

/** Host clocks, as statistics and `host.get_servertime` see them. Hosts by ref, uuid, address or name. */
export interface SimulatorClock {
  /** True time in ms since the epoch: real time plus what `advance` added. */
  now(): number;
  /** Moves time forward (new statistics rows appear at once). */
  advance(ms: number): void;
  /** Sets how far a host's clock (or every host's) is ahead of the true time, in ms (negative: behind). */
  setOffset(ms: number, host?: string): void;
  offsetOf(host: string): number;
}

export interface SimulatorStats {
  /** A burst of load on a running VM from now on (defaults: 20-180 s, part of its CPU headroom); false if it does not run. */
  burst(vm: string, options?: { seconds?: number; cpu?: number; net?: number; disk?: number }): boolean;
  /** The shape of `/rrd_updates?json` answers from now on. */
  setJsonFlavor(flavor: JsonFlavor): void;
}

export interface Simulator {
  readonly pools: SimPoolInfo[];
  readonly username: string;
  readonly password: string;
  /** The port every host listens on. */
  readonly port: number;
  readonly protocol: "http" | "https";
  readonly controlUrl: string;
  readonly faults: SimulatorFaults;
  readonly outside: SimulatorOutside;
  readonly inspect: SimulatorInspect;
  readonly clock: SimulatorClock;
  readonly stats: SimulatorStats;
  /**
   * Builds every object's XML-RPC wire fragment in the background (a few ms at a time between requests), so
   * that the first big `get_all_records` / `event.from` is served from cache. Resolves when done (at once if
   * already done; early if the simulator stops). The CLI calls it at start.
   */
  warmUp(): Promise<void>;
  /** Closes every socket and timer. */
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts = resolveOptions(options);
  const core = new SimCore(opts);
  for (let p = 0; p < opts.pools; p++) {
    const pool = new SimPool(core, p, poolName(p));
    seedPool(pool, { seed: opts.seed, hostsPerPool: opts.hostsPerPool, vmsPerPool: opts.vmsPerPool, baseAddress: opts.baseAddress });
    core.pools.push(pool);
    PoolStats.attach(pool);
  }
  const server = new SimServer(core, new Dispatcher(core));
  await server.start(core.pools.flatMap((pool) => pool.hosts().map((h) => ({ pool, hostRef: h.ref, address: h.rec.address }))));
  core.setHostPowered = async (hostRef, on) => server.endpointOf(hostRef)?.setPowered(on);
  const sim = new SimulatorHandle(core, server);
  try {
    await sim.control.start(opts.controlPort);
  } catch (error) {
    await server.stop();
    core.timers.stopAll();
    throw error;
  }
  if (opts.activity) {
    sim.activity.start();
    startLoadBursts(core, opts.activity.intervalMs * 2);
  }
  return sim;
}

class SimulatorHandle implements Simulator {
  readonly pools: SimPoolInfo[];
  readonly protocol: "http" | "https";
  readonly control: ControlServer;
  readonly activity: Activity;
  readonly faults: SimulatorFaults;
  readonly outside: SimulatorOutside;
  readonly inspect: SimulatorInspect;
  readonly clock: SimulatorClock;
  readonly stats: SimulatorStats;
  private stopped = false;
  private warming: Promise<void> | null = null;

  constructor(
    readonly core: SimCore,
    private readonly server: SimServer,
  ) {
    this.protocol = core.options.tls ? "https" : "http";
    this.control = new ControlServer(this);
    this.activity = new Activity(core, core.options.activity ? core.options.activity.intervalMs : 4000);
    this.pools = core.pools.map((pool) => this.poolInfo(pool));
    this.faults = this.makeFaults();
    this.outside = this.makeOutside();
    this.inspect = this.makeInspect();
    this.clock = this.makeClock();
    this.stats = this.makeStats();
  }

  get username(): string {
    return this.core.options.username;
  }

  get password(): string {
    return this.core.options.password;
  }

  get port(): number {
    return this.server.port;
  }

  get controlUrl(): string {
    return this.control.url;
  }

  private url(address: string): string {
    return `${this.protocol}://${address}:${this.server.port}`;
  }

  private poolInfo(pool: SimPool): SimPoolInfo {
    const hosts = pool.hosts().map((h) => ({ ref: h.ref, uuid: h.uuid, name: h.rec.name_label, address: h.rec.address, url: this.url(h.rec.address) }));
    return {
      index: pool.index,
      ref: pool.poolRef,
      uuid: pool.pool.uuid,
      name: pool.name,
      hosts,
      get master() {
        return hosts.find((h) => h.ref === pool.masterRef)!;
      },
      get masterUrl() {
        return this.master.url;
      },
    };
  }

  pool(key: PoolKey): SimPool {
    const pools = this.core.pools;
    const pool =
      typeof key === "number" ? pools[key] : pools.find((p) => p.name === key || p.poolRef === key || p.pool.uuid === key || String(p.index) === key);
    if (!pool) throw new Error(`no pool ${key}`);
    return pool;
  }

  /** A host of any pool by ref, uuid, address or name. */
  host(key: string): { pool: SimPool; ref: string } {
    const found = this.findHost(key);
    if (!found) throw new Error(`no host ${key}`);
    return found;
  }

  findHost(key: string): { pool: SimPool; ref: string } | undefined {
    for (const pool of this.core.pools) {
      const host = pool.findHost(key);
      if (host) return { pool, ref: host.ref };
    }
    return undefined;
  }

  findVm(key: string): { pool: SimPool; vm: AnyObject } | undefined {
    let fallback: { pool: SimPool; vm: AnyObject } | undefined;
    for (const pool of this.core.pools) {
      const direct = pool.store.getOf("VM", key) ?? pool.store.byUuidOf("VM", key);
      if (direct) return { pool, vm: direct };
      for (const vm of pool.store.all<VmRecord>("VM")) {
        if (vm.rec.name_label !== key) continue;
        const ordinary = !vm.rec.is_a_template && !vm.rec.is_control_domain;
        if (ordinary) return { pool, vm: vm as unknown as AnyObject };
        fallback ??= { pool, vm: vm as unknown as AnyObject };
      }
    }
    return fallback;
  }

  private view<R>(pool: SimPool, obj: AnyObject): ObjectView<R> {
    return { pool: pool.index, ref: obj.ref, record: structuredClone(obj.rec) as R };
  }

  private makeFaults(): SimulatorFaults {
    const faults = this.core.faults;
    return {
      latency: (rule) => faults.addLatency(rule),
      failNext: ({ count = 1, ...rule }) => faults.failNext({ ...rule, count }),
      truncateNext: ({ count = 1, ...rule }) => faults.truncateNext({ ...rule, count }),
      setHostState: async (key, state) => {
        const { ref } = this.host(key);
        await this.server.endpointOf(ref)?.setState(state);
      },
      failover: async (poolKey, hostKey, options = {}) => {
        const pool = this.pool(poolKey);
        const host = pool.findHost(hostKey);
        if (!host) throw new Error(`no host ${hostKey} in pool ${pool.name}`);
        const old = pool.masterRef;
        designateMaster(pool, host.ref);
        // The old master's toolstack restarts as a member: its open connections (event long-polls) drop.
        if (old !== host.ref && options.dropConnections !== false) this.server.endpointOf(old)?.dropConnections();
      },
      duration: (operation, ms) => {
        if (!Object.hasOwn(this.core.options.durations, operation)) throw new Error(`no operation ${operation}`);
        faults.setDuration(operation, ms);
      },
      expireSessions: (poolKey) => (poolKey === undefined ? this.core.pools : [this.pool(poolKey)]).reduce((n, p) => n + p.sessions.expireAll(), 0),
      reset: async () => {
        faults.reset();
        await Promise.all(this.server.endpoints.map((e) => e.setState("up")));
      },
    };
  }

  private makeOutside(): SimulatorOutside {
    return {
      vm: (key, change) => {
        const found = this.findVm(key);
        if (!found) throw new Error(`no VM ${key}`);
        changeVm(found.pool, found.vm as never, change);
        return this.view<VmRecord>(found.pool, found.vm);
      },
      alert: (poolKey, spec) => raiseAlert(this.pool(poolKey), spec).ref,
      alarm: (spec) => {
        const cls = spec.cls ?? ALARM_VARIABLES.find((v) => v.name === spec.variable)?.cls ?? "VM";
        const pool = this.core.pools.find((p) => p.store.byUuidOf(CLASS_OF_ALARM[cls], spec.obj_uuid));
        if (!pool) throw new XapiError("UUID_INVALID", [cls, spec.obj_uuid]);
        return raiseAlarm(pool, { ...spec, cls }).ref;
      },
      powerOnHost: async (key) => {
        const { pool, ref } = this.host(key);
        await powerOnFromOutside(pool, pool.host(ref));
      },
      activityStep: () => this.activity.step(),
    };
  }

  private makeClock(): SimulatorClock {
    const clock = this.core.clock;
    return {
      now: () => clock.now(),
      advance: (ms) => clock.advance(ms),
      setOffset: (ms, host) => clock.setOffset(ms, host === undefined ? undefined : this.host(host).ref),
      offsetOf: (host) => clock.offsetOf(this.host(host).ref),
    };
  }

  private makeStats(): SimulatorStats {
    return {
      burst: (key, options) => {
        const found = this.findVm(key);
        if (!found) throw new Error(`no VM ${key}`);
        return PoolStats.of(found.pool).burst(found.vm.ref, options);
      },
      setJsonFlavor: (flavor) => {
        this.core.options.rrdJson = flavor;
      },
    };
  }

  private makeInspect(): SimulatorInspect {
    const pools = (key?: PoolKey) => (key === undefined ? this.core.pools : [this.pool(key)]);
    return {
      vm: (key) => {
        const found = this.findVm(key);
        return found && this.view<VmRecord>(found.pool, found.vm);
      },
      get: <R>(cls: string, key: string, poolKey?: PoolKey) => {
        for (const pool of pools(poolKey)) {
          const obj = pool.store.getOf(cls, key) ?? pool.store.byUuidOf(cls, key) ?? [...pool.store.all(cls)].find((o) => o.rec.name_label === key);
          if (obj) return this.view<R>(pool, obj);
        }
        return undefined;
      },
      all: <R>(cls: string, poolKey?: PoolKey) => pools(poolKey).flatMap((pool) => [...pool.store.all(cls)].map((o) => this.view<R>(pool, o))),
      console: (key) => {
        const found = this.findVm(key);
        return found && this.server.consoles.view(found.pool, found.vm);
      },
      consoleConnections: () => this.server.consoles.connectionCount,
      callLog: () => this.core.callLog(),
      clearCallLog: () => this.core.clearCallLog(),
      sessionCount: (poolKey) => this.pool(poolKey).store.count("session"),
      consistencyErrors: () => this.core.pools.flatMap((pool) => consistencyErrors(pool)),
      vdiContent: (key, poolKey) => {
        for (const pool of pools(poolKey)) {
          const vdi = pool.store.getOf<VdiRecord>("VDI", key) ?? pool.store.byUuidOf<VdiRecord>("VDI", key);
          if (vdi) return vdiContent(vdi);
        }
        return undefined;
      },
      fragmentCounts: () => {
        const counts = { objects: 0, xml: 0, json: 0 };
        for (const pool of this.core.pools) {
          for (const cls of SERVED_CLASSES) {
            for (const obj of pool.store.all(cls)) {
              const { xml, json } = obj.cached;
              counts.objects++;
              if (xml) counts.xml++;
              if (json) counts.json++;
            }
          }
        }
        return counts;
      },
    };
  }

  warmUp(): Promise<void> {
    return (this.warming ??= warmUpFragments(this.core));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.activity.stop();
    this.core.timers.stopAll();
    await Promise.all([this.server.stop(), this.control.stop()]);
  }
}

export type { SimulatorHandle };
