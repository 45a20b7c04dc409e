/**
 * Conformance of every record class the simulator serves with the official data model, read at test time
 * from ../shared/xapi/xenapi.json (outside the repository): field names, wire types (over XML-RPC and
 * JSON-RPC), enum values, and RW/RO (a setter exists exactly for the RW fields, plus the explicit setters
 * of the model). Fields the model has removed (lifecycle Removed_s) are not served, as real xapi does not
 * serve them, and their getters answer MESSAGE_REMOVED.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSTRUCTOR_FIELDS } from "./constructor-args";
import { startSimulator, type Simulator } from "./index";
import { SERVED_CLASSES } from "./records";
import { TestClient } from "@/lib/dev/test/sim-client";

interface ModelField {
  name: string;
  type: string;
  qualifier: string;
  lifecycle: { state: string };
}
interface ModelClass {
  name: string;
  fields: ModelField[];
  messages: { name: string; implicit?: boolean; description: string; lifecycle: { state: string } }[];
  enums: { name: string; values: { name: string }[] }[];
}

const modelPath = fileURLToPath(new URL("../../../../shared/xapi/xenapi.json", import.meta.url));
const model = JSON.parse(readFileSync(modelPath, "utf8")) as ModelClass[];
const classes = new Map(model.map((c) => [c.name, c]));
const enums = new Map(model.flatMap((c) => c.enums.map((e) => [e.name, new Set(e.values.map((v) => v.name))] as const)));

let sim: Simulator;
let xml: TestClient;
let json: TestClient;
let methods: Set<string>;
/** One record per class: [ref, XML-RPC record, JSON-RPC record]. */
const samples = new Map<string, [string, Record<string, unknown>, Record<string, unknown>]>();

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 12, speed: 0.02 });
  xml = new TestClient(sim.pools[0].masterUrl, "xml");
  json = new TestClient(sim.pools[0].masterUrl, "json");
  await xml.login(sim.username, sim.password);
  json.session = xml.session;
  methods = new Set((await xml.call("system.listMethods")) as string[]);
  const task = (await xml.s("task.create", "conformance", "")) as string;
  for (const cls of SERVED_CLASSES) {
    if (cls === "session") {
      samples.set(cls, [xml.session, (await xml.s("session.get_record", xml.session)) as never, (await json.s("session.get_record", xml.session)) as never]);
      continue;
    }
    const all = (await xml.s(`${cls}.get_all_records`)) as Record<string, Record<string, unknown>>;
    const ref = cls === "VM" ? Object.keys(all).find((r) => !all[r].is_a_template && !all[r].is_control_domain)! : cls === "task" ? task : Object.keys(all)[0];
    samples.set(cls, [ref, all[ref], (await json.s(`${cls}.get_record`, ref)) as never]);
  }
});
afterAll(() => sim.stop());

/** Checks a decoded value against a model type; `wire` says how ints and dates arrive. Returns a problem or "". */
function typeProblem(type: string, value: unknown, wire: "xml" | "json"): string {
  const t = type.trim();
  const map = /^\((.+?) -> (.+)\) map$/.exec(t);
  if (map) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return `expected a map, got ${JSON.stringify(value)}`;
    for (const [k, v] of Object.entries(value)) {
      const problem = typeProblem(map[1], map[1] === "int" ? (wire === "xml" ? k : Number(k)) : k, wire) || typeProblem(map[2], v, wire);
      if (problem) return `in ${k}: ${problem}`;
    }
    return "";
  }
  if (t.endsWith(" set")) {
    if (!Array.isArray(value)) return `expected an array, got ${JSON.stringify(value)}`;
    for (const item of value) {
      const problem = typeProblem(t.slice(0, -4), item, wire);
      if (problem) return problem;
    }
    return "";
  }
  if (t.endsWith(" ref"))
    return typeof value === "string" && /^OpaqueRef:(NULL|[0-9a-f-]{36})$/.test(value) ? "" : `expected a ref, got ${JSON.stringify(value)}`;
  if (t.startsWith("enum ")) return enums.get(t.slice(5))?.has(String(value)) ? "" : `${JSON.stringify(value)} is not in enum ${t.slice(5)}`;
  switch (t) {
    case "string":
      return typeof value === "string" ? "" : `expected a string, got ${JSON.stringify(value)}`;
    case "int":
      if (wire === "xml") return typeof value === "string" && /^-?\d+$/.test(value) ? "" : `expected an untyped int, got ${JSON.stringify(value)}`;
      return Number.isInteger(value) ? "" : `expected an integer, got ${JSON.stringify(value)}`;
    case "float":
      return typeof value === "number" ? "" : `expected a double, got ${JSON.stringify(value)}`;
    case "bool":
      return typeof value === "boolean" ? "" : `expected a boolean, got ${JSON.stringify(value)}`;
    case "datetime":
      return typeof value === "string" && /^\d{8}T\d\d:\d\d:\d\dZ$/.test(value) ? "" : `expected an XAPI datetime, got ${JSON.stringify(value)}`;
    default:
      return `unexpected type ${t}`;
  }
}

