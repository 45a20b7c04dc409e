/**
 * `npm run bench:sim`: the simulator at 10,000 VMs. Starts it in a child process (so that its memory is
 * measured alone), then from this process, over real HTTP, times `VM.get_all_records` and a full
 * `event.from(["*"], "", ...)` per pool, with the response fully read and parsed, over XML-RPC and JSON-RPC,
 * cold (first call: the record fragments of that protocol are not cached yet) and warm. Prints the figures
 * and the simulator's memory.
 *
 *   npm run bench:sim [-- --pools 5 --vms 2000] [--single]   (--single adds one pool of 10,000 VMs)
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatMethodCall, parseMethodResponsePlain } from "./protocol/xmlrpc";
import { post } from "./test-client";

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
  const { startSimulator } = await import("./index");
  const started = performance.now();
  const sim = await startSimulator({ pools, hostsPerPool: 3, vmsPerPool: vms });
  const startupMs = performance.now() - started;
  process.send!({ ready: true, urls: sim.pools.map((p) => p.masterUrl), username: sim.username, password: sim.password, startupMs, vms: sim.inspect.all("VM").length } satisfies Ready);
  process.on("message", async (msg: { cmd: string }) => {
    if (msg.cmd === "memory") {
      global.gc?.();
      process.send!({ memory: process.memoryUsage() });
    } else if (msg.cmd === "stop") {
      await sim.stop();
      process.exit(0);
    }
  });
}

function request(child: ChildProcess, cmd: string): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once("message", (msg: { memory: NodeJS.MemoryUsage }) => resolve(msg.memory));
    child.send({ cmd });
  });
}

interface Timing {
  fetchMs: number;
  parseMs: number;
  bytes: number;
  items: number;
}

async function timedCall(url: string, transport: "xml" | "json", method: string, params: unknown[]): Promise<Timing> {
  const start = performance.now();
  const reply =
    transport === "xml"
      ? await post(url, "/", formatMethodCall(method, params.map((p) => (typeof p === "number" ? { t: "double", v: p } : Array.isArray(p) ? { t: "arr", v: p.map((v) => ({ t: "str", v: String(v) })) } : { t: "str", v: String(p) }))), "text/xml")
      : await post(url, "/jsonrpc", JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }), "application/json");
  const fetched = performance.now();
  let value: unknown;
  if (transport === "xml") {
    const parsed = parseMethodResponsePlain(reply.body) as { value: { Value: unknown } };
    value = parsed.value.Value;
  } else {
    value = (JSON.parse(reply.body) as { result: unknown }).result;
  }
  const parsedAt = performance.now();
  const items = Array.isArray((value as { events?: unknown[] }).events) ? (value as { events: unknown[] }).events.length : Object.keys(value as object).length;
  return { fetchMs: fetched - start, parseMs: parsedAt - fetched, bytes: Buffer.byteLength(reply.body), items };
}

async function login(url: string, ready: Ready, transport: "xml" | "json"): Promise<string> {
  const body =
    transport === "xml"
      ? formatMethodCall("session.login_with_password", [{ t: "str", v: ready.username }, { t: "str", v: ready.password }])
      : JSON.stringify({ jsonrpc: "2.0", method: "session.login_with_password", params: [ready.username, ready.password], id: 1 });
  const reply = await post(url, transport === "xml" ? "/" : "/jsonrpc", body, transport === "xml" ? "text/xml" : "application/json");
  return transport === "xml" ? /OpaqueRef:[0-9a-f-]+/.exec(reply.body)![0] : (JSON.parse(reply.body) as { result: string }).result;
}

const fmt = (t: Timing) => `${(t.fetchMs + t.parseMs).toFixed(0).padStart(6)} ms  (served+read ${t.fetchMs.toFixed(0)} ms, parse ${t.parseMs.toFixed(0)} ms, ${(t.bytes / MB).toFixed(1)} MB, ${t.items} items)`;

function sum(timings: Timing[]): Timing {
  return timings.reduce((a, b) => ({ fetchMs: a.fetchMs + b.fetchMs, parseMs: a.parseMs + b.parseMs, bytes: a.bytes + b.bytes, items: a.items + b.items }));
}

async function scenario(pools: number, vms: number): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", String(pools), String(vms)], { execArgv: [...process.execArgv, "--expose-gc"] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (msg: Ready) => resolve(msg));
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  console.log(`\n${pools} pool(s) x ${vms} VMs: ${ready.vms} VM records in all (templates, snapshots, control domains included); started in ${(ready.startupMs / 1000).toFixed(1)} s`);
  const before = await request(child, "memory");
  console.log(`  simulator memory after start: RSS ${(before.rss / MB).toFixed(0)} MB, heap used ${(before.heapUsed / MB).toFixed(0)} MB`);
  for (const transport of ["xml", "json"] as const) {
    const sessions = await Promise.all(ready.urls.map((url) => login(url, ready, transport)));
    for (const round of ["cold", "warm"]) {
      const records: Timing[] = [];
      const events: Timing[] = [];
      for (const [i, url] of ready.urls.entries()) {
        records.push(await timedCall(url, transport, "VM.get_all_records", [sessions[i]]));
        events.push(await timedCall(url, transport, "event.from", [sessions[i], ["*"], "", 1.0]));
      }
      const label = `${transport === "xml" ? "XML-RPC" : "JSON-RPC"} ${round}`;
      console.log(`  ${label.padEnd(13)} VM.get_all_records        ${fmt(sum(records))}`);
      console.log(`  ${label.padEnd(13)} event.from(["*"], "")     ${fmt(sum(events))}`);
      if (pools > 1) console.log(`  ${"".padEnd(13)} slowest pool: get_all_records ${Math.max(...records.map((t) => t.fetchMs + t.parseMs)).toFixed(0)} ms, event.from ${Math.max(...events.map((t) => t.fetchMs + t.parseMs)).toFixed(0)} ms`);
    }
  }
  const after = await request(child, "memory");
  console.log(`  simulator memory after the calls (fragments cached): RSS ${(after.rss / MB).toFixed(0)} MB, heap used ${(after.heapUsed / MB).toFixed(0)} MB`);
  child.send({ cmd: "stop" });
  await new Promise((resolve) => child.once("exit", resolve));
}

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") return serve(Number(process.argv[3]), Number(process.argv[4]));
  const { values } = parseArgs({ options: { pools: { type: "string" }, vms: { type: "string" }, single: { type: "boolean" } } });
  const pools = Number(values.pools ?? 5);
  const vms = Number(values.vms ?? 2000);
  console.log(`XAPI simulator benchmark (times include the HTTP transfer and a full parse of the answer in this process)`);
  await scenario(pools, vms);
  if (values.single) await scenario(1, pools * vms);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
