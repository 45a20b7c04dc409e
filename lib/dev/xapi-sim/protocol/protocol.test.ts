import { describe, expect, it } from "vitest";
import { XapiError } from "@/lib/dev/xapi-sim/errors";
import { jsonFailure, jsonSuccess, jsonValue, parseJsonRequest } from "./jsonrpc";
import { decodeParam, type RpcValue } from "./values";
import { formatDouble, formatXapiDate, parseType, parseXapiDate } from "./xapi-types";
import { escapeXml, formatMethodCall, parseMethodCall, parseMethodResponse, parseValueFragment, xmlFailure, xmlSuccess, xmlValue } from "./xmlrpc";

describe("XAPI types", () => {
  it("parses the model's type grammar", () => {
    expect(parseType("(string -> VM ref) map")).toMatchObject({ k: "map", key: { k: "string" }, val: { k: "ref", cls: "VM" } });
    expect(parseType("enum vm_power_state set")).toMatchObject({ k: "set", of: { k: "enum", name: "vm_power_state" } });
    expect(parseType("(VM ref -> VM record) map")).toMatchObject({ k: "map", val: { k: "record", cls: "VM" } });
  });

  it("writes and reads XAPI datetimes", () => {
    const date = new Date(Date.UTC(2025, 2, 19, 4, 16, 24));
    expect(formatXapiDate(date)).toBe("20250319T04:16:24Z");
    expect(formatXapiDate(new Date(0))).toBe("19700101T00:00:00Z");
    expect(parseXapiDate("20250319T04:16:24Z")?.getTime()).toBe(date.getTime());
    expect(parseXapiDate("2025-03-19T04:16:24Z")?.getTime()).toBe(date.getTime());
    expect(parseXapiDate("20250319T04:16:24")?.getTime()).toBe(date.getTime());
    expect(parseXapiDate("yesterday")).toBeUndefined();
  });

  it("prints doubles like %.16g", () => {
    expect(formatDouble(0.1)).toBe("0.1");
    expect(formatDouble(1)).toBe("1");
    expect(formatDouble(60.1)).toBe("60.1");
  });
});

describe("XML-RPC encoding", () => {
  it("writes strings, refs, enums and 64-bit ints untyped, escaped", () => {
    expect(xmlValue(parseType("string"), 'a<b>&"c"')).toBe("<value>a&lt;b&gt;&amp;&quot;c&quot;</value>");
    expect(xmlValue(parseType("int"), 4294967296)).toBe("<value>4294967296</value>");
    expect(xmlValue(parseType("enum vm_power_state"), "Running")).toBe("<value>Running</value>");
    expect(xmlValue(parseType("bool"), true)).toBe("<value><boolean>1</boolean></value>");
    expect(xmlValue(parseType("float"), 0.5)).toBe("<value><double>0.5</double></value>");
    expect(xmlValue(parseType("datetime"), new Date(0))).toBe("<value><dateTime.iso8601>19700101T00:00:00Z</dateTime.iso8601></value>");
    expect(xmlValue(parseType("string set"), ["a", "b"])).toBe("<value><array><data><value>a</value><value>b</value></data></array></value>");
    expect(xmlValue(parseType("(string -> string) map"), { "k&": "v" })).toBe(
      "<value><struct><member><name>k&amp;</name><value>v</value></member></struct></value>",
    );
  });

  it("drops control characters XML cannot carry", () => {
    expect(escapeXml("a\u0001b\tc")).toBe("ab\tc");
  });

  it("wraps replies in the Status envelope without whitespace between elements", () => {
    const ok = xmlSuccess(parseType("string"), "x").join("");
    expect(ok).toBe(
      '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value>x</value></member></struct></value></param></params></methodResponse>',
    );
    const failure = parseMethodResponse(xmlFailure(["HANDLE_INVALID", "VM", "OpaqueRef:x"]).join(""));
    expect(failure).toEqual({
      value: {
        t: "struct",
        v: [
          ["Status", { t: "str", v: "Failure" }],
          [
            "ErrorDescription",
            {
              t: "arr",
              v: [
                { t: "str", v: "HANDLE_INVALID" },
                { t: "str", v: "VM" },
                { t: "str", v: "OpaqueRef:x" },
              ],
            },
          ],
        ],
      },
    });
  });
});