describe.each(SERVED_CLASSES.map((c) => [c]))("%s records", (cls) => {
  const spec = classes.get(cls)!;
  const served = spec.fields.filter((f) => f.lifecycle.state !== "Removed_s");
  const removed = spec.fields.filter((f) => f.lifecycle.state === "Removed_s");

  it("have exactly the model's fields (removed ones excluded)", () => {
    const [, xmlRecord, jsonRecord] = samples.get(cls)!;
    expect(Object.keys(xmlRecord).sort()).toEqual(served.map((f) => f.name).sort());
    expect(Object.keys(jsonRecord).sort()).toEqual(served.map((f) => f.name).sort());
  });

  it("carry values of the model's types and enums, over XML-RPC and JSON-RPC", () => {
    const [, xmlRecord, jsonRecord] = samples.get(cls)!;
    const problems = served.flatMap((f) => {
      const p = [typeProblem(f.type, xmlRecord[f.name], "xml"), typeProblem(f.type, jsonRecord[f.name], "json")].filter(Boolean);
      return p.map((problem) => `${cls}.${f.name}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it("have setters exactly for RW fields (and the model's explicit setters); RW setters accept the current value", async () => {
    const [ref, , jsonRecord] = samples.get(cls)!;
    const explicit = new Set(spec.messages.filter((m) => !m.implicit).map((m) => m.name));
    for (const f of served) {
      const setter = `${cls}.set_${f.name}`;
      if (f.qualifier === "RW") {
        expect(methods.has(setter), setter).toBe(true);
        await json.s(setter, ref, jsonRecord[f.name]);
      } else if (!explicit.has(`set_${f.name}`)) {
        expect(methods.has(setter), setter).toBe(false);
        const fault = await xml.fault(setter, xml.session, ref, "x");
        expect(fault.description, setter).toEqual(["MESSAGE_METHOD_UNKNOWN", setter]);
      }
    }
    const after = (await json.s(`${cls}.get_record`, ref)) as Record<string, unknown>;
    for (const f of served.filter((field) => field.qualifier === "RW")) expect(after[f.name], f.name).toEqual(jsonRecord[f.name]);
  });

  it("answer MESSAGE_REMOVED for the getters of removed fields", async () => {
    const [ref] = samples.get(cls)!;
    for (const f of removed) {
      if (!spec.messages.some((m) => m.name === `get_${f.name}`)) continue;
      expect((await xml.fault(`${cls}.get_${f.name}`, xml.session, ref)).description).toEqual(["MESSAGE_REMOVED"]);
    }
  });
});

it("lists get_all_records for every served class that has one in the model", () => {
  for (const cls of SERVED_CLASSES) {
    const has = classes.get(cls)!.messages.some((m) => m.name === "get_all_records");
    expect(methods.has(`${cls}.get_all_records`), cls).toBe(has);
  }
});

it("reads create records with the constructor fields the model documents", () => {
  for (const [cls, fields] of Object.entries(CONSTRUCTOR_FIELDS)) {
    const create = classes.get(cls)!.messages.find((m) => m.name === "create")!;
    expect(create.description, cls).toContain(`The constructor args are: ${fields} (* = non-optional).`);
  }
});

it("only raises error codes xapi defines", () => {
  const errorsPath = fileURLToPath(new URL("../../../../shared/xapi/errors.json", import.meta.url));
  const known = new Set((JSON.parse(readFileSync(errorsPath, "utf8")) as { code: string }[]).map((e) => e.code));
  // Defined in xen-api's api_errors.ml, absent from errors.json.
  for (const code of ["VDI_IO_ERROR", "VDI_IS_SHARABLE", "VM_IS_SNAPSHOT", "REVERT_ONLY_ALLOWED_ON_SNAPSHOT"]) known.add(code);
  const dir = fileURLToPath(new URL(".", import.meta.url));
  const patterns = [/new XapiError\("([A-Z][A-Z0-9_]+)"/g, /refuse\([^;]*?\["([A-Z][A-Z0-9_]+)"/g, /return \["([A-Z][A-Z0-9]*_[A-Z0-9_]+)"/g];
  const raised = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .flatMap((f) => {
      const source = readFileSync(`${dir}/${f}`, "utf8");
      return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => `${f}: ${m[1]}`));
    });
  // SM driver failures are SR_BACKEND_FAILURE_<code>, built from the driver's own error codes.
  const unknown = raised.filter((r) => !known.has(r.split(": ")[1]) && !r.includes("SR_BACKEND_FAILURE_"));
  expect(raised.length).toBeGreaterThan(50);
  expect(unknown).toEqual([]);
});
