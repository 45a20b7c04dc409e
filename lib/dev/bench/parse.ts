/**
 * Why `xmlrpc-parser.ts` exists: parses one large synthetic `VM.get_all_records` answer (every field of the
 * model, XAPI's wire forms) with the `xmlrpc` package's sax Deserializer and with ours, and prints the times.
 *
 *   npx tsx lib/dev/bench/parse.ts [vmCount=10000] [--no-sax] [--json]
 */
import { PassThrough } from "node:stream";
import Deserializer from "xmlrpc/lib/deserializer.js";
import { decodeResponseBody, recordDecoder, recordPlan, recordShape } from "@/lib/xapi/codec";
import { CACHED_FIELDS } from "@/lib/xapi/cached-fields";
import { formatXapiDate } from "@/lib/xapi/dates";
import { classSpec } from "@/lib/xapi/model/spec";

const count = Number(process.argv[2] ?? 10_000);

function sampleValue(type: string, i: number): string {
  if (/^\(.+\) map$/.test(type)) return `<struct><member><name>key${i % 7}</name><value>value ${i}</value></member></struct>`;
  if (type.endsWith(" set")) return `<array><data><value>OpaqueRef:${i}-a</value><value>OpaqueRef:${i}-b</value></data></array>`;
  if (type.endsWith(" ref")) return `OpaqueRef:00000000-0000-0000-0000-${String(i).padStart(12, "0")}`;
  switch (type) {
    case "int":
      return String(i * 1024);
    case "float":
      return `<double>${i / 3}</double>`;
    case "bool":
      return `<boolean>${i % 2}</boolean>`;
    case "datetime":
      return `<dateTime.iso8601>${formatXapiDate(new Date(i * 1000))}</dateTime.iso8601>`;
    case "enum vm_power_state":
      return "Running";
    default:
      return type.startsWith("enum ") ? "" : `some text &amp; more ${i}`;
  }
}

function syntheticAnswer(): Buffer {
  const fields = classSpec("VM")!.fields.filter((f) => f.lifecycle !== "Removed_s");
  const parts = [
    "<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>",
    "<member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>",
  ];
  for (let i = 0; i < count; i++) {
    parts.push(`<member><name>OpaqueRef:vm-${i}</name><value><struct>`);
    for (const f of fields) parts.push(`<member><name>${f.name}</name><value>${sampleValue(f.type, i)}</value></member>`);
    parts.push("</struct></value></member>");
  }
  parts.push("</struct></value></member></struct></value></param></params></methodResponse>\n");
  return Buffer.from(parts.join(""));
}

function withSax(body: Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stream = new PassThrough();
    new Deserializer().deserializeMethodResponse(stream, (error: unknown, value: unknown) => (error ? reject(error) : resolve(value)));
    stream.end(body);
  });
}

async function time<T>(label: string, run: () => T | Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await run();
  console.log(`${label.padEnd(50)} ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0).padStart(6)} ms`);
  return result;
}

const body = syntheticAnswer();
console.log(`VM.get_all_records, ${count} VMs: ${(body.length / 1e6).toFixed(1)} MB`);
if (!process.argv.includes("--no-sax")) await time("xmlrpc package (sax Deserializer)", () => withSax(body));
const raw = await time("xapi parser (xmlrpc-parser.ts)", () => decodeResponseBody(body, "VM.get_all_records"));
if (process.argv.includes("--json")) {
  const json = JSON.stringify({ jsonrpc: "2.0", result: raw, id: 1 });
  console.log(`same data as JSON: ${(json.length / 1e6).toFixed(1)} MB`);
  await time("JSON.parse (xen-api's JSON-RPC path)", () => JSON.parse(json));
}
await time("xapi parser building cached records (live cache)", () =>
  decodeResponseBody(body, "VM.get_all_records", { each: recordPlan(recordShape("VM", CACHED_FIELDS.VM, true)) }),
);
const project = recordDecoder("VM", CACHED_FIELDS.VM);
await time("then: decode + project to CACHED_FIELDS.VM", () => {
  for (const record of Object.values(raw as Record<string, unknown>)) project(record);
});
const full = recordDecoder("VM");
await time("then: decode every field", () => {
  for (const record of Object.values(raw as Record<string, unknown>)) full(record);
});
