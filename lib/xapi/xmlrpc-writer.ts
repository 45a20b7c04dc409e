/**
 * Writes XML-RPC method calls. `codec.ts` decides every value's XAPI type first (ints as strings, floats as
 * `<double>`, dates in UTC), so this only writes markup: no type inference, and every text escaped (never
 * CDATA, whose `]]>` cannot be escaped).
 */

/** A scalar with its XML-RPC tag, its text already in XAPI's format. */
export class XmlRpcLeaf {
  constructor(
    readonly tag: "string" | "double" | "dateTime.iso8601",
    readonly text: string,
  ) {}
}

export type XmlRpcValue = XmlRpcLeaf | boolean | XmlRpcValue[] | { [key: string]: XmlRpcValue };

/** Characters XML 1.0 cannot carry at all, escaped or not. */
const NOT_XML = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const MARKUP = /[&<>\r]/g;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };

/** Text content; a carriage return is escaped too, so that the server's XML parser keeps it. */
function escapeText(text: string): string {
  if (NOT_XML.test(text)) throw new TypeError(`a control character cannot be sent to XAPI: ${JSON.stringify(text.slice(0, 40))}`);
  return text.replace(MARKUP, (c) => ENTITIES[c]!);
}

/** `<tag>` with the children `write` writes, or `<tag/>` when there are none (as XML-RPC libraries write it). */
function writeElement<T>(tag: string, children: readonly T[], out: string[], write: (child: T) => void): void {
  if (children.length === 0) {
    out.push(`<${tag}/>`);
    return;
  }
  out.push(`<${tag}>`);
  for (const child of children) write(child);
  out.push(`</${tag}>`);
}

function writeValue(value: XmlRpcValue, out: string[]): void {
  out.push("<value>");
  if (value instanceof XmlRpcLeaf) {
    out.push(value.text === "" ? `<${value.tag}/>` : `<${value.tag}>${escapeText(value.text)}</${value.tag}>`);
  } else if (typeof value === "boolean") {
    out.push(`<boolean>${value ? 1 : 0}</boolean>`);
  } else if (Array.isArray(value)) {
    out.push("<array>");
    writeElement("data", value, out, (item) => writeValue(item, out));
    out.push("</array>");
  } else {
    writeElement("struct", Object.entries(value), out, ([name, item]) => {
      out.push(`<member><name>${escapeText(name)}</name>`);
      writeValue(item, out);
      out.push("</member>");
    });
  }
  out.push("</value>");
}

/** The whole request body of a call of `method` with `params`. */
export function writeMethodCall(method: string, params: readonly XmlRpcValue[]): string {
  const out = [`<?xml version="1.0" encoding="utf-8"?><methodCall><methodName>${escapeText(method)}</methodName>`];
  writeElement("params", params, out, (param) => {
    out.push("<param>");
    writeValue(param, out);
    out.push("</param>");
  });
  out.push("</methodCall>");
  return out.join("");
}
