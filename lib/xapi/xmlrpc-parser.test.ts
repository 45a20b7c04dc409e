import { describe, expect, it } from "vitest";
import { recordPlan, recordShape } from "./codec";
import { XapiProtocolError } from "./errors";
import { parseMethodResponse, parseValueFragment, ResponseParser, type ParsePlan } from "./xmlrpc-parser";

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
    const value = parse(
      "<value><struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct></value>",
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("reads a fault as a fault", () => {
    const parsed = parseMethodResponse(
      Buffer.from(
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member></struct></value></fault></methodResponse>",
      ),
    );
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
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
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

/** What a parse gives: the response, or the error's class and message. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

/** Parses `body` with a ResponseParser fed in chunks cut at `cuts` (offsets, ascending), trying at every chunk. */
function streamed(body: Buffer, cuts: number[], plan?: ParsePlan, attemptBytes = 0): unknown {
  return outcome(() => {
    const parser = new ResponseParser(plan, attemptBytes);
    let from = 0;
    for (const cut of [...cuts, body.length]) {
      parser.write(body.subarray(from, cut));
      from = cut;
    }
    return parser.end();
  });
}

const whole = (body: Buffer, plan?: ParsePlan) => outcome(() => parseMethodResponse(body, plan));

const vmPlan: ParsePlan = {
  members: { Value: { each: recordPlan(recordShape("VM", ["uuid", "name_label", "power_state", "VCPUs_max", "tags", "other_config"], true)) } },
};

/** XAPI's compact layout: records with fields the plan skips, entities, CDATA, a comment, multi-byte UTF-8. */
const COMPACT = Buffer.from(
  `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>${[
    1, 2, 3,
  ]
    .map(
      (i) =>
        `<member><name>OpaqueRef:vm-${i}</name><value><struct><member><name>uuid</name><value>uuid-${i}</value></member>` +
        `<member><name>name_label</name><value>vm ${i} &amp; « café » ✓</value></member><member><name>power_state</name><value>Running</value></member>` +
        `<member><name>platform</name><value><struct><member><name>skipped</name><value><![CDATA[<not parsed>]]></value></member></struct></value></member>` +
        `<member><name>VCPUs_max</name><value>${i * 2}</value></member><!-- note --><member><name>tags</name><value><array><data><value>t${i}</value></data></array></value></member>` +
        `<member><name>other_config</name><value><struct><member><name>k</name><value>é${i}</value></member></struct></value></member></struct></value></member>`,
    )
    .join("")}</struct></value></member></struct></value></param></params></methodResponse>\n`,
);

const STREAM_SAMPLES: [string, Buffer, ParsePlan?][] = [
  ["a spaced answer", SAMPLE],
  ["a spaced answer with a keep plan", SAMPLE, { members: { Value: { each: { keep: new Set(["name_label", "tags"]) } } } }],
  ["records built by a record plan", COMPACT, vmPlan],
  ["records without a plan", COMPACT],
  [
    "a Failure",
    response(
      "<value><struct><member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>SESSION_INVALID</value><value>OpaqueRef:s</value></data></array></value></member></struct></value>",
    ),
  ],
  ["a bare value", response("<value><array><data><value>VM.start</value><value>VM.stop</value></data></array></value>")],
  [
    "a string Value",
    response(
      "<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value>OpaqueRef:x</value></member></struct></value>",
    ),
  ],
  [
    "an empty struct Value",
    response(
      "<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct></struct></value></member></struct></value>",
    ),
  ],
  [
    "a self-closing struct Value",
    response(
      "<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct/></value></member></struct></value>",
    ),
  ],
  [
    "Status after Value",
    response(
      "<value><struct><member><name>Value</name><value><struct><member><name>a</name><value>1</value></member></struct></value></member><member><name>Status</name><value>Success</value></member></struct></value>",
    ),
  ],
  [
    "a fault",
    Buffer.from(
      "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member></struct></value></fault></methodResponse>",
    ),
  ],
];

describe("XML-RPC answer parser, fed chunk by chunk", () => {
  it.each(STREAM_SAMPLES)("gives the whole parse's result for %s, cut at every byte", (_label, body, plan) => {
    const expected = whole(body, plan);
    expect(expected).not.toHaveProperty("error");
    for (let cut = 0; cut <= body.length; cut++) expect(streamed(body, [cut], plan), `cut at ${cut}`).toEqual(expected);
    expect(
      streamed(
        body,
        Array.from({ length: body.length }, (_, i) => i),
        plan,
      ),
      "one byte at a time",
    ).toEqual(expected);
    expect(
      streamed(
        body,
        Array.from({ length: body.length }, (_, i) => i),
        plan,
        100,
      ),
      "waiting for 100 bytes between attempts",
    ).toEqual(expected);
    let seed = body.length;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 100; i++) {
      const cuts = [Math.floor(random() * body.length), Math.floor(random() * body.length), Math.floor(random() * body.length)].sort((a, b) => a - b);
      expect(streamed(body, cuts, plan), `cuts at ${cuts}`).toEqual(expected);
    }
  });

  it.each(STREAM_SAMPLES)("reports truncation of %s at every byte exactly as the whole parse", (_label, body, plan) => {
    for (let cut = 0; cut < body.length - 1; cut++) {
      const truncated = body.subarray(0, cut);
      const expected = whole(truncated, plan);
      expect(expected, `cut at ${cut}`).toMatchObject({ error: "XapiProtocolError" });
      expect(streamed(truncated, [Math.floor(cut / 2)], plan), `cut at ${cut}`).toEqual(expected);
    }
  });

  it("fails as soon as a broken member has arrived, without waiting for the rest", () => {
    const broken = Buffer.from(COMPACT.toString("utf8").replace("<value>Running</value>", "<value><int>x</int></value>"));
    const at = broken.indexOf("<int>x") + 100;
    const parser = new ResponseParser(vmPlan);
    expect(() => parser.write(broken.subarray(0, at))).toThrow(/invalid integer/); // the first attempt is at the first chunk
    expect(whole(broken, vmPlan)).toMatchObject({ error: "XapiProtocolError", message: expect.stringMatching(/invalid integer/) });
  });

  it("parses values nested near the depth limit across many chunk boundaries", () => {
    const nested = `${"<value><array><data>".repeat(58)}<value>deep</value>${"</data></array></value>".repeat(58)}`;
    const records = Array.from({ length: 20 }, (_, i) => `<member><name>OpaqueRef:${i}</name>${nested}</member>`).join("");
    const body = response(
      `<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>${records}</struct></value></member></struct></value>`,
    );
    const expected = whole(body);
    expect(expected).not.toHaveProperty("error");
    expect(
      streamed(
        body,
        Array.from({ length: Math.floor(body.length / 16) }, (_, i) => (i + 1) * 16),
      ),
    ).toEqual(expected);
  });

  it("keeps only the bytes of the member being received", () => {
    const records = Array.from(
      { length: 20_000 },
      (_, i) => `<member><name>OpaqueRef:${i}</name><value><struct><member><name>name_label</name><value>vm ${i}</value></member></struct></value></member>`,
    );
    const body = response(
      `<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>${records.join("")}</struct></value></member></struct></value>`,
    );
    const parser = new ResponseParser(); // attempts every 128 KiB
    const kept: number[] = [];
    for (let from = 0; from < body.length; from += 4096) {
      parser.write(body.subarray(from, from + 4096));
      kept.push(parser.buffered);
    }
    expect(body.length).toBeGreaterThan(2_000_000);
    expect(kept.at(-1)).toBeGreaterThan(0); // the closing tags wait for the end
    expect(Math.max(...kept)).toBeLessThan(200 * 1024); // parsed every ~128 KiB: never the whole answer
    expect(Object.keys((parser.end().value as { Value: object }).Value)).toHaveLength(20_000);
  });
});
