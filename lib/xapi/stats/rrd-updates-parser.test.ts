import { describe, expect, it } from "vitest";
import { XapiProtocolError } from "../errors";
import { parseLegendEntry, parseRrdNumber, parseRrdUpdates, rrdUpdatesSink, type RrdUpdates } from "./rrd-updates-parser";

const HOST = "e9c3b2a0-7f41-4b5c-9d0e-1a2b3c4d5e6f";
const VM = "0b6f5c8e-2d4a-4e1f-8a7b-9c0d1e2f3a4b";
const LEGEND = [`AVERAGE:host:${HOST}:cpu0`, `AVERAGE:host:${HOST}:memory_free_kib`, `AVERAGE:vm:${VM}:cpu0`, `AVERAGE:vm:${VM}:memory`];

// As xcp-rrdd writes them (ocaml/libs/xapi-rrd/lib/rrd_updates.ml and older xcp-rrd): newest row first, %0.5g values.
const XML =
  `<?xml version="1.0" encoding="UTF-8"?>\n<xport><meta><start>1700000000</start><step>5</step><end>1700000010</end><rows>2</rows><columns>4</columns>` +
  `<legend>${LEGEND.map((e) => `<entry>${e}</entry>`).join("")}</legend></meta>` +
  `<data><row><t>1700000010</t><v>0.012346</v><v>2.6844e+08</v><v>NaN</v><v>4.295e+09</v></row>` +
  `<row><t>1700000005</t><v>0.0</v><v>2.6843e+08</v><v>0.5</v><v>4.295e+09</v></row></data></xport>`;

const CURRENT_JSON = JSON.stringify({
  meta: { start: "1700000000", step: "5", end: "1700000010", rows: "2", columns: "4", legend: LEGEND },
  data: [
    { t: "1700000010", values: ["0.012346", "2.6844e+08", "NaN", "4.295e+09"] },
    { t: "1700000005", values: ["0.0", "2.6843e+08", "0.5", "4.295e+09"] },
  ],
});

const DATA_IN_META_JSON = JSON.stringify({
  meta: {
    start: "1700000000",
    step: "5",
    end: "1700000010",
    rows: "2",
    columns: "4",
    legend: LEGEND,
    data: [
      { t: "1700000010", values: ["0.012346", "2.6844e+08", "NaN", "4.295e+09"] },
      { t: "1700000005", values: ["0.0", "2.6843e+08", "0.5", "4.295e+09"] },
    ],
  },
});

const LEGACY_JSON =
  `{meta: {start:1700000000,step:5,end:1700000010,rows:2,columns:4,legend:[${LEGEND.map((e) => `"${e}"`).join(",")}]},` +
  `data:[{t:1700000010,values:[0.012346,2.6844e+08,NaN,4.295e+09]},{t:1700000005,values:[0.0,2.6843e+08,0.5,4.295e+09]}]}`;

// Plain JSON numbers, the way rrdtool's own --json writes them, with pretty-printing.
const NUMBERS_JSON = JSON.stringify(
  {
    meta: { start: 1700000000, step: 5, end: 1700000010, rows: 2, columns: 4, legend: LEGEND },
    data: [
      { t: 1700000010, values: [0.012346, 2.6844e8, "NaN", 4.295e9] },
      { t: 1700000005, values: [0, 2.6843e8, 0.5, 4.295e9] },
    ],
  },
  null,
  2,
);

function expectSample(u: RrdUpdates) {
  expect(u.start).toBe(1700000000);
  expect(u.step).toBe(5);
  expect(u.end).toBe(1700000010);
  expect(u.legend).toEqual(LEGEND);
  // Oldest row first.
  expect(Array.from(u.times)).toEqual([1700000005, 1700000010]);
  expect(Array.from(u.values)).toEqual([0, 2.6843e8, 0.5, 4.295e9, 0.012346, 2.6844e8, NaN, 4.295e9]);
}

describe("parseRrdUpdates", () => {
  it.each([
    ["XML", XML],
    ["today's JSON (numbers as strings)", CURRENT_JSON],
    ["early-2024 JSON (data inside meta)", DATA_IN_META_JSON],
    ["legacy JSON5-like text", LEGACY_JSON],
    ["plain JSON numbers", NUMBERS_JSON],
  ])("reads %s", (_, body) => expectSample(parseRrdUpdates(body)));

  it("gives the same result whatever the chunk boundaries", () => {
    for (const body of [XML, CURRENT_JSON, LEGACY_JSON]) {
      const bytes = Buffer.from(body);
      for (const size of [1, 2, 3, 7, 64]) {
        const sink = rrdUpdatesSink();
        for (let i = 0; i < bytes.length; i += size) sink.write(bytes.subarray(i, i + size));
        expectSample(sink.end());
      }
    }
  });

  it("reads an answer without rows", () => {
    const u = parseRrdUpdates(`{"meta":{"start":"10","step":"60","end":"0","rows":"0","columns":"1","legend":["AVERAGE:vm:${VM}:cpu0"]},"data":[]}`);
    expect(u.times).toHaveLength(0);
    expect(u.legend).toHaveLength(1);
  });

  it.each([
    ["empty", ""],
    ["not XML nor JSON", "HTTP/1.1 500"],
    ["cut short", CURRENT_JSON.slice(0, 200)],
    ["cut XML", XML.slice(0, 300)],
    ["a row of the wrong width", CURRENT_JSON.replace('"0.5",', "")],
    ["a value that is not a number", CURRENT_JSON.replace('"0.5"', '"half"')],
    ["a row without time", XML.replace("<t>1700000005</t>", "")],
    ["no step", CURRENT_JSON.replace('"step":"5",', "")],
    ["text after the end", `${CURRENT_JSON} {}`],
  ])("refuses %s with a XapiProtocolError", (_, body) => {
    expect(() => parseRrdUpdates(body)).toThrow(XapiProtocolError);
  });
});

describe("parseRrdNumber", () => {
  const n = (text: string) => parseRrdNumber(Buffer.from(text), 0, text.length);
  it.each([
    ["0.0", 0],
    ["42", 42],
    ["-2.5", -2.5],
    ["0.00012346", 0.00012346],
    ["1.2346e-05", 1.2346e-5],
    ["4.295e+09", 4.295e9],
    ["1700000010", 1700000010],
    [" 0.5 ", 0.5],
    ["NaN", NaN],
    ["nan", NaN],
    ["-nan", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["1e400", Infinity],
    ["1.2345678901234567890", 1.2345678901234567],
    ["123456789012345678901234", 1.2345678901234568e23],
  ])("%s → %s", (text, value) => expect(n(text)).toBe(value));

  it("matches Number() on xcp-rrdd's %0.5g output", () => {
    for (let i = 0; i < 2000; i++) {
      const value = (Math.random() - 0.2) * 10 ** Math.floor(Math.random() * 24 - 8);
      const text = value.toPrecision(5);
      expect(n(text)).toBe(Number(text));
    }
  });
});

describe("parseLegendEntry", () => {
  it("splits consolidation, kind, uuid and metric", () => {
    expect(parseLegendEntry(`AVERAGE:vm:${VM}:vbd_xvda_read`)).toEqual({ cf: "AVERAGE", kind: "vm", uuid: VM, metric: "vbd_xvda_read" });
    expect(parseLegendEntry("AVERAGE:host")).toBeNull();
  });
});
