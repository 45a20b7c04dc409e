import { describe, expect, it } from "vitest";
import { parseMethodResponse } from "./xmlrpc-parser";
import { writeMethodCall, XmlRpcLeaf, type XmlRpcValue } from "./xmlrpc-writer";

/** The params of a written call, read back by our own parser (the same XML-RPC values a server reads). */
function readBack(params: XmlRpcValue[]): unknown[] {
  const body = writeMethodCall("m", params)
    .replace(/^<\?xml[^>]*>/, "")
    .replace(/<methodCall><methodName>m<\/methodName>/, "<methodResponse>")
    .replace("</methodCall>", "</methodResponse>");
  return [parseMethodResponse(Buffer.from(body)).value];
}

describe("writeMethodCall", () => {
  it("writes the whole call, empty elements self-closed", () => {
    expect(writeMethodCall("pool.get_all", [])).toBe(
      '<?xml version="1.0" encoding="utf-8"?><methodCall><methodName>pool.get_all</methodName><params/></methodCall>',
    );
    expect(writeMethodCall("x", [[], {}, new XmlRpcLeaf("string", ""), false])).toContain(
      "<param><value><array><data/></array></value></param><param><value><struct/></value></param><param><value><string/></value></param><param><value><boolean>0</boolean></value></param>",
    );
  });

  it("escapes markup in text and names, carriage returns included, and reads back the same", () => {
    const text = 'a]]>b & <c> "q"\r\n\té 😀';
    const xml = writeMethodCall("VM.set_name_label", [{ "k&<>": new XmlRpcLeaf("string", text) }]);
    expect(xml).not.toContain("CDATA");
    expect(xml).toContain("<name>k&amp;&lt;&gt;</name>");
    expect(xml).toContain("&#xD;");
    expect(readBack([{ "k&<>": new XmlRpcLeaf("string", text) }])).toEqual([{ "k&<>": text }]);
  });

  it("refuses characters XML cannot carry", () => {
    expect(() => writeMethodCall("m", [new XmlRpcLeaf("string", "bell \u0007")])).toThrow(TypeError);
    expect(() => writeMethodCall("m", [{ "nul\u0000": true }])).toThrow(TypeError);
  });
});