describe("XML-RPC parsing", () => {
  it("reads what Python's xmlrpc.client sends (whitespace, <string>, <int>, <double>, <boolean>, <nil/>)", () => {
    const body = `<?xml version='1.0'?>
<methodCall>
<methodName>VM.start</methodName>
<params>
<param>
<value><string>OpaqueRef:s</string></value>
</param>
<param>
<value><int>42</int></value>
</param>
<param>
<value><double>60.1</double></value>
</param>
<param>
<value><boolean>0</boolean></value>
</param>
<param>
<value><array><data>
<value><string>*</string></value>
</data></array></value>
</param>
<param>
<value><struct>
<member>
<name>k</name>
<value><string>v</string></value>
</member>
</struct></value>
</param>
<param>
<value><nil/></value></param>
</params>
</methodCall>
`;
    const call = parseMethodCall(body);
    expect(call.method).toBe("VM.start");
    expect(call.params).toEqual([
      { t: "str", v: "OpaqueRef:s" },
      { t: "int", v: "42" },
      { t: "double", v: 60.1 },
      { t: "bool", v: false },
      { t: "arr", v: [{ t: "str", v: "*" }] },
      { t: "struct", v: [["k", { t: "str", v: "v" }]] },
      { t: "nil" },
    ]);
  });

  it("keeps untyped text verbatim, decodes entities and CDATA, reads empty values as empty strings", () => {
    const call = parseMethodCall(
      "<methodCall><methodName>x</methodName><params><param><value> a &amp; b </value></param><param><value/></param><param><value><![CDATA[<raw>]]></value></param><param><value>&#x41;&#66;</value></param></params></methodCall>",
    );
    expect(call.params).toEqual([
      { t: "str", v: " a & b " },
      { t: "str", v: "" },
      { t: "str", v: "<raw>" },
      { t: "str", v: "AB" },
    ]);
  });

  it("accepts calls without params", () => {
    expect(parseMethodCall("<methodCall><methodName>system.listMethods</methodName></methodCall>").params).toEqual([]);
    expect(parseMethodCall("<methodCall><methodName>system.listMethods</methodName><params/></methodCall>").params).toEqual([]);
  });

  it.each([
    ["not XML", "hello"],
    ["truncated", "<methodCall><methodName>VM.start</methodName><params><param><value>"],
    ["unknown type", "<methodCall><methodName>x</methodName><params><param><value><float>1</float></value></param></params></methodCall>"],
    ["bad int", "<methodCall><methodName>x</methodName><params><param><value><int>1.5</int></value></param></params></methodCall>"],
    ["mismatched tag", "<methodCall><methodName>x</methodName></methodcall>"],
    ["DTD", '<!DOCTYPE x [<!ENTITY a "b">]><methodCall><methodName>x</methodName></methodCall>'],
    ["attributes", '<methodCall a="1"><methodName>x</methodName></methodCall>'],
    ["unknown entity", "<methodCall><methodName>&foo;</methodName></methodCall>"],
    ["trailing content", "<methodCall><methodName>x</methodName></methodCall><more/>"],
    [
      "too deep",
      `<methodCall><methodName>x</methodName><params><param>${"<value><array><data>".repeat(100)}${"</data></array></value>".repeat(100)}</param></params></methodCall>`,
    ],
  ])("refuses %s", (_name, body) => {
    expect(() => parseMethodCall(body)).toThrow();
  });

  it("round-trips what it formats, and task result fragments", () => {
    const params: RpcValue[] = [
      { t: "str", v: "é<>&" },
      { t: "arr", v: [{ t: "bool", v: true }] },
      { t: "date", v: "20250101T00:00:00Z" },
    ];
    expect(parseMethodCall(formatMethodCall("m", params)).params).toEqual(params);
    expect(parseValueFragment("<value>OpaqueRef:abc</value>")).toEqual({ t: "str", v: "OpaqueRef:abc" });
  });
});

