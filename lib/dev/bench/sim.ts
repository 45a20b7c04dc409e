/**
 * `npm run bench:sim`: the simulator at 10,000 VMs. Starts it in a child process (so that its memory and its
 * CPU are its own), then from this process, over real HTTP, times `VM.get_all_records` and a full
 * `event.from(["*"], "", ...)` per pool, over XML-RPC and JSON-RPC, cold (the record fragments of that
 * protocol are not cached yet) and warm. Each call is split into what the simulator does and what a client
 * does: "first byte" (request sent → first byte of the answer: the simulator finds and encodes the answer),
 * "transfer" (first → last byte received), then "parse" (a complete parse of the buffered answer in this
 * process: XenDeck's XML-RPC parser from lib/xapi building every value, or JSON.parse). "served" is first
 * byte + transfer; "total" adds the parse. "simulator CPU" is the CPU time the simulator process used for
 * the call (a figure that the load of a shared machine disturbs less than wall times). Prints the
 * simulator's memory too.
 *
 *   npm run bench:sim [-- --pools 5 --vms 2000] [--single] [--rounds 3]
 *   (--single adds one pool of 10,000 VMs; --rounds repeats each measure on a fresh simulator, medians shown)
 */
import { fork, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseMethodResponse } from "@/lib/xapi/xmlrpc-parser";
import { formatMethodCall } from "@/lib/dev/xapi-sim/protocol/xmlrpc";
import type { RpcValue } from "@/lib/dev/xapi-sim/protocol/values";

interface Ready {
  ready: true;
  urls: string[];
  username: string;
  password: string;
  startupMs: number;
  vms: number;
}

const MB = 1024 * 1024;

async function serve(pools: number, vms: number): Promise<void> {
  const { startSimulator } = await import("@/lib/dev/xapi-sim/index");
  const started = performance.now();
  const sim = await startSimulator({ pools, hostsPerPool: 3, vmsPerPool: vms });
  const startupMs = performance.now() - started;
  process.send!({
    ready: true,
    urls: sim.pools.map((p) => p.masterUrl),
    username: sim.username,
    password: sim.password,
    startupMs,
    vms: sim.inspect.all("VM").length,
  } satisfies Ready);
  process.on("message", async (msg: { cmd: string }) => {
    if (msg.cmd === "memory") {
      global.gc?.();
      process.send!({ memory: process.memoryUsage() });
    } else if (msg.cmd === "cpu") {
      const cpu = process.cpuUsage();
      process.send!({ cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (msg.cmd === "stop") {
      await sim.stop();
      process.exit(0);
    }
  });
}

function ask<T>(child: ChildProcess, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (msg: T) => resolve(msg));
    child.send({ cmd });
  });
}

const memoryOf = async (child: ChildProcess) => (await ask<{ memory: NodeJS.MemoryUsage }>(child, "memory")).memory;
const cpuOf = async (child: ChildProcess) => (await ask<{ cpuMs: number }>(child, "cpu")).cpuMs;

interface Timing {
  /** CPU time the simulator spent (all its threads, garbage collection included). */
  simCpuMs: number;
  firstByteMs: number;
  transferMs: number;
  parseMs: number;
  bytes: number;
  items: number;
}

