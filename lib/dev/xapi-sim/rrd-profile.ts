/**
 * What a simulated VM's and host's statistics look like: levels drawn once per object from its uuid (most VMs idle,
 * a few busy), the waves (a business-hours day, a quieter weekend, a per-VM cycle) and noise at every archive's
 * resolution. The bounds are chosen so that values stay in range without clamping: a vCPU never goes above 100 %,
 * nothing goes below 0 (clamping would break the exactness of consolidated rows).
 */
import type { VbdRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { deviceName } from "./objects";
import { hashString } from "./prng";
import { maxDeviation, unitHash, type NoiseLevel, type Wave } from "./rrd-signal";

const DAY = 86_400;
const WEEK = 7 * DAY;

/** Noise blocks in PDPs: one per archive resolution (5 s, 1 min, 1 h, 1 day). */
const BLOCKS = [1, 12, 720, 17_280] as const;

/** Relative amplitudes of one kind of series: waves (day, week, own cycle), then noise per block. */
interface Amplitudes {
  waves: readonly [number, number, number];
  noise: readonly [number, number, number, number];
}

const CPU: Amplitudes = { waves: [0.25, 0.08, 0.1], noise: [0.2, 0.12, 0.12, 0.08] };
const IO: Amplitudes = { waves: [0.3, 0.08, 0.15], noise: [0.25, 0.07, 0.07, 0.03] };
const FREE: Amplitudes = { waves: [0.04, 0.01, 0.02], noise: [0.01, 0.01, 0.02, 0.01] };
const HOST: Amplitudes = { waves: [0.25, 0.08, 0.05], noise: [0.12, 0.15, 0.15, 0.1] };

/** How far a CPU series strays from its base: bases are capped so that base × (1 + this) stays below 1. */
export const CPU_DEVIATION = maxDeviation(
  CPU.waves.map((amp) => ({ amp, period: 1, phase: 0 })),
  CPU.noise.map((amp) => ({ amp, block: 1, seed: 0 })),
);
const MAX_VCPU_BASE = 0.92 / (1 + CPU_DEVIATION);
/** Per-pCPU noise of a host, absolute (a busy core next to an idle one). */
export const HOST_CORE_NOISE = 0.03;
/** The host's load level (dom0 plus its VMs, per pCPU) is capped so that its busiest core stays below 100 %. */
export const HOST_CORE_SPREAD = 0.3;
const HOST_DEVIATION = maxDeviation(
  HOST.waves.map((amp) => ({ amp, period: 1, phase: 0 })),
  HOST.noise.map((amp) => ({ amp, block: 1, seed: 0 })),
);
/** A host spike adds at most this to each of its cores (a boot is a small thing for a 64-thread host). */
export const HOST_SPIKE_MAX = 0.04;
export const MAX_HOST_LOAD = (0.97 - HOST_CORE_NOISE - HOST_SPIKE_MAX * (1 + HOST_CORE_SPREAD)) / ((1 + HOST_DEVIATION) * (1 + HOST_CORE_SPREAD));
export const DOM0_LOAD = 0.015;

export type SeriesKind = "cpu" | "io" | "free" | "host";

const AMPLITUDES: Record<SeriesKind, Amplitudes> = { cpu: CPU, io: IO, free: FREE, host: HOST };

/** The waves an object's series share (they rise and fall together), scaled per kind. */
export interface Rhythm {
  dailyPhase: number;
  cyclePeriod: number;
  cyclePhase: number;
}

export function rhythmOf(uuid: string): Rhythm {
  const seed = hashString(`${uuid}/rhythm`);
  // Peaks around 14:00 UTC give or take two hours: sin(2πt/DAY + φ) is highest when 2πt/DAY + φ = π/2.
  const peakHour = 12 + 4 * unitHash(seed, 1);
  return {
    dailyPhase: Math.PI / 2 - (2 * Math.PI * peakHour) / 24,
    cyclePeriod: 600 + Math.floor(3000 * unitHash(seed, 2)),
    cyclePhase: 2 * Math.PI * unitHash(seed, 3),
  };
}

/** Weekends are quieter: the week wave is lowest on Saturday and Sunday (the epoch began on a Thursday). */
const WEEK_PHASE = Math.PI / 2 - (2 * Math.PI * 1.5) / 7;

export function wavesOf(rhythm: Rhythm, kind: SeriesKind): Wave[] {
  const [day, week, cycle] = AMPLITUDES[kind].waves;
  return [
    { amp: day, period: DAY, phase: rhythm.dailyPhase },
    { amp: week, period: WEEK, phase: WEEK_PHASE },
    { amp: cycle, period: rhythm.cyclePeriod, phase: rhythm.cyclePhase },
  ];
}

export function noiseOf(key: string, kind: SeriesKind): NoiseLevel[] {
  const seed = hashString(key);
  return AMPLITUDES[kind].noise.map((amp, level) => ({ amp, block: BLOCKS[level], seed: (seed + Math.imul(level + 1, 0x27d4eb2d)) >>> 0 }));
}

/** A VM's overall activity: most VMs idle along, a few are busy. */
export function vmLevel(uuid: string, controlDomain: boolean): number {
  if (controlDomain) return 0.04;
  const u = unitHash(hashString(`${uuid}/level`), 0);
  return 0.01 + 0.4 * u ** 2.2;
}

/** Mean use of one vCPU (0..1). */
export function vcpuBase(uuid: string, controlDomain: boolean, vcpu: number): number {
  const spread = 0.7 + 0.6 * unitHash(hashString(`${uuid}/cpu`), vcpu);
  return Math.min(MAX_VCPU_BASE, vmLevel(uuid, controlDomain) * spread);
}

/** CPU left above a vCPU's highest value: what a spike may add without going over 100 %. */
export function cpuHeadroom(uuid: string, controlDomain: boolean, vcpus: number): number {
  let highest = 0;
  for (let k = 0; k < vcpus; k++) highest = Math.max(highest, vcpuBase(uuid, controlDomain, k));
  return Math.max(0, 0.98 - highest * (1 + CPU_DEVIATION));
}

/** Share of a guest's memory its OS reports free. */
export function freeFraction(uuid: string): number {
  return 0.12 + 0.55 * unitHash(hashString(`${uuid}/free`), 0);
}

/** Mean traffic of a VIF in bytes/s: from a few KB/s to several MB/s, busier on busier VMs. */
export function vifBase(uuid: string, controlDomain: boolean, device: string, direction: "rx" | "tx"): number {
  const seed = hashString(`${uuid}/vif/${device}`);
  const volume = 10 ** (3 + 3.5 * unitHash(seed, 0)) * (0.3 + 2 * vmLevel(uuid, controlDomain));
  return direction === "rx" ? volume : volume * (0.3 + 2.7 * unitHash(seed, 1));
}

/** Mean throughput of a disk in bytes/s; the first disk (the system disk) works most. */
export function vbdBase(uuid: string, controlDomain: boolean, device: string, direction: "read" | "write"): number {
  const seed = hashString(`${uuid}/vbd/${device}`);
  const system = device === "xvda" ? 1 : 0.4;
  const volume = 10 ** (3 + 3 * unitHash(seed, 0)) * (0.2 + 2 * vmLevel(uuid, controlDomain)) * system;
  return direction === "read" ? volume : volume * (0.2 + 1.5 * unitHash(seed, 1));
}

/** What a resident VM adds to its host's aggregates. */
export interface Contribution {
  /** Sum of its vCPUs' mean use, in vCPUs. */
  vcpuLoad: number;
  /** Bytes it takes on the host. */
  memory: number;
  netRx: number;
  netTx: number;
}

export function contributionOf(vm: VmRecord, uuid: string, vifs: readonly VifRecord[], paused: boolean): Contribution {
  let vcpuLoad = 0;
  let netRx = 0;
  let netTx = 0;
  if (!paused) {
    for (let k = 0; k < vm.VCPUs_at_startup; k++) vcpuLoad += vcpuBase(uuid, vm.is_control_domain, k);
    for (const vif of vifs) {
      netRx += vifBase(uuid, vm.is_control_domain, vif.device, "rx");
      netTx += vifBase(uuid, vm.is_control_domain, vif.device, "tx");
    }
  }
  return { vcpuLoad, memory: vm.memory_static_max + vm.memory_overhead, netRx, netTx };
}

/** The disks a VM's RRD has a data source for (CD drives have none here). */
export function diskDevices(vbds: readonly VbdRecord[]): string[] {
  return vbds
    .filter((vbd) => vbd.type === "Disk")
    .map((vbd) => deviceName(vbd.userdevice))
    .sort();
}