describe("parameter decoding", () => {
  const decode = (type: string, value: RpcValue) => decodeParam(parseType(type), value, "p");

  it("follows XAPI's unmarshalling rules", () => {
    expect(decode("int", { t: "str", v: "4294967296" })).toBe(4294967296);
    expect(decode("int", { t: "int", v: "7" })).toBe(7);
    expect(decode("float", { t: "int", v: "60" })).toBe(60);
    expect(decode("float", { t: "str", v: "0.5" })).toBe(0.5);
    expect(decode("enum vm_power_state", { t: "str", v: "halted" })).toBe("Halted");
    expect(decode("(string -> int) map", { t: "struct", v: [["a", { t: "str", v: "1" }]] })).toEqual({ a: 1 });
  });

  it.each([
    ["bool", { t: "str", v: "true" }],
    ["string", { t: "int", v: "1" }],
    ["int", { t: "str", v: "12abc" }],
    ["int", { t: "double", v: 1.5 }],
    ["enum vm_power_state", { t: "str", v: "Exploded" }],
    ["string set", { t: "str", v: "a" }],
    ["datetime", { t: "str", v: "soon" }],
  ] as [string, RpcValue][])("%s refuses %j with FIELD_TYPE_ERROR [param]", (type, value) => {
    let error: unknown;
    try {
      decode(type, value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XapiError);
    expect((error as XapiError).description).toEqual(["FIELD_TYPE_ERROR", "p"]);
  });
});

describe("JSON-RPC", () => {
  it("parses 1.0 and 2.0 requests", () => {
    expect(parseJsonRequest('{"method":"a.b","params":["x",1,1.5],"id":3}')).toEqual({
      version: 1,
      id: 3,
      method: "a.b",
      params: [
        { t: "str", v: "x" },
        { t: "int", v: "1" },
        { t: "double", v: 1.5 },
      ],
    });
    expect(parseJsonRequest('{"jsonrpc":"2.0","method":"a.b","id":"z"}')).toMatchObject({ version: 2, id: "z", params: [] });
  });

  it.each([
    ["invalid JSON", "{"],
    ["not an object", "[1]"],
    ["no method", '{"params":[],"id":1}'],
    ["notification", '{"jsonrpc":"2.0","method":"a","params":[]}'],
    ["1.0 without params", '{"method":"a","id":1}'],
    ["bad version", '{"jsonrpc":"3.0","method":"a","params":[],"id":1}'],
  ])("refuses %s", (_name, body) => {
    expect(() => parseJsonRequest(body)).toThrow();
  });

  it("answers like XAPI: raw results, ints as numbers, errors by version", () => {
    expect(jsonValue(parseType("int"), 4294967296)).toBe("4294967296");
    expect(jsonValue(parseType("datetime"), new Date(0))).toBe('"19700101T00:00:00Z"');
    expect(JSON.parse(jsonSuccess({ version: 2, id: 1 }, parseType("string"), "x").join(""))).toEqual({ jsonrpc: "2.0", result: "x", id: 1 });
    expect(JSON.parse(jsonSuccess({ version: 1, id: 1 }, parseType("string"), "x").join(""))).toEqual({ result: "x", error: null, id: 1 });
    expect(JSON.parse(jsonFailure({ version: 2, id: 1 }, ["SESSION_INVALID", "r"]).join(""))).toEqual({
      jsonrpc: "2.0",
      error: { code: 1, message: "SESSION_INVALID", data: ["r"] },
      id: 1,
    });
    expect(JSON.parse(jsonFailure({ version: 1, id: 1 }, ["SESSION_INVALID", "r"]).join(""))).toEqual({
      result: null,
      error: ["SESSION_INVALID", "r"],
      id: 1,
    });
  });
});
