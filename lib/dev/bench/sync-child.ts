/**
 * One side of `bench:sync`, run in its own process by `sync.ts`: connects one client (ours or Xen Orchestra's
 * `xen-api`, unmodified, default transport) to every pool, reports the time to a complete cache and memory,
 * then reports when each renamed VM shows up in its cache.
 *
 * Protocol (IPC with the parent): child → parent `{ type: "synced", ... }` once the caches are complete; then
 * for each change, parent → child `{ type: "expect", name }`, child → parent `{ type: "ready" }`, the parent
 * renames a VM, child → parent `{ type: "seen", name, at }` (`at`: performance.timeOrigin + now()).
 */
import { getHeapStatistics } from "node:v8";
import { PoolConnection } from "@/lib/xapi/connection";

interface PoolTarget {
  url: string;
  username: string;
  password: string;
}

const kind = process.argv[2] as "xendeck" | "xen-api" | "xen-api-same-classes";
const pools = JSON.parse(process.env.BENCH_POOLS ?? "[]") as PoolTarget[];
const now = () => performance.timeOrigin + performance.now();
const quiet = { debug() {}, info() {}, warn() {}, error: (message: string) => console.error(message) };

let peakHeap = 0;
const sampleHeap = () => {
  peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
};
const sampler = setInterval(sampleHeap, 5);

/** name → resolved when a VM with that name_label is in the cache. */
let expected: string | null = null;
function seen(name: unknown) {
  if (expected !== null && name === expected) {
    process.send!({ type: "seen", name, at: now() });
    expected = null;
  }
}

async function runXenDeck(): Promise<() => number> {
  const connections = pools.map(
    (pool, i) =>
      new PoolConnection(
        { id: String(i), label: `pool${i}`, url: pool.url, username: pool.username, password: pool.password, readOnly: true },
        { logger: quiet },
      ),
  );
  for (const connection of connections) {
    connection.subscribe((event) => {
      if (event.type !== "changes") return;
      for (const change of event.changes) if (change.class === "VM" && change.operation !== "del") seen(connection.cache.get("VM", change.ref)?.name_label);
    });
    connection.start();
  }
  await Promise.all(connections.map((c) => c.waitForSync(600_000)));
  return () => connections.reduce((n, c) => n + c.cache.count("VM"), 0);
}

async function runXenApi(sameClasses: boolean): Promise<() => number> {
  const { createClient } = (await import("xen-api")) as unknown as { createClient: (opts: object) => XenApi };
  const { CACHED_CLASSES } = await import("@/lib/xapi/cached-fields");
  const xapis = pools.map((pool) =>
    createClient({
      url: pool.url,
      auth: { user: pool.username, password: pool.password },
      readOnly: true,
      ...(sameClasses ? { watchEvents: CACHED_CLASSES } : {}),
    }),
  );
  for (const xapi of xapis) {
    for (const action of ["add", "update"]) {
      xapi.objects.on(action, (items: Record<string, { $type: string; name_label?: string }>) => {
        for (const id in items) if (items[id].$type === "VM") seen(items[id].name_label);
      });
    }
  }
  await Promise.all(xapis.map((xapi) => xapi.connect()));
  await Promise.all(xapis.map((xapi) => xapi.objectsFetched));
  return () => xapis.reduce((n, xapi) => n + Object.values(xapi.objects.all).filter((o) => o.$type === "VM").length, 0);
}

interface XenApi {
  connect(): Promise<void>;
  objectsFetched: Promise<void>;
  objects: {
    on(event: string, listener: (items: Record<string, { $type: string; name_label?: string }>) => void): void;
    all: Record<string, { $type: string }>;
  };
}

process.on("message", (message: { type: string; name?: string }) => {
  if (message.type === "expect") {
    expected = message.name!;
    process.send!({ type: "ready" });
  }
  if (message.type === "exit") process.exit(0);
});

const started = now();
const cpuStart = process.cpuUsage();
const countVms = kind === "xendeck" ? await runXenDeck() : await runXenApi(kind === "xen-api-same-classes");
const syncMs = now() - started;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
sampleHeap();
clearInterval(sampler);
const peakRss = process.resourceUsage().maxRSS * 1024;
(globalThis as { gc?: () => void }).gc?.();
(globalThis as { gc?: () => void }).gc?.();
const retainedHeap = getHeapStatistics().used_heap_size;
process.send!({ type: "synced", syncMs, cpuMs, peakRss, peakHeap, retainedHeap, vms: countVms() }, () => {
  if (process.argv.includes("--sync-only")) process.exit(0);
});
