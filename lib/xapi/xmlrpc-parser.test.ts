import { describe, expect, it } from "vitest";
import { XapiProtocolError } from "./errors";
import { parseMethodResponse, parseValueFragment } from "./xmlrpc-parser";

const response = (value: string) => Buffer.from(`<?xml version="1.0"?>\n<methodResponse><params><param>${value}</param></params></methodResponse>\n`);
const parse = (value: string) => parseMethodResponse(response(value)).value;

const SAMPLE = response(
  `<value><struct>
    <member><name>Status</name><value>Success</value></member>
    <member><name>Value</name><value><struct>
      <member><name>OpaqueRef:1</name><value><struct>
        <member><name>name_label</name><value>web &amp; db</value></member>
        <member><name>memory</name><value>8589934592</value></member>
        <member><name>tags</name><value><array><data><value>a</value><value><string>b</string></value></data></array></value></member>
        <member><name>load</name><value><double>0.25</double></value></member>
        <member><name>live</name><value><boolean>1</boolean></value></member>
        <member><name>since</name><value><dateTime.iso8601>20250319T04:16:24Z</dateTime.iso8601></value></member>
      </struct></value></member>
    </struct></value></member>
  </struct></value>`,
);

describe("XML-RPC answer parser", () => {
  it("reads XAPI's envelope with untyped and typed values", () => {
    const { value, fault } = parseMethodResponse(SAMPLE);
    expect(fault).toBe(false);
    expect(value).toEqual({
      Status: "Success",
      Value: {
        "OpaqueRef:1": {
          name_label: "web & db",
          memory: "8589934592",
          tags: ["a", "b"],
          load: 0.25,
          live: true,
          since: new Date(Date.UTC(2025, 2, 19, 4, 16, 24)),
        },
      },
    });
  });

  it("reads every scalar form", () => {
    expect(parse("<value><int>-42</int></value>")).toBe(-42);
    expect(parse("<value><i4>7</i4></value>")).toBe(7);
    expect(parse("<value><i8>9007199254740993</i8></value>")).toBe(9007199254740992);
    expect(parse("<value><double>1e3</double></value>")).toBe(1000);
    expect(parse("<value><double>nan</double></value>")).toBeNaN();
    expect(parse("<value><boolean>0</boolean></value>")).toBe(false);
    expect(parse("<value><string/></value>")).toBe("");
    expect(parse("<value/>")).toBe("");
    expect(parse("<value></value>")).toBe("");
    expect(parse("<value>  spaced  </value>")).toBe("  spaced  ");
    expect(parse("<value><nil/></value>")).toBeNull();
    expect(parse("<value><array><data/></array></value>")).toEqual([]);
    expect(parse("<value><struct/></value>")).toEqual({});
    expect(parse("<value><string>a<![CDATA[<b>&]]>c</string></value>")).toBe("a<b>&c");
    expect(parse("<value>&#233;t&#xE9; &lt;&gt;&quot;&apos;</value>")).toBe("été <>\"'");
    expect(parse("<value>élan ✓</value>")).toBe("élan ✓");
    expect(parse("<value><!-- note --><int>1</int></value>")).toBe(1);
  });

  it("keeps a __proto__ member as data, without touching the prototype", () => {
    const value = parse("<value><struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct></value>") as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("reads a fault as a fault", () => {
    const parsed = parseMethodResponse(Buffer.from("<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member></struct></value></fault></methodResponse>"));
    expect(parsed).toEqual({ fault: true, value: { faultCode: 4 } });
  });

  it("skips the members a plan does not keep, at any depth", () => {
    const plan = { members: { Value: { each: { keep: new Set(["name_label", "tags"]) } } } };
    expect(parseMethodResponse(SAMPLE, plan).value).toEqual({
      Status: "Success",
      Value: { "OpaqueRef:1": { name_label: "web & db", tags: ["a", "b"] } },
    });
  });

  it("parses a task result fragment", () => {
    expect(parseValueFragment("<value>OpaqueRef:abc</value>")).toBe("OpaqueRef:abc");
    expect(parseValueFragment("<value><array><data><value>x</value></data></array></value>\n")).toEqual(["x"]);
  });

  it.each([
    ["an HTML error page", "<html><body>502 Bad Gateway</body></html>"],
    ["JSON", '{"Status":"Success","Value":""}'],
    ["an empty body", ""],
    ["a DOCTYPE (entity expansion)", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><methodResponse/>'],
    ["an unknown element", "<methodResponse><params><param><value><blob>1</blob></value></param></params></methodResponse>"],
    ["text around a typed value", "<methodResponse><params><param><value>x<int>1</int></value></param></params></methodResponse>"],
    ["an invalid integer", "<methodResponse><params><param><value><int>12a</int></value></param></params></methodResponse>"],
    ["an invalid boolean", "<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>"],
    ["an invalid date", "<methodResponse><params><param><value><dateTime.iso8601>tomorrow</dateTime.iso8601></value></param></params></methodResponse>"],
    ["an unknown entity", "<methodResponse><params><param><value>&nbsp;</value></param></params></methodResponse>"],
    ["a bare ampersand", "<methodResponse><params><param><value>a & b</value></param></params></methodResponse>"],
    ["attributes", '<methodResponse><params><param><value a="1">x</value></param></params></methodResponse>'],
    ["trailing garbage", "<methodResponse><params><param><value>x</value></param></params></methodResponse><more/>"],
    ["mismatched tags", "<methodResponse><params><param><value><struct></array></value></param></params></methodResponse>"],
  ])("refuses %s with a XapiProtocolError", (_label, body) => {
    expect(() => parseMethodResponse(Buffer.from(body))).toThrow(XapiProtocolError);
  });

  it("refuses values nested deeper than the limit (no stack overflow)", () => {
    const depth = 10_000;
    const body = `<methodResponse><params><param>${"<value><array><data>".repeat(depth)}${"</data></array></value>".repeat(depth)}</param></params></methodResponse>`;
    expect(() => parseMethodResponse(Buffer.from(body))).toThrow(/nested deeper/);
  });

  it("detects truncation at every byte of an answer", () => {
    for (let cut = 0; cut < SAMPLE.length - 1; cut++) {
      const truncated = SAMPLE.subarray(0, cut);
      expect(() => parseMethodResponse(truncated), `cut at ${cut}`).toThrow(XapiProtocolError);
    }
  });

  it("never throws anything but XapiProtocolError on mutated answers", () => {
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = Buffer.from("<>/&;#x![]CDATA-value struct\"' \n0");
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const mutated = Buffer.from(SAMPLE);
      for (let n = 1 + Math.floor(random() * 4); n > 0; n--) mutated[Math.floor(random() * mutated.length)] = alphabet[Math.floor(random() * alphabet.length)];
      try {
        parseMethodResponse(mutated);
        accepted++;
      } catch (error) {
        expect(error).toBeInstanceOf(XapiProtocolError);
      }
    }
    expect(accepted).toBeLessThan(3000); // the mutations did break answers
  });
});