/** POSTs on a fresh connection; resolves with the answer's bytes and when its first and last bytes came. */
function postTimed(url: string, path: string, body: string, contentType: string): Promise<{ body: Buffer; firstByte: number; lastByte: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: "POST", agent: false, headers: { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        let firstByte = 0;
        res.on("data", (chunk: Buffer) => {
          firstByte ||= performance.now();
          chunks.push(chunk);
        });
        res.on("end", () => resolve({ body: Buffer.concat(chunks), firstByte, lastByte: performance.now() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const toRpc = (p: unknown): RpcValue =>
  typeof p === "number" ? { t: "double", v: p } : Array.isArray(p) ? { t: "arr", v: p.map((v) => ({ t: "str", v: String(v) })) } : { t: "str", v: String(p) };

async function timedCall(child: ChildProcess, url: string, transport: "xml" | "json", method: string, params: unknown[]): Promise<Timing> {
  const cpuBefore = await cpuOf(child);
  const start = performance.now();
  const reply =
    transport === "xml"
      ? await postTimed(url, "/", formatMethodCall(method, params.map(toRpc)), "text/xml")
      : await postTimed(url, "/jsonrpc", JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }), "application/json");
  const simCpuMs = (await cpuOf(child)) - cpuBefore;
  const parseStart = performance.now();
  let value: unknown;
  if (transport === "xml") {
    const parsed = parseMethodResponse(reply.body);
    value = (parsed.value as { Value: unknown }).Value;
  } else {
    value = (JSON.parse(reply.body.toString("utf8")) as { result: unknown }).result;
  }
  const parseMs = performance.now() - parseStart;
  const items = Array.isArray((value as { events?: unknown[] }).events) ? (value as { events: unknown[] }).events.length : Object.keys(value as object).length;
  return { simCpuMs, firstByteMs: reply.firstByte - start, transferMs: reply.lastByte - reply.firstByte, parseMs, bytes: reply.body.length, items };
}

async function login(url: string, ready: Ready, transport: "xml" | "json"): Promise<string> {
  const reply =
    transport === "xml"
      ? await postTimed(url, "/", formatMethodCall("session.login_with_password", [toRpc(ready.username), toRpc(ready.password)]), "text/xml")
      : await postTimed(
          url,
          "/jsonrpc",
          JSON.stringify({ jsonrpc: "2.0", method: "session.login_with_password", params: [ready.username, ready.password], id: 1 }),
          "application/json",
        );
  const text = reply.body.toString("utf8");
  return transport === "xml" ? /OpaqueRef:[0-9a-f-]+/.exec(text)![0] : (JSON.parse(text) as { result: string }).result;
}

const served = (t: Timing) => t.firstByteMs + t.transferMs;
const total = (t: Timing) => served(t) + t.parseMs;

function sum(timings: Timing[]): Timing {
  return timings.reduce((a, b) => ({
    simCpuMs: a.simCpuMs + b.simCpuMs,
    firstByteMs: a.firstByteMs + b.firstByteMs,
    transferMs: a.transferMs + b.transferMs,
    parseMs: a.parseMs + b.parseMs,
    bytes: a.bytes + b.bytes,
    items: a.items + b.items,
  }));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const range = (values: number[]) => (values.length > 1 ? ` [${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}]` : "");

/** One line: medians over rounds (ranges in brackets when there are several rounds). */
function line(label: string, call: string, runs: Timing[]): string {
  const pick = (f: (t: Timing) => number) => `${median(runs.map(f)).toFixed(0)}${range(runs.map(f))}`;
  const t = runs[0];
  return (
    `  ${label.padEnd(13)} ${call.padEnd(24)} served ${pick(served).padStart(5)} ms (first byte ${pick((r) => r.firstByteMs)}, transfer ${pick((r) => r.transferMs)})` +
    `, parse ${pick((r) => r.parseMs)}, total ${pick(total)} ms; simulator CPU ${pick((r) => r.simCpuMs)} ms  (${(t.bytes / MB).toFixed(1)} MB, ${t.items} items)`
  );
}

interface ScenarioResult {
  lines: Map<string, Timing[]>;
  slowest: Map<string, number[]>;
  memory: { start: number; startHeap: number; end: number; endHeap: number; startupMs: number }[];
}

async function scenarioRound(pools: number, vms: number, result: ScenarioResult, announce: boolean): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", String(pools), String(vms)], { execArgv: [...process.execArgv, "--expose-gc"] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (msg: Ready) => resolve(msg));
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  if (announce) console.log(`\n${pools} pool(s) x ${vms} VMs: ${ready.vms} VM records in all (templates, snapshots, control domains included)`);
  const before = await memoryOf(child);
  for (const transport of ["xml", "json"] as const) {
    const sessions = await Promise.all(ready.urls.map((url) => login(url, ready, transport)));
    for (const round of ["cold", "warm"]) {
      const label = `${transport === "xml" ? "XML-RPC" : "JSON-RPC"} ${round}`;
      for (const [call, method, params] of [
        ["VM.get_all_records", "VM.get_all_records", []],
        ['event.from(["*"], "")', "event.from", [["*"], "", 1.0]],
      ] as const) {
        const perPool: Timing[] = [];
        for (const [i, url] of ready.urls.entries()) perPool.push(await timedCall(child, url, transport, method, [sessions[i], ...params]));
        const key = `${label}|${call}`;
        result.lines.set(key, [...(result.lines.get(key) ?? []), sum(perPool)]);
        result.slowest.set(key, [...(result.slowest.get(key) ?? []), Math.max(...perPool.map(total))]);
      }
    }
  }
  const after = await memoryOf(child);
  result.memory.push({ start: before.rss, startHeap: before.heapUsed, end: after.rss, endHeap: after.heapUsed, startupMs: ready.startupMs });
  child.send({ cmd: "stop" });
  await new Promise((resolve) => child.once("exit", resolve));
}

async function scenario(pools: number, vms: number, rounds: number): Promise<void> {
  const result: ScenarioResult = { lines: new Map(), slowest: new Map(), memory: [] };
  for (let round = 0; round < rounds; round++) await scenarioRound(pools, vms, result, round === 0);
  const m = (f: (x: ScenarioResult["memory"][number]) => number) => `${median(result.memory.map(f)).toFixed(0)}${range(result.memory.map(f))}`;
  console.log(
    `  simulator started in ${m((x) => x.startupMs)} ms; memory after start: RSS ${m((x) => x.start / MB)} MB, heap used ${m((x) => x.startHeap / MB)} MB`,
  );
  for (const [key, runs] of result.lines) {
    const [label, call] = key.split("|");
    console.log(line(label, call, runs));
    if (pools > 1 && call.startsWith("event")) {
      const slowestRecords = result.slowest.get(`${label}|VM.get_all_records`)!;
      const slowestEvents = result.slowest.get(key)!;
      console.log(
        `  ${"".padEnd(13)} slowest pool (total): get_all_records ${median(slowestRecords).toFixed(0)} ms, event.from ${median(slowestEvents).toFixed(0)} ms`,
      );
    }
  }
  console.log(
    `  simulator memory after the calls (fragments of both protocols cached): RSS ${m((x) => x.end / MB)} MB, heap used ${m((x) => x.endHeap / MB)} MB`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") return serve(Number(process.argv[3]), Number(process.argv[4]));
  const { values } = parseArgs({ options: { pools: { type: "string" }, vms: { type: "string" }, single: { type: "boolean" }, rounds: { type: "string" } } });
  const pools = Number(values.pools ?? 5);
  const vms = Number(values.vms ?? 2000);
  const rounds = Math.max(1, Number(values.rounds ?? 1));
  console.log(`XAPI simulator benchmark: pools one after the other, times summed over pools${rounds > 1 ? `; medians of ${rounds} rounds [min-max]` : ""}`);
  await scenario(pools, vms, rounds);
  if (values.single) await scenario(1, pools * vms, rounds);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
