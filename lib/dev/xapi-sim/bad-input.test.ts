import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index";
import { Prng } from "./prng";
import { parseMethodResponse, formatMethodCall } from "./protocol/xmlrpc";
import type { RpcValue } from "./protocol/values";
import { eventually } from "@/lib/dev/test/eventually";
import { post, TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;
let url: string;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 10, speed: 0.01 });
  url = sim.pools[0].masterUrl;
  xapi = new TestClient(url);
  await xapi.login(sim.username, sim.password);
});
afterAll(() => sim.stop());

describe("malformed requests", () => {
  it.each([
    ["garbage", "/", "this is not XML"],
    ["empty body", "/", ""],
    ["truncated XML", "/", "<methodCall><methodName>pool.get_all</methodName><params><param><value>"],
    ["XML with a DTD", "/", '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><methodCall><methodName>a</methodName></methodCall>'],
    ["invalid JSON", "/jsonrpc", '{"method":"pool.get_all",'],
    ["JSON notification", "/jsonrpc", '{"jsonrpc":"2.0","method":"pool.get_all","params":[]}'],
    ["XML on the JSON path", "/jsonrpc", "<methodCall><methodName>pool.get_all</methodName></methodCall>"],
  ])("%s gets HTTP 500", async (_name, path, body) => {
    const reply = await post(url, path, body, "text/xml");
    expect(reply.status).toBe(500);
    expect(reply.contentType).toBe("text/html");
  });

  it("refuses bodies above the size cap with HTTP 413, declared or streamed", async () => {
    const huge = formatMethodCall("VM.set_name_label", [
      { t: "str", v: xapi.session },
      { t: "str", v: "OpaqueRef:x" },
      { t: "str", v: "x".repeat(400 * 1024) },
    ]);
    expect((await post(url, "/", huge, "text/xml")).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const socket = connect(sim.port, sim.pools[0].master.address, () => {
        socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n");
        const chunk = "a".repeat(64 * 1024);
        for (let i = 0; i < 6; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      let data = "";
      socket.on("data", (d) => (data += d.toString()));
      socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
      socket.on("error", reject);
    });
    expect(chunked).toBe(413);
    expect(await xapi.s("pool.get_all")).toEqual([sim.pools[0].ref]);
  });

  it("survives a client that goes away in the middle of its request", async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(sim.port, sim.pools[0].master.address, () => {
        // Gone as soon as half a request is on the wire.
        socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<methodCall>", () => {
          socket.destroy();
          resolve();
        });
      });
    });
    expect(await xapi.s("pool.get_all")).toEqual([sim.pools[0].ref]);
  });

  it("answers wrong types and unknown classes with XAPI errors", async () => {
    const [vm] = (await xapi.s("VM.get_all")) as string[];
    expect((await xapi.fault("VM.set_VCPUs_max", xapi.session, vm, "many")).description).toEqual(["FIELD_TYPE_ERROR", "value"]);
    expect((await xapi.fault("VM.get_record", xapi.session, ["list"])).description).toEqual(["FIELD_TYPE_ERROR", "self"]);
    expect((await xapi.fault("event.from", xapi.session, "*", "", 1)).description).toEqual(["FIELD_TYPE_ERROR", "classes"]);
    expect((await xapi.fault("Bond.get_all", xapi.session)).description).toEqual(["MESSAGE_METHOD_UNKNOWN", "Bond.get_all"]);
    expect((await xapi.fault("Nothing.at.all", xapi.session)).description).toEqual(["MESSAGE_METHOD_UNKNOWN", "Nothing.at.all"]);
    expect((await xapi.fault("pool.get_all", xapi.session, ...Array(50).fill("x"))).description).toEqual([
      "MESSAGE_PARAMETER_COUNT_MISMATCH",
      "pool.get_all",
      "1",
      "51",
    ]);
  });
});

