/**
 * `npm run bench:sync`: our client versus Xen Orchestra's `xen-api` (unmodified, default transport), each in its
 * own child process, one after the other, against the same simulator (10,000 VMs in 5 pools by default):
 * time to a complete cache of every pool, peak memory of the child, and the delay between a change made on the
 * simulator (a VM renamed "from outside") and the change in the client's cache, over 200 changes.
 *
 *   npm run bench:sync [-- --vms 10000 --pools 5 --changes 200 --rounds 3 --same-classes]
 *
 * The machine is shared and noisy: the full sync runs `--rounds` times per client, interleaved, and the table
 * shows medians (change delays are measured in the last round). `--same-classes` adds a run of xen-api
 * restricted to the classes our cache holds (by default it watches every class the pool has).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startSimulator } from "@/lib/dev/xapi-sim";
import type { VmRecord } from "@/lib/xapi/model/records.generated";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const totalVms = option("vms", 10_000);
const poolCount = option("pools", 5);
const changes = option("changes", 200);
const rounds = Math.max(1, option("rounds", 3));
const kinds = ["xendeck", "xen-api", ...(args.includes("--same-classes") ? ["xen-api-same-classes"] : [])] as const;
const LABELS: Record<string, string> = {
  xendeck: "XenDeck lib/xapi (XML-RPC)",
  "xen-api": "xen-api 4.7.6 (defaults)",
  "xen-api-same-classes": "xen-api 4.7.6 (our 16 classes)",
};

const now = () => performance.timeOrigin + performance.now();

interface Synced {
  syncMs: number;
  cpuMs: number;
  peakRss: number;
  peakHeap: number;
  retainedHeap: number;
  vms: number;
}

interface Result extends Synced {
  kind: string;
  delays: number[];
  lost: number;
}

console.log(`Starting the simulator: ${poolCount} pools, ${totalVms} VMs...`);
const startedSim = Date.now();
const sim = await startSimulator({ pools: poolCount, hostsPerPool: 4, vmsPerPool: Math.round(totalVms / poolCount), seed: 42 });
const ordinaryVms = sim.pools.flatMap((pool) =>
  sim.inspect
    .all<VmRecord>("VM", pool.index)
    .filter((v) => !v.record.is_a_template && !v.record.is_a_snapshot && !v.record.is_control_domain)
    .map((v) => v.ref),
);
const allVms = sim.pools.reduce((n, pool) => n + sim.inspect.all("VM", pool.index).length, 0);
console.log(
  `  ready in ${((Date.now() - startedSim) / 1000).toFixed(1)} s: ${ordinaryVms.length} VMs (${allVms} VM objects with templates, snapshots, dom0)\n`,
);

/** The next message of `type` from the child, or null after `timeoutMs`. */
function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const timer = setTimeout(() => {
      done();
      resolve(null);
    }, timeoutMs);
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      done();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited with code ${code}`));
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

async function run(kind: string, measureChanges: boolean): Promise<Result> {
  const child = fork(fileURLToPath(new URL("./sync-child.ts", import.meta.url)), [kind, ...(measureChanges ? [] : ["--sync-only"])], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: { ...process.env, BENCH_POOLS: JSON.stringify(sim.pools.map((p) => ({ url: p.masterUrl, username: sim.username, password: sim.password }))) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const synced = await nextMessage<Synced>(child, "synced", 600_000);
  if (!synced) throw new Error(`${kind}: no complete cache within 10 minutes`);
  const delays: number[] = [];
  let lost = 0;
  if (!measureChanges) {
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
    return { kind, ...synced, delays, lost };
  }
  for (let i = 0; i < changes; i++) {
    const name = `bench ${kind} ${i}`;
    child.send({ type: "expect", name });
    await nextMessage(child, "ready", 5_000);
    const vm = ordinaryVms[(i * 7919) % ordinaryVms.length];
    const seen = nextMessage<{ at: number }>(child, "seen", 10_000);
    const t0 = now();
    sim.outside.vm(vm, { fields: { name_label: name } });
    const message = await seen;
    if (message) delays.push(message.at - t0);
    else lost++;
    await new Promise((resolve) => setTimeout(resolve, 5 + (i % 4) * 5));
  }
  child.send({ type: "exit" });
  await new Promise((resolve) => child.once("exit", resolve));
  return { kind, ...synced, delays, lost };
}

// A first, uncounted round warms the simulator up (its XML and JSON encoders), so that no client pays for it.
console.log("Warm-up round (not counted)...");
for (const kind of kinds) await run(kind, false);
const runs = new Map<string, Result[]>(kinds.map((kind) => [kind, []]));
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? [...kinds] : [...kinds].reverse();
  for (const kind of order) {
    const result = await run(kind, round === rounds);
    runs.get(kind)!.push(result);
    console.log(`  round ${round}: ${LABELS[kind].padEnd(32)} sync ${(result.syncMs / 1000).toFixed(2)} s, CPU ${(result.cpuMs / 1000).toFixed(2)} s`);
  }
}
await sim.stop();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const results: Result[] = kinds.map((kind) => {
  const all = runs.get(kind)!;
  const last = all.at(-1)!;
  return {
    ...last,
    syncMs: median(all.map((r) => r.syncMs)),
    cpuMs: median(all.map((r) => r.cpuMs)),
    peakRss: median(all.map((r) => r.peakRss)),
    peakHeap: median(all.map((r) => r.peakHeap)),
    retainedHeap: median(all.map((r) => r.retainedHeap)),
  };
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(value < 10 ? 1 : 0)} ms`);
const rows = [
  ["client", "full sync", "client CPU", "VMs cached", "peak RSS", "peak heap", "heap after sync", "delay p50", "delay p95", "delay max", "lost"],
  ...results.map((r) => [
    LABELS[r.kind],
    `${(r.syncMs / 1000).toFixed(2)} s`,
    `${(r.cpuMs / 1000).toFixed(2)} s`,
    String(r.vms),
    mb(r.peakRss),
    mb(r.peakHeap),
    mb(r.retainedHeap),
    ms(percentile(r.delays, 50)),
    ms(percentile(r.delays, 95)),
    ms(Math.max(...r.delays)),
    String(r.lost),
  ]),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
console.log(
  `\n${totalVms} VMs in ${poolCount} pools; medians of ${rounds} full syncs per client, each in its own process (peak heap sampled every 5 ms); ` +
    `change delay over ${changes} VM renames from outside.\n`,
);
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
const [ours, theirs] = results;
if (ours && theirs) {
  console.log(
    `\nGoals: full sync faster than xen-api: ${ours.syncMs < theirs.syncMs ? "yes" : "NO"} (${(theirs.syncMs / ours.syncMs).toFixed(1)}x); ` +
      `less memory: ${ours.peakRss < theirs.peakRss && ours.retainedHeap < theirs.retainedHeap ? "yes" : "NO"}; ` +
      `change delay p95 < 300 ms: ${percentile(ours.delays, 95) < 300 ? "yes" : "NO"}.`,
  );
}
