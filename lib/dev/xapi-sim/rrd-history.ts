/**
 * The history behind a pool's statistics: for every VM, when its domain ran (and where, paused or not, with how
 * much memory), and the load spikes it had; for every host, its aggregates over time (the vCPU load, memory and
 * traffic of the VMs resident on it). Series are computed from this history on request (rrd-sources.ts), so
 * nothing is sampled in the background and memory stays small at 10,000 VMs.
 *
 * The history follows the pool through the store's change feed: a VM that starts opens a residency (and boots:
 * a CPU and disk spike), one that stops closes it, a pause or a migration splits it; host aggregates change
 * with them. Before the simulator started, a history is invented per VM (from its uuid and the seed): running
 * for the past 400 days with a few maintenance gaps; halted VMs ran until some time ago.
 */
import type { HostRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import type { SimCore } from "./core";
import type { SimPool } from "./pool";
import { Prng } from "./prng";
import { HOST_SPIKE_MAX, contributionOf, cpuHeadroom, type Contribution } from "./rrd-profile";
import type { StoredObject } from "./store";

const DAY = 86_400;
/** How far back the invented history goes (the year archive holds 366 days). */
export const HISTORY_SECONDS = 400 * DAY;
const MAX_RESIDENCIES = 256;
const MAX_SPIKES = 64;
const MAX_HOST_POINTS = 20_000;

/** A stretch of time (true seconds) during which the VM's domain existed on a host. */
export interface Residency {
  from: number;
  /** Infinity while it lasts. */
  to: number;
  paused: boolean;
  /** Bytes given to the domain. */
  memory: number;
}

/**
 * Extra load for a while (true seconds): `cpu` is added to each vCPU (or pCPU of a host), `disk` and `net` are
 * multiples of the series' base level added to it.
 */
export interface Spike {
  from: number;
  to: number;
  cpu: number;
  disk: number;
  net: number;
}

type DomainState = "out" | "running" | "paused";

export interface VmHistory {
  readonly ref: string;
  readonly uuid: string;
  readonly controlDomain: boolean;
  readonly residency: readonly Residency[];
  readonly spikes: readonly Spike[];
}

interface VmTrack extends VmHistory {
  residency: Residency[];
  spikes: Spike[];
  state: DomainState;
  host: string;
  domid: number;
  contribution: Contribution | null;
}

/** A host's aggregates from time `t` (true seconds) on. */
export interface HostPoint {
  t: number;
  vcpuLoad: number;
  memory: number;
  netRx: number;
  netTx: number;
}

export interface HostHistory {
  readonly points: readonly HostPoint[];
  readonly spikes: readonly Spike[];
}

interface HostTrack extends HostHistory {
  points: HostPoint[];
  spikes: Spike[];
}

const registry = new WeakMap<SimPool, PoolStats>();

export class PoolStats {
  private readonly vms = new Map<string, VmTrack>();
  private readonly hosts = new Map<string, HostTrack>();
  private readonly rng: Prng;

  /** The statistics of `pool`, following its changes from now on (once per pool). */
  static attach(pool: SimPool): PoolStats {
    let stats = registry.get(pool);
    if (!stats) registry.set(pool, (stats = new PoolStats(pool)));
    return stats;
  }

  static of(pool: SimPool): PoolStats {
    return PoolStats.attach(pool);
  }

  private constructor(readonly pool: SimPool) {
    this.rng = new Prng(`${pool.core.options.seed}/stats/${pool.index}`);
    this.inventPast();
    pool.store.onChange((obj) => {
      if (obj.cls.name === "VM") this.onVmChange(obj as unknown as StoredObject<VmRecord>);
    });
  }

  /** True seconds. */
  now(): number {
    return this.pool.core.clock.now() / 1000;
  }

  vm(ref: string): VmHistory | undefined {
    return this.vms.get(ref);
  }

  host(ref: string): HostHistory {
    return this.hostTrack(ref);
  }

  /** The VMs whose RRD lives on `hostRef` now (their domain runs or is paused there), in a stable order. */
  rrdsOn(hostRef: string): VmHistory[] {
    const found: VmHistory[] = [];
    for (const track of this.vms.values()) if (track.state !== "out" && track.host === hostRef) found.push(track);
    return found;
  }

  /** Where the VM's RRD lives: its host, or "" when its domain does not exist (then the master keeps its archive). */
  rrdHost(vmRef: string): string {
    const track = this.vms.get(vmRef);
    return track && track.state !== "out" ? track.host : "";
  }

  /** Adds a burst of load to a VM whose domain runs now (background activity, tests). */
  burst(vmRef: string, options: { seconds?: number; cpu?: number; net?: number; disk?: number } = {}): boolean {
    const track = this.vms.get(vmRef);
    const vm = this.pool.store.getOf<VmRecord>("VM", vmRef);
    if (!track || !vm || track.state !== "running") return false;
    const headroom = cpuHeadroom(track.uuid, track.controlDomain, vm.rec.VCPUs_at_startup);
    const now = this.now();
    const seconds = options.seconds ?? 20 + Math.floor(160 * this.rng.next());
    const spike: Spike = {
      from: now,
      to: now + seconds,
      cpu: Math.min(headroom, options.cpu ?? headroom * (0.3 + 0.6 * this.rng.next())),
      net: options.net ?? 2 + 13 * this.rng.next(),
      disk: options.disk ?? 1 + 4 * this.rng.next(),
    };
    this.addVmSpike(track, spike);
    this.addHostSpike(track.host, spike, vm.rec.VCPUs_at_startup);
    return true;
  }

  // -------------------------------------------------------------------------------------------------------

  private hostTrack(ref: string): HostTrack {
    let track = this.hosts.get(ref);
    if (!track) {
      track = { points: [{ t: this.now() - HISTORY_SECONDS, vcpuLoad: 0, memory: 0, netRx: 0, netTx: 0 }], spikes: [] };
      this.hosts.set(ref, track);
    }
    return track;
  }

  private vifsOf(vm: VmRecord): VifRecord[] {
    return vm.VIFs.map((ref) => this.pool.store.getOf<VifRecord>("VIF", ref)?.rec).filter((vif): vif is VifRecord => vif !== undefined);
  }

  /** Seeded VMs get a past: domains running for 400 days with a few gaps, or that ran until some time ago. */
  private inventPast(): void {
    const now = this.now();
    const origin = now - HISTORY_SECONDS;
    for (const host of this.pool.hosts()) this.hostTrack(host.ref);
    for (const vm of this.pool.store.all<VmRecord>("VM")) {
      if (vm.rec.is_a_template || vm.rec.is_a_snapshot) continue;
      const state = domainState(vm.rec);
      const rng = new Prng(`${this.pool.core.options.seed}/stats/${vm.uuid}`);
      const track = this.newTrack(vm);
      const memory = vm.rec.memory_static_max;
      if (state !== "out") {
        const gaps = Array.from({ length: vm.rec.is_control_domain ? 0 : rng.int(0, 3) }, () => {
          const from = now - DAY * (1 + 360 * rng.next());
          return { from, to: from + 600 + 6 * 3600 * rng.next() };
        }).sort((a, b) => a.from - b.from);
        let from = origin;
        for (const gap of gaps) {
          if (gap.from <= from) continue;
          track.residency.push({ from, to: gap.from, paused: false, memory });
          // A domain that comes back boots.
          track.spikes.push({
            from: gap.to,
            to: gap.to + 45 + 45 * rng.next(),
            cpu: 0.6 * cpuHeadroom(vm.uuid, false, vm.rec.VCPUs_at_startup),
            disk: 8,
            net: 0.5,
          });
          from = gap.to;
        }
        track.residency.push({ from, to: Infinity, paused: state === "paused", memory });
        this.enter(track, vm.rec, state, vm.rec.resident_on, origin);
      } else if (!vm.rec.is_control_domain && rng.chance(0.8)) {
        track.residency.push({ from: origin, to: now - 7200 - 30 * DAY * rng.next(), paused: false, memory });
      }
      track.domid = vm.rec.domid;
      if (track.residency.length > 0 || state !== "out") this.vms.set(vm.ref, track);
    }
  }

  private newTrack(vm: StoredObject<VmRecord>): VmTrack {
    return {
      ref: vm.ref,
      uuid: vm.uuid,
      controlDomain: vm.rec.is_control_domain,
      residency: [],
      spikes: [],
      state: "out",
      host: "",
      domid: -1,
      contribution: null,
    };
  }

  private onVmChange(vm: StoredObject<VmRecord>): void {
    if (vm.dtime) {
      // Destroying a VM destroys its RRD.
      const gone = this.vms.get(vm.ref);
      if (gone && gone.state !== "out") this.leave(gone, this.now());
      this.vms.delete(vm.ref);
      return;
    }
    if (vm.rec.is_a_template || vm.rec.is_a_snapshot) return;
    const state = domainState(vm.rec);
    const host = state === "out" ? "" : vm.rec.resident_on;
    let track = this.vms.get(vm.ref);
    if (!track) {
      if (state === "out") return;
      this.vms.set(vm.ref, (track = this.newTrack(vm)));
    }
    if (track.state === state && track.host === host && track.domid === vm.rec.domid) return;
    const now = this.now();
    const wasOut = track.state === "out";
    const sameHost = track.host === host;
    if (track.state !== state || !sameHost) {
      if (!wasOut) {
        const open = track.residency.at(-1);
        if (open && open.to === Infinity) open.to = now;
        this.leave(track, now);
      }
      if (state !== "out") {
        track.residency.push({ from: now, to: Infinity, paused: state === "paused", memory: vm.rec.memory_static_max });
        if (track.residency.length > MAX_RESIDENCIES) track.residency.splice(0, track.residency.length - MAX_RESIDENCIES);
        this.enter(track, vm.rec, state, host, now);
      }
    }
    // A new domain that runs has booted (a start, resume or reboot; not a migration, which moves the same guest).
    if (state === "running" && vm.rec.domid !== track.domid && (wasOut || sameHost)) this.boot(track, vm.rec, host, now);
    track.domid = vm.rec.domid;
  }

  private boot(track: VmTrack, vm: VmRecord, host: string, now: number): void {
    const spike: Spike = {
      from: now,
      to: now + 30 + 60 * this.rng.next(),
      cpu: cpuHeadroom(track.uuid, track.controlDomain, vm.VCPUs_at_startup) * (0.6 + 0.35 * this.rng.next()),
      disk: 4 + 8 * this.rng.next(),
      net: 0.5,
    };
    this.addVmSpike(track, spike);
    this.addHostSpike(host, spike, vm.VCPUs_at_startup);
  }

  private addVmSpike(track: VmTrack, spike: Spike): void {
    // One spike at a time: a new one ends the previous (so they never add up beyond the headroom).
    for (const previous of track.spikes) if (previous.to > spike.from) previous.to = Math.max(previous.from, spike.from);
    track.spikes.push(spike);
    if (track.spikes.length > MAX_SPIKES) track.spikes.splice(0, track.spikes.length - MAX_SPIKES);
  }

  private addHostSpike(hostRef: string, spike: Spike, vcpus: number): void {
    const host = this.pool.store.getOf<HostRecord>("host", hostRef);
    if (!host) return;
    const cores = Number(host.rec.cpu_info.cpu_count) || 1;
    const track = this.hostTrack(hostRef);
    for (const previous of track.spikes) if (previous.to > spike.from) previous.to = Math.max(previous.from, spike.from);
    track.spikes.push({ ...spike, cpu: Math.min(HOST_SPIKE_MAX, (spike.cpu * vcpus) / cores), net: spike.net / 4, disk: spike.disk / 4 });
    if (track.spikes.length > MAX_SPIKES) track.spikes.splice(0, track.spikes.length - MAX_SPIKES);
  }

  private enter(track: VmTrack, vm: VmRecord, state: DomainState, host: string, at: number): void {
    track.state = state;
    track.host = host;
    track.contribution = contributionOf(vm, track.uuid, this.vifsOf(vm), state === "paused");
    this.shiftHost(host, track.contribution, 1, at);
  }

  private leave(track: VmTrack, at: number): void {
    if (track.contribution) this.shiftHost(track.host, track.contribution, -1, at);
    track.state = "out";
    track.host = "";
    track.contribution = null;
  }

  private shiftHost(hostRef: string, c: Contribution, sign: 1 | -1, at: number): void {
    const track = this.hostTrack(hostRef);
    const last = track.points.at(-1)!;
    const next: HostPoint = {
      t: Math.max(at, last.t),
      vcpuLoad: Math.max(0, last.vcpuLoad + sign * c.vcpuLoad),
      memory: Math.max(0, last.memory + sign * c.memory),
      netRx: Math.max(0, last.netRx + sign * c.netRx),
      netTx: Math.max(0, last.netTx + sign * c.netTx),
    };
    if (next.t === last.t) track.points[track.points.length - 1] = next;
    else track.points.push(next);
    if (track.points.length > MAX_HOST_POINTS) track.points.splice(0, track.points.length - MAX_HOST_POINTS);
  }
}

function domainState(vm: VmRecord): DomainState {
  return vm.power_state === "Running" ? "running" : vm.power_state === "Paused" ? "paused" : "out";
}

/**
 * Background activity for statistics: now and then a running VM somewhere gets a burst of load (a batch job, a
 * backup, a traffic peak) for a minute or two. Runs on the simulator's timers, so `stop()` ends it.
 */
export function startLoadBursts(core: SimCore, intervalMs: number): void {
  const rng = new Prng(`${core.options.seed}/bursts`);
  const schedule = () =>
    core.timers.setTimeout(
      () => {
        try {
          const pool = rng.pick(core.pools);
          const running = [...pool.store.all<VmRecord>("VM")].filter((vm) => vm.rec.power_state === "Running" && !vm.rec.is_control_domain);
          if (running.length > 0) PoolStats.of(pool).burst(rng.pick(running).ref);
        } catch (error) {
          core.options.log(`load bursts: ${(error as Error).message}`);
        }
        schedule();
      },
      intervalMs * (0.5 + rng.next()),
    );
  schedule();
}
