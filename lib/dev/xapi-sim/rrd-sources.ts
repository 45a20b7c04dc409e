/**
 * One RRD as a host serves it: its data sources (names and types as xcp-rrdd names them) and, for any run of
 * 5-second primary data points, the sum of each source's values and how many of those points are known. The
 * export (rrd-export.ts) turns that into archive rows. Sources are built per request, in the serving host's time
 * (its clock offset applied), from the history (rrd-history.ts) and the profiles (rrd-profile.ts).
 *
 * VM sources: cpuN (0..1 per vCPU), memory and memory_target (bytes), memory_internal_free (KiB, from the guest),
 * vif_N_rx / vif_N_tx (bytes/s per VIF device), vbd_xvdX_read / vbd_xvdX_write (bytes/s per disk).
 * Host sources: cpuN (0..1 per pCPU), cpu_avg, loadavg, memory_total_kib, memory_free_kib, pif_ethN_rx / _tx.
 */
import type { HostMetricsRecord, PifRecord, VbdRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";
import { hashString } from "./prng";
import type { HostHistory, Residency, Spike, VmHistory } from "./rrd-history";
import { HISTORY_SECONDS } from "./rrd-history";
import {
  DOM0_LOAD,
  HOST_CORE_NOISE,
  HOST_CORE_SPREAD,
  MAX_HOST_LOAD,
  diskDevices,
  freeFraction,
  noiseOf,
  rhythmOf,
  vbdBase,
  vcpuBase,
  vifBase,
  wavesOf,
  type Rhythm,
  type SeriesKind,
} from "./rrd-profile";
import { PDP_SECONDS, noiseSum, unitHash, waveSum, type NoiseLevel } from "./rrd-signal";

export type DsType = "GAUGE" | "DERIVE" | "ABSOLUTE";

export interface DsInfo {
  name: string;
  type: DsType;
  min: number;
  max: number;
}

export interface RrdSource {
  readonly kind: "vm" | "host";
  readonly uuid: string;
  readonly dss: readonly DsInfo[];
  /**
   * Adds the sum of each data source's PDP values over host-time PDPs [p0, p1) to `sums[offset + d]`, and returns
   * how many of those PDPs are known (the same for every source of the RRD).
   */
  accumulate(p0: number, p1: number, sums: Float64Array, offset: number): number;
}

const derive = (name: string, max = Infinity): DsInfo => ({ name, type: "DERIVE", min: 0, max });
const gauge = (name: string, max = Infinity): DsInfo => ({ name, type: "GAUGE", min: 0, max });

/** The waves of one object, integrated once per run and shared by all its series. */
class WaveIntegrals {
  readonly values = new Float64Array(3);
  private readonly periods: number[];
  private readonly phases: number[];

  constructor(rhythm: Rhythm) {
    const waves = wavesOf(rhythm, "cpu");
    this.periods = waves.map((w) => w.period);
    this.phases = waves.map((w) => w.phase);
  }

  compute(a: number, b: number): Float64Array {
    for (let i = 0; i < 3; i++) this.values[i] = waveSum(this.periods[i], this.phases[i], a, b);
    return this.values;
  }
}

/** One series of base level `base`: Σ over a run of (base × (1 + waves + noise)). */
class Series {
  private readonly amps: number[];

  constructor(
    rhythm: Rhythm,
    kind: SeriesKind,
    key: string,
    private readonly noise: NoiseLevel[] = noiseOf(key, kind),
  ) {
    this.amps = wavesOf(rhythm, kind).map((w) => w.amp);
  }

  unitSum(a: number, b: number, waves: Float64Array): number {
    let sum = b - a + this.amps[0] * waves[0] + this.amps[1] * waves[1] + this.amps[2] * waves[2];
    for (const n of this.noise) sum += n.amp * noiseSum(n.seed, n.block, a, b);
    return sum;
  }
}

interface PdpRange {
  a: number;
  b: number;
  paused: boolean;
  memory: number;
}

/** Residencies as runs of known PDPs in host time: a PDP is known when the domain existed for all of it. */
function knownRanges(residency: readonly Residency[], offset: number): PdpRange[] {
  return residency.map((r, i) => {
    const next = residency[i + 1];
    const contiguous = next !== undefined && next.from === r.to;
    const end = r.to === Infinity ? Infinity : contiguous ? Math.ceil((r.to + offset) / PDP_SECONDS) : Math.floor((r.to + offset) / PDP_SECONDS);
    return { a: Math.ceil((r.from + offset) / PDP_SECONDS), b: end, paused: r.paused, memory: r.memory };
  });
}

interface PdpSpike {
  a: number;
  b: number;
  spike: Spike;
}

function spikeRanges(spikes: readonly Spike[], offset: number): PdpSpike[] {
  return spikes.map((spike) => ({ a: Math.ceil((spike.from + offset) / PDP_SECONDS), b: Math.ceil((spike.to + offset) / PDP_SECONDS), spike }));
}

const KIND_CPU = 0;
const KIND_MEMORY = 1;
const KIND_FREE = 2;
const KIND_NET = 3;
const KIND_DISK = 4;

interface VmDs {
  kind: number;
  base: number;
  series: Series | null;
}

interface VmShape {
  /** The VM record's generation the shape was built at (its VIFs, disks and vCPUs are in it). */
  mtime: number;
  rhythm: Rhythm;
  dss: DsInfo[];
  defs: VmDs[];
}

/**
 * A VM's data sources and series, built once per change of its record: a big host's answer has hundreds of VMs,
 * and building their series is most of what a request of a few new rows costs.
 */
const vmShapes = new WeakMap<object, VmShape>();

function vmShape(pool: SimPool, vm: StoredObject<VmRecord>, history: VmHistory): VmShape {
  const known = vmShapes.get(vm);
  if (known && known.mtime === vm.mtime) return known;
  const { uuid, controlDomain } = history;
  const rhythm = rhythmOf(uuid);
  const dss: DsInfo[] = [];
  const defs: VmDs[] = [];
  const add = (info: DsInfo, def: VmDs) => {
    dss.push(info);
    defs.push(def);
  };
  for (let k = 0; k < vm.rec.VCPUs_at_startup; k++) {
    add(derive(`cpu${k}`, 1), { kind: KIND_CPU, base: vcpuBase(uuid, controlDomain, k), series: new Series(rhythm, "cpu", `${uuid}/cpu${k}`) });
  }
  add(gauge("memory"), { kind: KIND_MEMORY, base: 1, series: null });
  add(gauge("memory_target"), { kind: KIND_MEMORY, base: 1, series: null });
  add(gauge("memory_internal_free"), { kind: KIND_FREE, base: freeFraction(uuid) / 1024, series: new Series(rhythm, "free", `${uuid}/free`) });
  const vifs = vm.rec.VIFs.map((ref) => pool.store.getOf<VifRecord>("VIF", ref)?.rec.device)
    .filter((device): device is string => device !== undefined)
    .sort();
  for (const device of vifs) {
    for (const direction of ["rx", "tx"] as const) {
      const name = `vif_${device}_${direction}`;
      add(derive(name), { kind: KIND_NET, base: vifBase(uuid, controlDomain, device, direction), series: new Series(rhythm, "io", `${uuid}/${name}`) });
    }
  }
  const vbds = vm.rec.VBDs.map((ref) => pool.store.getOf<VbdRecord>("VBD", ref)?.rec).filter((vbd): vbd is VbdRecord => vbd !== undefined);
  for (const device of diskDevices(vbds)) {
    for (const direction of ["read", "write"] as const) {
      const name = `vbd_${device}_${direction}`;
      add(derive(name), { kind: KIND_DISK, base: vbdBase(uuid, controlDomain, device, direction), series: new Series(rhythm, "io", `${uuid}/${name}`) });
    }
  }
  const shape = { mtime: vm.mtime, rhythm, dss, defs };
  vmShapes.set(vm, shape);
  return shape;
}

/** The RRD of a VM as `pool`'s hosts serve it (offset: the serving host's clock, in seconds ahead of true time). */
export function vmSource(pool: SimPool, history: VmHistory, offset: number): RrdSource | undefined {
  const vm = pool.store.getOf<VmRecord>("VM", history.ref);
  if (!vm) return undefined;
  const { uuid } = history;
  const { rhythm, dss, defs } = vmShape(pool, vm, history);
  const ranges = knownRanges(history.residency, offset);
  const spikes = spikeRanges(history.spikes, offset);
  const waves = new WaveIntegrals(rhythm);

  return {
    kind: "vm",
    uuid,
    dss,
    accumulate(p0, p1, sums, offset) {
      let known = 0;
      for (const range of ranges) {
        const x = Math.max(p0, range.a);
        const y = Math.min(p1, range.b);
        if (y <= x) continue;
        const n = y - x;
        known += n;
        const w = waves.compute(x, y);
        for (let d = 0; d < defs.length; d++) {
          const def = defs[d];
          switch (def.kind) {
            case KIND_MEMORY:
              sums[offset + d] += range.memory * n;
              break;
            case KIND_FREE:
              sums[offset + d] += range.memory * def.base * def.series!.unitSum(x, y, w);
              break;
            default:
              // A paused domain uses no CPU and moves no data.
              if (!range.paused) sums[offset + d] += def.base * def.series!.unitSum(x, y, w);
          }
        }
        if (range.paused) continue;
        for (const { a, b, spike } of spikes) {
          const overlap = Math.min(y, b) - Math.max(x, a);
          if (overlap <= 0) continue;
          for (let d = 0; d < defs.length; d++) {
            const def = defs[d];
            if (def.kind === KIND_CPU) sums[offset + d] += spike.cpu * overlap;
            else if (def.kind === KIND_NET) sums[offset + d] += def.base * spike.net * overlap;
            else if (def.kind === KIND_DISK) sums[offset + d] += def.base * spike.disk * overlap;
          }
        }
      }
      return known;
    },
  };
}

/** Traffic of a host's management interface when nothing else happens, bytes/s. */
const MANAGEMENT_TRAFFIC = 3000;

/** The RRD of a host (offset: its clock, in seconds ahead of true time). */
export function hostSource(pool: SimPool, hostRef: string, history: HostHistory, offset: number, now: number): RrdSource {
  const host = pool.host(hostRef);
  const uuid = host.uuid;
  const cores = Math.max(1, Number(host.rec.cpu_info.cpu_count) || 1);
  const total = pool.store.getOf<HostMetricsRecord>("host_metrics", host.rec.metrics)?.rec.memory_total ?? 0;
  const overhead = host.rec.memory_overhead;
  const rhythm = rhythmOf(uuid);
  const load = new Series(rhythm, "host", `${uuid}/load`);
  const coreSeed = hashString(`${uuid}/cores`);
  const spread = Array.from({ length: cores }, (_, n) => 1 + HOST_CORE_SPREAD * (unitHash(coreSeed, n) - unitHash(coreSeed, (n + 1) % cores)));
  const coreNoise = Array.from({ length: cores }, (_, n) => hashString(`${uuid}/cpu${n}`));
  const pifs = host.rec.PIFs.map((ref) => pool.store.getOf<PifRecord>("PIF", ref)?.rec)
    .filter((pif): pif is PifRecord => pif !== undefined && pif.physical)
    .map((pif) => pif.device)
    .sort();
  const share = (device: string) => (pifs.length <= 1 ? 1 : device === pifs[0] ? 0.65 : 0.35 / (pifs.length - 1));
  const pifSeries = pifs.flatMap((device) =>
    (["rx", "tx"] as const).map((direction) => ({
      name: `pif_${device}_${direction}`,
      direction,
      share: share(device),
      baseline: device === pifs[0] ? MANAGEMENT_TRAFFIC : 0,
      series: new Series(rhythm, "io", `${uuid}/pif_${device}_${direction}`),
    })),
  );
  const dss: DsInfo[] = [
    ...Array.from({ length: cores }, (_, n) => derive(`cpu${n}`, 1)),
    gauge("cpu_avg", 1),
    gauge("loadavg"),
    gauge("memory_total_kib"),
    gauge("memory_free_kib"),
    ...pifSeries.map((p) => derive(p.name)),
  ];
  const firstKnown = Math.ceil((now - HISTORY_SECONDS + offset) / PDP_SECONDS);
  const segments = history.points.map((point, i) => {
    const next = history.points[i + 1];
    return {
      a: i === 0 ? -Infinity : Math.ceil((point.t + offset) / PDP_SECONDS),
      b: next ? Math.ceil((next.t + offset) / PDP_SECONDS) : Infinity,
      load: Math.min(MAX_HOST_LOAD, DOM0_LOAD + point.vcpuLoad / cores),
      free: Math.max(0, total - overhead - point.memory) / 1024,
      netRx: point.netRx,
      netTx: point.netTx,
    };
  });
  const spikes = spikeRanges(history.spikes, offset);
  const waves = new WaveIntegrals(rhythm);
  const pifBase = dss.length - pifSeries.length;

  return {
    kind: "host",
    uuid,
    dss,
    accumulate(p0, p1, sums, offset) {
      const x0 = Math.max(p0, firstKnown);
      if (p1 <= x0) return 0;
      let busy = 0;
      let free = 0;
      for (const segment of segments) {
        const x = Math.max(x0, segment.a);
        const y = Math.min(p1, segment.b);
        if (y <= x) continue;
        const w = waves.compute(x, y);
        busy += segment.load * load.unitSum(x, y, w);
        free += segment.free * (y - x);
        for (let p = 0; p < pifSeries.length; p++) {
          const pif = pifSeries[p];
          const base = pif.baseline + pif.share * (pif.direction === "rx" ? segment.netRx : segment.netTx);
          sums[offset + pifBase + p] += base * pif.series.unitSum(x, y, w);
        }
      }
      for (const { a, b, spike } of spikes) {
        const overlap = Math.min(p1, b) - Math.max(x0, a);
        if (overlap > 0) busy += spike.cpu * overlap;
      }
      let coresTotal = 0;
      for (let n = 0; n < cores; n++) {
        const core = spread[n] * busy + HOST_CORE_NOISE * noiseSum(coreNoise[n], 1, x0, p1);
        sums[offset + n] += core;
        coresTotal += core;
      }
      const known = p1 - x0;
      sums[offset + cores] += coresTotal / cores;
      sums[offset + cores + 1] += (coresTotal / cores) * cores * 0.5 + 0.05 * known;
      sums[offset + cores + 2] += (total / 1024) * known;
      sums[offset + cores + 3] += free;
      return known;
    },
  };
}