describe("fuzzing", () => {
  const METHODS = [
    "session.login_with_password",
    "pool.get_all",
    "pool.get_record",
    "VM.get_all_records",
    "VM.get_record",
    "VM.get_by_name_label",
    "VM.start",
    "VM.clean_shutdown",
    "VM.clone",
    "VM.snapshot",
    "VM.set_name_label",
    "VM.add_to_other_config",
    "VM.set_memory_static_max",
    "Async.VM.hard_shutdown",
    "host.compute_free_memory",
    "task.cancel",
    "event.inject",
    "message.create",
    "system.listMethods",
    "VM_get_all",
    "Nope.nothing",
  ];

  function randomValue(rng: Prng, refs: string[], depth = 0): RpcValue {
    const kind = rng.int(0, depth > 2 ? 6 : 9);
    switch (kind) {
      case 0:
        return { t: "str", v: rng.pick(refs) };
      case 1:
        return { t: "str", v: rng.pick(["", "Halted", "*", "é∆😀", "OpaqueRef:NULL", "<&>", "9".repeat(30), "a\u0000b"]) };
      case 2:
        return { t: "int", v: String(rng.int(-5, 1e9)) };
      case 3:
        return { t: "double", v: rng.next() * 100 };
      case 4:
        return { t: "bool", v: rng.chance(0.5) };
      case 5:
        return { t: "nil" };
      case 6:
        return { t: "date", v: rng.pick(["20250101T00:00:00Z", "nonsense"]) };
      case 7:
        return { t: "arr", v: Array.from({ length: rng.int(0, 3) }, () => randomValue(rng, refs, depth + 1)) };
      default:
        return { t: "struct", v: Array.from({ length: rng.int(0, 3) }, (_, i) => [`k${i}`, randomValue(rng, refs, depth + 1)] as [string, RpcValue]) };
    }
  }

  function mutate(rng: Prng, body: string): string {
    let s = body;
    for (let i = rng.int(1, 4); i > 0; i--) {
      const at = rng.int(0, s.length);
      const len = rng.int(0, 12);
      switch (rng.int(0, 4)) {
        case 0:
          s = s.slice(0, at) + s.slice(at + len);
          break;
        case 1:
          s = s.slice(0, at) + rng.pick(["<", ">", "&", "</value>", "<value>", "<struct>", "\u0000", '"', "{", "]", "ÿ"]) + s.slice(at);
          break;
        case 2:
          s = s.slice(0, at) + s.slice(at, at + len).repeat(rng.int(2, 5)) + s.slice(at + len);
          break;
        case 3:
          s = s.slice(0, at);
          break;
        default:
          s =
            s.slice(0, at) +
            s
              .slice(at, at + len)
              .split("")
              .reverse()
              .join("") +
            s.slice(at + len);
      }
    }
    return s;
  }

  it("never crashes or hangs on random and mutated requests, and stays consistent", async () => {
    const rng = new Prng("fuzz-1");
    const refs = [xapi.session, ...((await xapi.s("VM.get_all")) as string[]).slice(0, 5), sim.pools[0].master.ref, "OpaqueRef:bogus"];
    const statuses = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const method = rng.pick(METHODS);
          const params = Array.from({ length: rng.int(0, 5) }, () => randomValue(rng, refs));
          if (rng.chance(0.7)) params.unshift({ t: "str", v: xapi.session });
          const json = rng.chance(0.3);
          const plain = json
            ? JSON.stringify({
                jsonrpc: "2.0",
                method,
                params: params.map((p) => (p.t === "str" ? p.v : p.t === "int" ? Number(p.v) : p.t === "bool" ? p.v : null)),
                id: 1,
              })
            : formatMethodCall(method, params);
          const body = rng.chance(0.5) ? mutate(rng, plain) : plain;
          const reply = await Promise.race([
            post(url, json ? "/jsonrpc" : "/", body, json ? "application/json" : "text/xml"),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(body).slice(0, 300)}`)), 5000)),
          ]);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          expect([200, 500]).toContain(reply.status);
          // An INTERNAL_ERROR would be a simulator bug surfacing: every failure must be a proper XAPI error.
          expect(reply.body).not.toContain("INTERNAL_ERROR");
          if (reply.status === 200 && !json) expect(() => parseMethodResponse(reply.body)).not.toThrow();
          if (reply.status === 200 && json) expect(() => JSON.parse(reply.body)).not.toThrow();
        }),
      );
    }
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(500)).toBeGreaterThan(20);
    const fresh = new TestClient(url);
    await fresh.login(sim.username, sim.password);
    expect(await fresh.s("pool.get_all")).toEqual([sim.pools[0].ref]);
    // Operations the fuzzed calls started run to their end first.
    await eventually(() =>
      sim.inspect.all<{ status: string }>("task").every((task) => task.record.status !== "pending" && task.record.status !== "cancelling"),
    );
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
