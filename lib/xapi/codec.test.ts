import { describe, expect, it } from "vitest";
import { decodeAs, decodeResponseBody, decodeResult, decodeTaskResult, encodeMethodCall, recordDecoder, XapiFloat } from "./codec";
import { XapiError, XapiProtocolError } from "./errors";
import { parseValueFragment } from "./xmlrpc-parser";

const envelope = (inner: string) => Buffer.from(`<methodResponse><params><param><value><struct>${inner}</struct></value></param></params></methodResponse>`);
const success = (value: string) =>
  envelope(`<member><name>Status</name><value>Success</value></member><member><name>Value</name><value>${value}</value></member>`);

/** The params of an encoded call, read back with our parser (as a server would see them). */
function paramsOf(xml: string): string[] {
  return [...xml.matchAll(/<param>(.*?)<\/param>/g)].map((m) => m[1]);
}

describe("encoding calls", () => {
  it("puts the session first and sends event.from's timeout as a double", () => {
    const xml = encodeMethodCall("event.from", [["vm", "host"], "", 60], "OpaqueRef:s");
    expect(xml).toContain("<methodName>event.from</methodName>");
    expect(paramsOf(xml)).toEqual([
      "<value><string>OpaqueRef:s</string></value>",
      "<value><array><data><value><string>vm</string></value><value><string>host</string></value></data></array></value>",
      "<value><string/></value>",
      "<value><double>60</double></value>",
    ]);
  });

  it("sends 64-bit ints as strings, whatever their size", () => {
    const xml = encodeMethodCall("VM.set_memory_static_max", ["OpaqueRef:vm", 64 * 2 ** 30], "OpaqueRef:s");
    expect(paramsOf(xml)[2]).toBe("<value><string>68719476736</string></value>");
    expect(() => encodeMethodCall("VM.set_memory_static_max", ["OpaqueRef:vm", 1.5])).toThrow(/expected an integer/);
  });

  it("infers types for methods outside the model", () => {
    const xml = encodeMethodCall("custom.call", [3, 2.5, new XapiFloat(4), true, new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), { k: ["v"] }]);
    expect(paramsOf(xml)).toEqual([
      "<value><string>3</string></value>",
      "<value><double>2.5</double></value>",
      "<value><double>4</double></value>",
      "<value><boolean>1</boolean></value>",
      "<value><dateTime.iso8601>20250102T03:04:05Z</dateTime.iso8601></value>",
      "<value><struct><member><name>k</name><value><array><data><value><string>v</string></value></data></array></value></member></struct></value>",
    ]);
  });

  it("escapes strings that would break CDATA, and round-trips them", () => {
    const tricky = 'a]]>b & <c> "q"';
    const xml = encodeMethodCall("VM.set_name_label", ["OpaqueRef:vm", tricky], "OpaqueRef:s");
    const param = paramsOf(xml)[2];
    expect(parseValueFragment(param)).toBe(tricky);
  });

  it("refuses values XAPI cannot carry", () => {
    expect(() => encodeMethodCall("custom.call", [null])).toThrow(TypeError);
    expect(() => encodeMethodCall("custom.call", [NaN])).toThrow(TypeError);
    expect(() => encodeMethodCall("VM.set_name_label", ["OpaqueRef:vm", 12])).toThrow(/expected a string/);
  });
});

