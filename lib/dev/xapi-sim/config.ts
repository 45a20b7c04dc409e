/**
 * Options of a simulator and their defaults, in one place. Programmatic use defaults to a quiet, deterministic
 * simulator (no background activity); the CLI turns the activity on.
 */
export type VmOperationName =
  | "start"
  | "start_on"
  | "clean_shutdown"
  | "shutdown"
  | "hard_shutdown"
  | "clean_reboot"
  | "hard_reboot"
  | "suspend"
  | "resume"
  | "resume_on"
  | "pause"
  | "unpause"
  | "pool_migrate"
  | "clone"
  | "copy"
  | "snapshot"
  | "checkpoint"
  | "revert"
  | "destroy"
  | "provision"
  | "host_shutdown"
  | "host_boot"
  | "sr_scan"
  // Storage and device operations (VDI.create takes its duration once, plus once more per TiB).
  | "vdi_create"
  | "vdi_resize"
  | "vdi_destroy"
  | "vbd_plug"
  | "vbd_unplug"
  | "vif_plug"
  | "vif_unplug";

/** Demo-like durations in milliseconds at speed 1; `speed` scales them all. */
export const BASE_DURATIONS: Record<VmOperationName, number> = {
  start: 3000,
  start_on: 3000,
  clean_shutdown: 2500,
  shutdown: 2500,
  hard_shutdown: 800,
  clean_reboot: 3500,
  hard_reboot: 1500,
  suspend: 2500,
  resume: 2000,
  resume_on: 2000,
  pause: 300,
  unpause: 300,
  pool_migrate: 4000,
  clone: 1500,
  copy: 5000,
  snapshot: 1500,
  checkpoint: 2500,
  revert: 2000,
  destroy: 400,
  provision: 1500,
  // A host told to reboot or shut down goes away after this (once its VMs have left), and a rebooting host is
  // away for host_boot.
  host_shutdown: 1500,
  host_boot: 8000,
  sr_scan: 1200,
  vdi_create: 800,
  vdi_resize: 600,
  vdi_destroy: 300,
  vbd_plug: 800,
  vbd_unplug: 600,
  vif_plug: 500,
  vif_unplug: 400,
};

export interface TlsKeyPair {
  key: string | Buffer;
  /** PEM; `host.get_server_certificate` answers its first certificate. */
  cert: string | Buffer;
}

export interface TlsOptions extends TlsKeyPair {
  /** Hosts (by address) that serve another pair: each real host has its own self-signed certificate. */
  hosts?: Record<string, TlsKeyPair>;
}

export interface ActivityOptions {
  /** Mean delay between two background changes, in ms (default 4000). */
  intervalMs?: number;
}

export interface SimulatorOptions {
  /** Number of pools (default 1). */
  pools?: number;
  /** Hosts per pool (default 3). */
  hostsPerPool?: number;
  /** Ordinary VMs per pool; templates, snapshots and control domains come on top (default 20). */
  vmsPerPool?: number;
  /** Same seed, same data set (default 1). */
  seed?: number | string;
  /** Port shared by every host; 0 picks a free one (default 0). */
  port?: number;
  /** Address of pool 1 host 1; pool p host h listens on base + (0, 0, p-1, h-1) (default 127.0.1.1). */
  baseAddress?: string;
  username?: string;
  password?: string;
  /** Multiplies every operation duration (default 1; tests use ~0.05). */
  speed?: number;
  /** Per-operation durations in ms at speed 1, overriding `BASE_DURATIONS`. */
  durations?: Partial<Record<VmOperationName, number>>;
  /** Background changes (guests shutting down, alerts...): off unless given (`true` or options). */
  activity?: boolean | ActivityOptions;
  /** Serve HTTPS with this key and certificate instead of HTTP. */
  tls?: TlsOptions;
  /** Port of the control API on 127.0.0.1 (default 0 = a free port). */
  controlPort?: number;
  /** Finished tasks are destroyed after this long (default 1 hour, as XAPI). */
  taskTtlMs?: number;
  /** Inactive sessions expire after this long (default 24 hours, as XAPI). */
  sessionTtlMs?: number;
  /** Biggest request body accepted, in bytes (default 300 KiB, as XAPI). */
  maxBodyBytes?: number;
  /** Receives one line per noteworthy thing (default: silent). */
  log?: (line: string) => void;
  /** How far every host's clock is ahead of the true time, in ms (negative: behind); per host through `sim.clock`. */
  clockOffsetMs?: number;
  /** Shape of `/rrd_updates?json` answers: today's xapi, early-2024 builds (`data` in `meta`), or the old hand-written JSON. */
  rrdJson?: "current" | "data-in-meta" | "legacy";
}

