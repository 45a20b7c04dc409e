import { describe, expect, it } from "vitest";
import { seedPool } from "@/lib/dev/xapi-sim/seed";
import { SimCore } from "@/lib/dev/xapi-sim/core";
import { resolveOptions } from "@/lib/dev/xapi-sim/config";
import { SimPool } from "@/lib/dev/xapi-sim/pool";
import { classInfo, recordJson, recordXml, SERVED_CLASSES } from "@/lib/dev/xapi-sim/records";
import { ByteWriter, escapeXml } from "./byte-writer";
import { jsonValue } from "./jsonrpc";
import { xmlValue } from "./xmlrpc";

/** Strings that exercise every path: plain ASCII, markup, control characters, non-ASCII, surrogates, long. */
const SAMPLES = [
  "",
  "web-01",
  "OpaqueRef:4b1e8f63-1d3c-4c52-9a3e-2f6b1c0d9e87",
  'a<b>&"c"\'d',
  "tab\there\nnewline\r",
  "bell\u0007 and \u0000 nul",
  "café Ünïcödé",
  "emoji 🚀 and lone \ud800 surrogate",
  "\ufffe\uffff",
  "back\\slash",
  "x".repeat(300),
  `${"y".repeat(280)}<&>`,
  `${"z".repeat(280)}é`,
];

describe("ByteWriter", () => {
  it("escapes XML text exactly as escapeXml, on every path", () => {
    for (const text of SAMPLES) {
      const w = new ByteWriter(16);
      w.xmlText(text);
      // Compared as bytes: a lone surrogate becomes U+FFFD in UTF-8 either way.
      expect(w.take()).toEqual(Buffer.from(escapeXml(text), "utf8"));
    }
    expect(escapeXml("a\u0001b\tc<")).toBe("ab\tc&lt;");
  });

  it("writes JSON strings exactly as JSON.stringify", () => {
    for (const text of SAMPLES) {
      const w = new ByteWriter(16);
      w.jsonString(text);
      expect(w.take()).toEqual(Buffer.from(JSON.stringify(text), "utf8"));
    }
  });

  it("keeps taken fragments intact while later ones fill and outgrow slabs", () => {
    const w = new ByteWriter(64);
    const taken: [Buffer, string][] = [];
    for (let i = 0; i < 5000; i++) {
      const text = `fragment ${i} ${"#".repeat(i % 97)}${i % 500 === 0 ? "!".repeat(70_000) : ""}`;
      w.ascii(text);
      taken.push([w.take(), text]);
    }
    for (const [buf, text] of taken) expect(buf.toString("latin1")).toBe(text);
    expect(w.length).toBe(0);
  });
});

describe("record encoders", () => {
  const core = new SimCore(resolveOptions({}));
  const pool = new SimPool(core, 0, "lab");
  seedPool(pool, { seed: 3, hostsPerPool: 2, vmsPerPool: 6, baseAddress: "127.0.1.1" });

  const seeded = SERVED_CLASSES.filter((cls) => pool.store.count(cls) > 0);

  it("covers the classes of a seeded pool", () => {
    expect(seeded.length).toBeGreaterThanOrEqual(15);
  });

  it.each(seeded)("write %s records exactly as the generic field encoders do", (name) => {
    const cls = classInfo(name);
    for (const obj of pool.store.all(name)) {
      const rec = obj.rec as Record<string, unknown>;
      const xml = `<value><struct>${cls.fields.map((f) => `<member><name>${f.name}</name>${xmlValue(f.type, rec[f.name])}</member>`).join("")}</struct></value>`;
      const json = `{${cls.fields.map((f) => `${JSON.stringify(f.name)}:${jsonValue(f.type, rec[f.name])}`).join(",")}}`;
      expect(recordXml(cls, rec).toString("utf8")).toBe(xml);
      expect(recordJson(cls, rec).toString("utf8")).toBe(json);
    }
  });

  it("escape what records hold", () => {
    const cls = classInfo("VM");
    const vm = [...pool.store.all("VM")][0];
    const rec = { ...(vm.rec as Record<string, unknown>), name_label: 'a<b & "c" é', other_config: { "k<": "v&" } };
    const xml = recordXml(cls, rec).toString("utf8");
    expect(xml).toContain("<member><name>name_label</name><value>a&lt;b &amp; &quot;c&quot; é</value></member>");
    expect(xml).toContain("<member><name>k&lt;</name><value>v&amp;</value></member>");
    expect(JSON.parse(recordJson(cls, rec).toString("utf8"))).toMatchObject({ name_label: 'a<b & "c" é', other_config: { "k<": "v&" } });
  });
});