describe("decoding answers", () => {
  it("unwraps Success and turns Failure into a XapiError", () => {
    expect(decodeResponseBody(success("OpaqueRef:1"), "VM.get_by_uuid")).toBe("OpaqueRef:1");
    const failure = envelope(
      `<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>VM_BAD_POWER_STATE</value><value>OpaqueRef:vm</value><value>halted</value><value>running</value></data></array></value></member>`,
    );
    try {
      decodeResponseBody(failure, "VM.start");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(XapiError);
      expect(error).toMatchObject({ kind: "xapi", code: "VM_BAD_POWER_STATE", params: ["OpaqueRef:vm", "halted", "running"], method: "VM.start" });
    }
  });

  it.each([
    ["a value without envelope", Buffer.from("<methodResponse><params><param><value>OpaqueRef:1</value></param></params></methodResponse>")],
    ["Success without Value", envelope("<member><name>Status</name><value>Success</value></member>")],
    ["Failure without ErrorDescription", envelope("<member><name>Status</name><value>Failure</value></member>")],
    ["an unknown Status", envelope("<member><name>Status</name><value>Maybe</value></member>")],
    [
      "an XML-RPC fault",
      Buffer.from(
        "<methodResponse><fault><value><struct><member><name>faultString</name><value>boom</value></member></struct></value></fault></methodResponse>",
      ),
    ],
  ])("refuses %s with a XapiProtocolError", (_label, body) => {
    expect(() => decodeResponseBody(body, "VM.get_by_uuid")).toThrow(XapiProtocolError);
  });

  it("accepts bare values from system methods", () => {
    const body = Buffer.from(
      "<methodResponse><params><param><value><array><data><value>VM.start</value></data></array></value></param></params></methodResponse>",
    );
    expect(decodeResponseBody(body, "system.listMethods")).toEqual(["VM.start"]);
  });

  it("decodes records against the model: ints, floats, dates, maps, sets", () => {
    const raw = {
      uuid: "u",
      name_label: "web",
      power_state: "Running",
      memory_static_max: "8589934592",
      VCPUs_at_startup: "2",
      snapshot_time: new Date(0),
      other_config: { a: "b" },
      tags: ["x"],
      is_a_template: false,
      newer_field_from_a_future_xapi: "kept",
    };
    const vm = decodeResult("VM.get_record", raw) as Record<string, unknown>;
    expect(vm).toMatchObject({ uuid: "u", memory_static_max: 8589934592, VCPUs_at_startup: 2, other_config: { a: "b" }, tags: ["x"], is_a_template: false });
    expect(vm.newer_field_from_a_future_xapi).toBe("kept");
    // fields an older XAPI does not send get an empty value of their type
    expect(vm.domid).toBe(0);
    expect(vm.VBDs).toEqual([]);
    expect(vm.resident_on).toBe("OpaqueRef:NULL");
    expect(vm.start_delay).toBe(0);
    const metrics = decodeAs("VM_metrics record", { VCPUs_CPU: { "0": "3" }, memory_actual: "1024", start_time: "20250319T04:16:24Z" }) as Record<
      string,
      unknown
    >;
    expect(metrics).toMatchObject({ VCPUs_CPU: { "0": 3 }, memory_actual: 1024, start_time: new Date(Date.UTC(2025, 2, 19, 4, 16, 24)) });
  });

  it("projects records to the requested fields, in order", () => {
    const decode = recordDecoder("VM", ["uuid", "power_state", "VCPUs_max"]);
    const vm = decode({ uuid: "u", power_state: "Halted", VCPUs_max: "4", name_label: "dropped" });
    expect(vm).toEqual({ uuid: "u", power_state: "Halted", VCPUs_max: 4 });
    expect(Object.keys(vm)).toEqual(["uuid", "power_state", "VCPUs_max"]);
    expect(() => recordDecoder("VM", ["no_such_field"])).toThrow(/not a field/);
  });

  it.each([
    ["an array for a string", { name_label: ["x"] }, /VM\.name_label: expected a string, got array/],
    ["text for an int", { VCPUs_max: "four" }, /VM\.VCPUs_max: expected an integer/],
    ["a struct for a set", { tags: { a: "b" } }, /VM\.tags: expected an array/],
    ["a number for a map", { other_config: 3 }, /VM\.other_config: expected a map/],
    ["garbage for a date", { snapshot_time: "soon" }, /VM\.snapshot_time: expected a date/],
    ["text for a bool", { is_a_template: "maybe" }, /VM\.is_a_template: expected a boolean/],
  ])("names the field when a record has %s", (_label, raw, message) => {
    expect(() => decodeAs("VM record", raw)).toThrow(XapiProtocolError);
    expect(() => decodeAs("VM record", raw)).toThrow(message);
  });

  it("decodes event batches, keeping snapshots raw for the caller", () => {
    const batch = decodeAs("an event batch", {
      events: [{ id: "5", timestamp: "20250101T00:00:00Z", class: "vm", operation: "mod", ref: "OpaqueRef:v", snapshot: { uuid: "u" } }],
      valid_ref_counts: { vm: "3" },
      token: "00000000000000000010,00000000000000000000",
    });
    expect(batch).toMatchObject({
      events: [{ id: 5, class: "vm", operation: "mod", ref: "OpaqueRef:v", snapshot: { uuid: "u" } }],
      valid_ref_counts: { vm: 3 },
    });
    // real XAPI writes timestamp "0.0": not a reason to refuse the batch
    expect(decodeAs("an event batch", { events: [{ id: "1", timestamp: "0.0", class: "vm", operation: "del", ref: "r" }], token: "t" })).toMatchObject({
      events: [{ timestamp: new Date(0) }],
    });
    expect(() => decodeAs("an event batch", { events: [{ class: "vm", operation: "explode", ref: "r" }], token: "" })).toThrow(/add, mod or del/);
    expect(() => decodeAs("an event batch", { events: [], token: 3 })).toThrow(XapiProtocolError);
  });

  it("decodes task results by the method's result type", () => {
    expect(decodeTaskResult("<value>OpaqueRef:new</value>", "VM ref")).toBe("OpaqueRef:new");
    expect(decodeTaskResult("", "void")).toBeUndefined();
    expect(decodeTaskResult("<value><array><data><value>1</value></data></array></value>", "int set")).toEqual([1]);
    expect(() => decodeTaskResult("<value>", "VM ref")).toThrow(XapiProtocolError);
  });
});
