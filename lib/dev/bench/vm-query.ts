/**
 * Benchmark of the VM list query at 10,000 rows: `npm run bench:vm-query`.
 * Prints p50/p95 per scenario for warm search keys (the normal case: the read model's rows are reused between
 * requests) and the one-off cost of building keys for rows never seen before.
 */
import { performance } from "node:perf_hooks";
import { applyVmQuery, parseVmQuery, POWER_STATES, vmSearchKey, type VmRow } from "@/lib/inventory/vm-query";

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

function makeRows(n: number): VmRow[] {
  const oses = ["Debian 12", "Ubuntu 24.04", "Rocky Linux 9", "Windows Server 2022", null];
  return Array.from({ length: n }, (_, i) => ({
    uuid: `${i.toString(16).padStart(8, "0")}-1111-4222-8333-${(i * 7919).toString(16).padStart(12, "0").slice(-12)}`,
    name: `${["web", "db", "cache", "build", "mail"][i % 5]}-${i}`,
    powerState: POWER_STATES[i % 4]!,
    poolId: `pool-${i % 3}`,
    poolLabel: ["lab", "production", "staging"][i % 3]!,
    hostUuid: i % 4 === 0 ? `host-${i % 16}` : null,
    hostName: i % 4 === 0 ? `xcp-${i % 16}` : null,
    vcpus: 1 + (i % 8),
    memoryBytes: (1 + (i % 32)) * 1024 ** 3,
    ip: i % 5 === 4 ? null : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    os: oses[i % oses.length]!,
    tags: i % 10 === 0 ? ["prod", "backup"] : [],
    stale: false,
    busy: null,
  }));
}

function measure(label: string, run: () => void): void {
  for (let i = 0; i < 10; i++) run(); // warm-up (JIT, key cache)
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  console.log(`${label.padEnd(44)} p50 ${pct(0.5).padStart(7)} ms   p95 ${pct(0.95).padStart(7)} ms`);
}

const rows = makeRows(ROWS);
console.log(`vm-query: ${ROWS} rows, ${RUNS} runs per scenario`);

const scenarios: [string, string][] = [
  ["first page (default sort by name)", ""],
  ["free-text search 'web'", "q=web"],
  ["field terms 'power_state:running pool:lab'", "q=power_state:running+pool:lab"],
  ["negated term + tag '-os:debian tag:prod'", "q=-os:debian+tag:prod"],
  ["power + pool filters", "power=Running&power=Paused&pool=pool-1"],
  ["sort by memory desc, page 40", "sort=memory&dir=desc&page=40"],
  ["sort by ip, 200 per page", "sort=ip&perPage=200"],
];
for (const [label, params] of scenarios) {
  measure(label, () => applyVmQuery(rows, parseVmQuery(new URLSearchParams(params))));
}

const keyStart = performance.now();
for (const row of rows) vmSearchKey(row);
console.log(`${"building keys for all rows (cold, once)".padEnd(44)} ${(performance.now() - keyStart).toFixed(2)} ms`);
