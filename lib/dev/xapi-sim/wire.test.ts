import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index";
import { post, TestClient, wire } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xml: TestClient;
let json: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 2, hostsPerPool: 2, vmsPerPool: 8, speed: 0.02 });
  xml = new TestClient(sim.pools[0].masterUrl, "xml");
  json = new TestClient(sim.pools[0].masterUrl, "json");
  await xml.login(sim.username, sim.password);
  json.session = xml.session;
});
afterAll(() => sim.stop());

const call = (method: string, params: string) => `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`;
const p = (value: string) => `<param><value>${value}</value></param>`;

describe("addresses", () => {
  it("puts every host of every pool on its own loopback address, on one port", () => {
    expect(sim.pools.map((pool) => pool.hosts.map((h) => h.address))).toEqual([
      ["127.0.1.1", "127.0.1.2"],
      ["127.0.2.1", "127.0.2.2"],
    ]);
    for (const pool of sim.pools) for (const host of pool.hosts) expect(host.url).toBe(`http://${host.address}:${sim.port}`);
    expect(sim.pools[0].masterUrl).toBe(sim.pools[0].hosts[0].url);
  });
});

describe("XML-RPC over HTTP", () => {
  it.each(["/", "/RPC2", "/xmlrpc"])("is served on POST %s with Content-Type text/xml", async (path) => {
    const reply = await post(sim.pools[0].masterUrl, path, call("pool.get_all", p(xml.session)), "text/xml");
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe("text/xml");
    expect(reply.body).toMatch(/^<\?xml version="1.0"\?><methodResponse><params><param><value><struct><member><name>Status<\/name><value>Success<\/value>/);
  });

  it("writes ints untyped, floats as <double>, bools as <boolean>, dates as dateTime.iso8601", async () => {
    const [ref] = (await xml.s("host.get_all")) as string[];
    const reply = await post(sim.pools[0].masterUrl, "/", call("host.get_record", p(xml.session) + p(ref)), "text/xml");
    expect(reply.body).toMatch(/<member><name>API_version_major<\/name><value>2<\/value><\/member>/);
    expect(reply.body).toMatch(/<member><name>enabled<\/name><value><boolean>1<\/boolean><\/value><\/member>/);
    expect(reply.body).toMatch(
      /<member><name>last_software_update<\/name><value><dateTime\.iso8601>\d{8}T\d\d:\d\d:\d\dZ<\/dateTime\.iso8601><\/value><\/member>/,
    );
    const [cpu] = (await xml.s("host_cpu.get_all")) as string[];
    const cpuReply = await post(sim.pools[0].masterUrl, "/", call("host_cpu.get_record", p(xml.session) + p(cpu)), "text/xml");
    expect(cpuReply.body).toMatch(/<member><name>utilisation<\/name><value><double>0<\/double><\/value><\/member>/);
    expect(cpuReply.body).not.toMatch(/>\s+</);
  });

  it("accepts Class_method and answers system.listMethods without the envelope", async () => {
    expect(await xml.call("pool_get_all", xml.session)).toEqual([sim.pools[0].ref]);
    expect(await xml.call("VM_metrics_get_all", xml.session)).toHaveLength(sim.inspect.all("VM_metrics", 0).length);
    const reply = await post(sim.pools[0].masterUrl, "/", call("system.listMethods", ""), "text/xml");
    expect(reply.body.startsWith('<?xml version="1.0"?><methodResponse><params><param><value><array><data>')).toBe(true);
    const methods = (await xml.call("system.listMethods")) as string[];
    expect(methods).toEqual(expect.arrayContaining(["VM.get_all_records", "VM.start", "event.from", "session.login_with_password"]));
  });

  it("accepts <i8>, <int> and strings for ints", async () => {
    const [vm] = (await xml.s("VM.get_by_name_label", "web-01")) as string[];
    expect(vm).toMatch(/^OpaqueRef:/);
    await xml.s("VM.set_user_version", vm, wire({ t: "int", v: "5" }));
    expect(await xml.s("VM.get_user_version", vm)).toBe("5");
    await xml.s("VM.set_user_version", vm, "6");
    expect(await xml.s("VM.get_user_version", vm)).toBe("6");
  });
});