export const DEFAULT_PASSWORD = "xendeck-sim";

export interface ResolvedOptions {
  pools: number;
  hostsPerPool: number;
  vmsPerPool: number;
  seed: number | string;
  port: number;
  baseAddress: string;
  username: string;
  password: string;
  speed: number;
  durations: Record<VmOperationName, number>;
  activity: false | Required<ActivityOptions>;
  tls: TlsOptions | undefined;
  controlPort: number;
  taskTtlMs: number;
  sessionTtlMs: number;
  maxBodyBytes: number;
  log: (line: string) => void;
  clockOffsetMs: number;
  /** Changeable while the simulator runs (control API). */
  rrdJson: "current" | "data-in-meta" | "legacy";
}

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const pools = options.pools ?? 1;
  const hostsPerPool = options.hostsPerPool ?? 3;
  const baseAddress = options.baseAddress ?? "127.0.1.1";
  const octets = baseAddress.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`invalid base address ${baseAddress}`);
  }
  if (!Number.isInteger(pools) || pools < 1 || octets[2] + pools - 1 > 255) throw new Error(`invalid number of pools ${pools}`);
  if (!Number.isInteger(hostsPerPool) || hostsPerPool < 1 || octets[3] + hostsPerPool - 1 > 254) {
    throw new Error(`invalid number of hosts per pool ${hostsPerPool}`);
  }
  const vmsPerPool = options.vmsPerPool ?? 20;
  if (!Number.isInteger(vmsPerPool) || vmsPerPool < 0) throw new Error(`invalid number of VMs ${vmsPerPool}`);
  const speed = options.speed ?? 1;
  if (!(speed >= 0)) throw new Error(`invalid speed ${speed}`);
  const activity = options.activity;
  return {
    pools,
    hostsPerPool,
    vmsPerPool,
    seed: options.seed ?? 1,
    port: options.port ?? 0,
    baseAddress,
    username: options.username ?? "root",
    password: options.password ?? DEFAULT_PASSWORD,
    speed,
    durations: { ...BASE_DURATIONS, ...options.durations },
    activity: activity ? { intervalMs: (typeof activity === "object" && activity.intervalMs) || 4000 } : false,
    tls: options.tls,
    controlPort: options.controlPort ?? 0,
    taskTtlMs: options.taskTtlMs ?? 60 * 60 * 1000,
    sessionTtlMs: options.sessionTtlMs ?? 24 * 60 * 60 * 1000,
    maxBodyBytes: options.maxBodyBytes ?? 300 * 1024,
    log: options.log ?? (() => {}),
    clockOffsetMs: options.clockOffsetMs ?? 0,
    rrdJson: options.rrdJson ?? "current",
  };
}

/** The key pair the host at `address` serves (undefined over plain HTTP). */
export function tlsPairOf(tls: TlsOptions | undefined, address: string): TlsKeyPair | undefined {
  if (!tls) return undefined;
  return tls.hosts?.[address] ?? tls;
}

/** Pool `p` (0-based), host `h` (0-based) listens here. */
export function hostAddress(baseAddress: string, p: number, h: number): string {
  const [a, b, c, d] = baseAddress.split(".").map(Number);
  return `${a}.${b}.${c + p}.${d + h}`;
}