describe("JSON-RPC over HTTP", () => {
  it("serves 2.0 with Content-Type application/json, ints as numbers", async () => {
    const reply = await json.raw("host.get_all_records", [json.session]);
    expect(reply.contentType).toBe("application/json");
    const doc = JSON.parse(reply.body);
    expect(doc.jsonrpc).toBe("2.0");
    expect(doc.id).toBe(1);
    const host = Object.values(doc.result as Record<string, { API_version_major: unknown; enabled: unknown }>)[0];
    expect(host.API_version_major).toBe(2);
    expect(host.enabled).toBe(true);
  });

  it("serves 1.0 with result and error members", async () => {
    const ok = await post(sim.pools[0].masterUrl, "/jsonrpc", JSON.stringify({ method: "pool.get_all", params: [json.session], id: 7 }), "application/json");
    expect(JSON.parse(ok.body)).toEqual({ result: [sim.pools[0].ref], error: null, id: 7 });
    const bad = await post(
      sim.pools[0].masterUrl,
      "/jsonrpc",
      JSON.stringify({ method: "pool.get_all", params: ["OpaqueRef:nope"], id: 8 }),
      "application/json",
    );
    expect(JSON.parse(bad.body)).toEqual({ result: null, error: ["SESSION_INVALID", "OpaqueRef:nope"], id: 8 });
  });

  it("answers errors as {code, message, data} in 2.0", async () => {
    const fault = await json.fault("VM.get_record", json.session, "OpaqueRef:nope");
    expect([fault.code, ...fault.params]).toEqual(["HANDLE_INVALID", "VM", "OpaqueRef:nope"]);
  });
});

describe("XAPI errors", () => {
  it("MESSAGE_METHOD_UNKNOWN [method]", async () => {
    for (const method of ["VM.explode", "Nope.get_all", "vm.get_all", "Async.VM.get_record", "VM.set_power_state"]) {
      const fault = await xml.fault(method, xml.session);
      expect([fault.code, ...fault.params]).toEqual(["MESSAGE_METHOD_UNKNOWN", method]);
    }
  });

  it("MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected, received]", async () => {
    const fault = await xml.fault("VM.start", xml.session, "OpaqueRef:x");
    expect([fault.code, ...fault.params]).toEqual(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.start", "4", "2"]);
    const tooMany = await xml.fault("session.login_with_password", "a", "b", "c", "d", "e");
    expect([tooMany.code, ...tooMany.params]).toEqual(["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "4", "5"]);
  });

  it("lets optional parameters be omitted", async () => {
    const [vm] = (await xml.s("VM.get_by_name_label", "web-01")) as string[];
    const snap = (await xml.s("VM.snapshot", vm, "no-ignore-list")) as string;
    expect(await xml.s("VM.get_snapshot_of", snap)).toBe(vm);
  });

  it("HANDLE_INVALID [class, ref], also for a ref of another class or another pool", async () => {
    const [host] = (await xml.s("host.get_all")) as string[];
    const other = new TestClient(sim.pools[1].masterUrl);
    await other.login(sim.username, sim.password);
    const [otherVm] = (await other.s("VM.get_all")) as string[];
    for (const ref of ["OpaqueRef:NULL", host, otherVm, "garbage"]) {
      const fault = await xml.fault("VM.get_name_label", xml.session, ref);
      expect([fault.code, ...fault.params]).toEqual(["HANDLE_INVALID", "VM", ref]);
    }
  });

  it("FIELD_TYPE_ERROR [param] for a wrong parameter type", async () => {
    const [vm] = (await xml.s("VM.get_all")) as string[];
    const fault = await xml.fault("VM.start", xml.session, vm, "yes", false);
    expect([fault.code, ...fault.params]).toEqual(["FIELD_TYPE_ERROR", "start_paused"]);
    const fault2 = await xml.fault("VM.set_name_label", xml.session, vm, 12);
    expect([fault2.code, ...fault2.params]).toEqual(["FIELD_TYPE_ERROR", "value"]);
  });

  it("never answers with an XML-RPC <fault>", async () => {
    const reply = await post(sim.pools[0].masterUrl, "/", call("VM.nope", ""), "text/xml");
    expect(reply.body).not.toContain("<fault>");
    expect(reply.body).toContain("<value>Failure</value>");
  });
});

describe("other HTTP requests", () => {
  it("answers 404 to other paths and methods, and CORS preflights", async () => {
    const get = await fetch(`${sim.pools[0].masterUrl}/`);
    expect(get.status).toBe(404);
    await get.text();
    const other = await post(sim.pools[0].masterUrl, "/nothing", call("pool.get_all", p(xml.session)), "text/xml");
    expect(other.status).toBe(404);
    const options = await fetch(`${sim.pools[0].masterUrl}/jsonrpc`, { method: "OPTIONS" });
    expect(options.status).toBe(200);
    expect(options.headers.get("access-control-allow-origin")).toBe("*");
  });
});
