/**
 * XML-RPC the way XAPI speaks it. Output: compact XML with no whitespace between elements (some clients,
 * Xen Orchestra's among them, keep whitespace as text nodes), strings, refs, enums and 64-bit ints as
 * untyped `<value>text</value>`, `<double>`, `<boolean>1</boolean>`, `<dateTime.iso8601>`, every reply in
 * the `{Status, Value}` / `{Status: "Failure", ErrorDescription}` envelope except `system.listMethods`.
 * Input: a small strict parser (no DTDs, no attributes) that accepts what real clients send: whitespace
 * between elements, `<string>` or untyped strings, `<int>`/`<i4>`/`<i8>`, `<nil/>`, comments.
 */
import { ByteWriter, bytesOf, escapeXml } from "./byte-writer";
import { encodedParts, isEncodable, memoiseWriters, partsToString, writeItem, type Part, type WireWrite } from "./encodable";
import type { RpcValue } from "./values";
import { formatDouble, formatXapiDate, type XType } from "./xapi-types";

export { escapeXml };

// ---------------------------------------------------------------------------------------------------------
// Encoding

/** The `<value>...</value>` fragment of a typed value, as text (task results, tests). */
export function xmlValue(type: XType, value: unknown): string {
  if (isEncodable(value)) return partsToString(encodedParts(value, "xml"));
  const w = new ByteWriter(1024);
  xmlWriter(type)(w, value);
  return w.takeString();
}

/** A writer specialised for one type (records write thousands of fields: no type switch per value). */
export const xmlWriter = memoiseWriters((type: XType) => compile(type));

const T = {
  value: bytesOf("<value>"),
  valueEnd: bytesOf("</value>"),
  emptyValue: bytesOf("<value></value>"),
  doubleStart: bytesOf("<value><double>"),
  doubleEnd: bytesOf("</double></value>"),
  true: bytesOf("<value><boolean>1</boolean></value>"),
  false: bytesOf("<value><boolean>0</boolean></value>"),
  dateStart: bytesOf("<value><dateTime.iso8601>"),
  dateEnd: bytesOf("</dateTime.iso8601></value>"),
  arrayStart: bytesOf("<value><array><data>"),
  arrayEnd: bytesOf("</data></array></value>"),
  emptyArray: bytesOf("<value><array><data></data></array></value>"),
  structStart: bytesOf("<value><struct>"),
  structEnd: bytesOf("</struct></value>"),
  emptyStruct: bytesOf("<value><struct></struct></value>"),
  memberName: bytesOf("<member><name>"),
  nameEnd: bytesOf("</name>"),
  memberEnd: bytesOf("</member>"),
  nil: bytesOf("<value><nil/></value>"),
};

const writeUntypedString: WireWrite = (w, v) => w.xmlText(typeof v === "string" ? v : String(v ?? ""));
const writeUntypedInt: WireWrite = (w, v) => w.ascii(String(Math.trunc(Number(v) || 0)));

/**
 * For the types XAPI writes untyped (`<value>text</value>`: strings, refs, enums, 64-bit ints), the writer
 * of the text alone, so that record encoders can fold `<value>` and `</value>` into their templates.
 */
export function xmlUntypedWriter(type: XType): WireWrite | undefined {
  switch (type.k) {
    case "string":
    case "ref":
    case "enum":
      return writeUntypedString;
    case "int":
      return writeUntypedInt;
    default:
      return undefined;
  }
}

function compile(type: XType): WireWrite {
  switch (type.k) {
    case "string":
    case "ref":
    case "enum":
    case "int": {
      const text = xmlUntypedWriter(type)!;
      return (w, v) => {
        w.bytes(T.value);
        text(w, v);
        w.bytes(T.valueEnd);
      };
    }
    case "float":
      return (w, v) => {
        w.bytes(T.doubleStart);
        w.ascii(formatDouble(Number(v)));
        w.bytes(T.doubleEnd);
      };
    case "bool":
      return (w, v) => w.bytes(v ? T.true : T.false);
    case "datetime":
      return (w, v) => {
        w.bytes(T.dateStart);
        w.ascii(formatXapiDate(v as Date));
        w.bytes(T.dateEnd);
      };
    case "void":
      return (w) => w.bytes(T.emptyValue);
    case "set": {
      const item = xmlWriter(type.of);
      return (w, v) => {
        const items = v as ArrayLike<unknown> | Iterable<unknown>;
        if (Array.isArray(items) && items.length === 0) return w.bytes(T.emptyArray);
        w.bytes(T.arrayStart);
        for (const x of items as Iterable<unknown>) writeItem(w, "xml", item, x);
        w.bytes(T.arrayEnd);
      };
    }
    case "map": {
      const item = xmlWriter(type.val);
      const member = (w: ByteWriter, key: string, x: unknown) => {
        w.bytes(T.memberName);
        w.xmlText(key);
        w.bytes(T.nameEnd);
        writeItem(w, "xml", item, x);
        w.bytes(T.memberEnd);
      };
      return (w, v) => {
        let empty = true;
        if (v instanceof Map) {
          for (const [key, x] of v as Map<string, unknown>) {
            if (empty) w.bytes(T.structStart);
            empty = false;
            member(w, key, x);
          }
        } else {
          const obj = (v ?? {}) as Record<string, unknown>;
          for (const key in obj) {
            if (!Object.hasOwn(obj, key)) continue;
            if (empty) w.bytes(T.structStart);
            empty = false;
            member(w, key, obj[key]);
          }
        }
        w.bytes(empty ? T.emptyStruct : T.structEnd);
      };
    }
    case "option": {
      const inner = xmlWriter(type.of);
      return (w, v) => (v === null || v === undefined ? w.bytes(T.nil) : inner(w, v));
    }
    default:
      return () => {
        throw new Error(`cannot encode a ${type.k} value without its own encoder`);
      };
  }
}

/**
 * The templates of a record's members: `starts[i]` closes member i-1 and opens member i (with `<value>` when
 * its value is untyped), `end` closes the last member and the struct; `writers[i]` writes member i's value.
 */
export function xmlRecordTemplates(fields: readonly { name: string; type: XType }[]): { starts: Buffer[]; writers: WireWrite[]; end: Buffer } {
  const untyped = fields.map((f) => xmlUntypedWriter(f.type));
  const close = (i: number) => (untyped[i] ? "</value></member>" : "</member>");
  return {
    starts: fields.map((f, i) =>
      bytesOf(`${i === 0 ? "<value><struct>" : close(i - 1)}<member><name>${escapeXml(f.name)}</name>${untyped[i] ? "<value>" : ""}`),
    ),
    writers: fields.map((f, i) => untyped[i] ?? xmlWriter(f.type)),
    end: bytesOf(`${fields.length > 0 ? close(fields.length - 1) : "<value><struct>"}</struct></value>`),
  };
}

const replyWriter = new ByteWriter();

/**
 * Writes a typed value into `out` piece by piece: big sets and maps (10,000 records) become one piece per
 * element so that the reply can be streamed without building one giant buffer; records keep their cached
 * bytes.
 */
export function writeXmlValue(type: XType, value: unknown, out: Part[]): void {
  const w = replyWriter;
  if (isEncodable(value)) {
    value.xmlParts(out);
  } else if (type.k === "map") {
    w.bytes(T.structStart);
    for (const [key, item] of mapEntries(value)) {
      w.bytes(T.memberName);
      w.xmlText(key);
      w.bytes(T.nameEnd);
      out.push(w.take());
      writeXmlValue(type.val, item, out);
      w.bytes(T.memberEnd); // goes out with the next member's start
    }
    w.bytes(T.structEnd);
    out.push(w.take());
  } else if (type.k === "set") {
    w.bytes(T.arrayStart);
    out.push(w.take());
    for (const item of value as Iterable<unknown>) writeXmlValue(type.of, item, out);
    w.bytes(T.arrayEnd);
    out.push(w.take());
  } else {
    xmlWriter(type)(w, value);
    out.push(w.take());
  }
}

export function mapEntries(value: unknown): Iterable<[string, unknown]> {
  if (value instanceof Map) return value as Map<string, unknown>;
  return Object.entries((value ?? {}) as Record<string, unknown>);
}

const RESPONSE_HEAD = '<?xml version="1.0"?><methodResponse><params><param>';
const RESPONSE_TAIL = "</param></params></methodResponse>";

export function xmlSuccess(type: XType, value: unknown): Part[] {
  const out: Part[] = [RESPONSE_HEAD, "<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name>"];
  writeXmlValue(type, value, out);
  out.push("</member></struct></value>", RESPONSE_TAIL);
  return out;
}

export function xmlFailure(description: readonly string[]): Part[] {
  let s = "<value><struct><member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data>";
  for (const item of description) s += `<value>${escapeXml(item)}</value>`;
  s += "</data></array></value></member></struct></value>";
  return [RESPONSE_HEAD, s, RESPONSE_TAIL];
}

/** A reply without the envelope (only `system.listMethods` answers like this). */
export function xmlBare(type: XType, value: unknown): Part[] {
  const out: Part[] = [RESPONSE_HEAD];
  writeXmlValue(type, value, out);
  out.push(RESPONSE_TAIL);
  return out;
}

/** Encodes a wire value (used by clients: the test client, the benchmark). */
export function xmlOfRpcValue(value: RpcValue): string {
  switch (value.t) {
    case "str":
      return `<value>${escapeXml(value.v)}</value>`;
    case "int":
      return `<value><int>${value.v}</int></value>`;
    case "double":
      return `<value><double>${formatDouble(value.v)}</double></value>`;
    case "bool":
      return `<value><boolean>${value.v ? 1 : 0}</boolean></value>`;
    case "date":
      return `<value><dateTime.iso8601>${escapeXml(value.v)}</dateTime.iso8601></value>`;
    case "b64":
      return `<value><base64>${value.v}</base64></value>`;
    case "nil":
      return "<value><nil/></value>";
    case "arr":
      return `<value><array><data>${value.v.map(xmlOfRpcValue).join("")}</data></array></value>`;
    case "struct":
      return `<value><struct>${value.v.map(([k, v]) => `<member><name>${escapeXml(k)}</name>${xmlOfRpcValue(v)}</member>`).join("")}</struct></value>`;
  }
}

export function formatMethodCall(method: string, params: readonly RpcValue[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${escapeXml(method)}</methodName><params>${params
    .map((p) => `<param>${xmlOfRpcValue(p)}</param>`)
    .join("")}</params></methodCall>`;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

export class XmlRpcParseError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at offset ${position}`);
    this.name = "XmlRpcParseError";
  }
}

/** Nesting deeper than this is refused: real calls never come close, and recursion must stay bounded. */
const MAX_DEPTH = 64;

/** How parsed values are built: wire values (`RpcValue`) for the server, plain JS values for clients. */
interface Build<T> {
  str(v: string): T;
  int(v: string): T;
  double(v: number): T;
  bool(v: boolean): T;
  date(v: string): T;
  b64(v: string): T;
  nil(): T;
  arr(items: T[]): T;
  struct(members: [string, T][]): T;
}

const RPC: Build<RpcValue> = {
  str: (v) => ({ t: "str", v }),
  int: (v) => ({ t: "int", v }),
  double: (v) => ({ t: "double", v }),
  bool: (v) => ({ t: "bool", v }),
  date: (v) => ({ t: "date", v }),
  b64: (v) => ({ t: "b64", v }),
  nil: () => ({ t: "nil" }),
  arr: (v) => ({ t: "arr", v }),
  struct: (v) => ({ t: "struct", v }),
};

/** Plain values as a client sees them: untyped values and 64-bit ints stay strings, dates stay XAPI text. */
const PLAIN: Build<unknown> = {
  str: (v) => v,
  int: (v) => Number(v),
  double: (v) => v,
  bool: (v) => v,
  date: (v) => v,
  b64: (v) => v,
  nil: () => null,
  arr: (v) => v,
  struct: (members) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of members) o[k] = v;
    return o;
  },
};

export function parseMethodCall(body: string): { method: string; params: RpcValue[] } {
  const p = new Parser(body, RPC);
  p.prolog();
  p.open("methodCall");
  p.open("methodName");
  const method = p.text().trim();
  p.close("methodName");
  const params: RpcValue[] = [];
  // `<params>` may be omitted or empty (`<params/>`) for calls without parameters.
  if (p.peekOpen("params")) {
    if (!p.open("params")) {
      while (p.peekOpen("param")) {
        p.open("param");
        params.push(p.value(0));
        p.close("param");
      }
      p.close("params");
    }
  }
  p.close("methodCall");
  p.end();
  if (method === "") throw new XmlRpcParseError("empty methodName", 0);
  return { method, params };
}

function parseResponse<T>(body: string, build: Build<T>): { value: T } | { fault: T } {
  const p = new Parser(body, build);
  p.prolog();
  p.open("methodResponse");
  let result: { value: T } | { fault: T };
  if (p.peekOpen("fault")) {
    p.open("fault");
    result = { fault: p.value(0) };
    p.close("fault");
  } else {
    p.open("params");
    p.open("param");
    result = { value: p.value(0) };
    p.close("param");
    p.close("params");
  }
  p.close("methodResponse");
  p.end();
  return result;
}

/** Parses a `<methodResponse>` into wire values; a `<fault>` comes back as `{fault: value}`. */
export function parseMethodResponse(body: string): { value: RpcValue } | { fault: RpcValue } {
  return parseResponse(body, RPC);
}

/** Parses a `<methodResponse>` into plain JS values (for clients: the test client, the benchmark). */
export function parseMethodResponsePlain(body: string): { value: unknown } | { fault: unknown } {
  return parseResponse(body, PLAIN);
}

/** Parses a bare `<value>` fragment, e.g. a task's `result`. */
export function parseValueFragment(text: string): RpcValue {
  const p = new Parser(text, RPC);
  p.skipMisc();
  const value = p.value(0);
  p.end();
  return value;
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?

class Parser<T> {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly b: Build<T>,
  ) {}

  private fail(message: string): never {
    throw new XmlRpcParseError(message, this.i);
  }

  /** Skips whitespace, comments and processing instructions between elements. */
  skipMisc(): void {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && isSpace(s.charCodeAt(this.i))) this.i++;
      // Fast path: the next thing is an element (compact XML, as XAPI and most clients write it).
      if (s.charCodeAt(this.i) === LT) {
        const next = s.charCodeAt(this.i + 1);
        if (next !== BANG && next !== QUESTION) return;
      }
      if (s.startsWith("<!--", this.i)) {
        const end = s.indexOf("-->", this.i + 4);
        if (end < 0) this.fail("unterminated comment");
        this.i = end + 3;
      } else if (s.startsWith("<?", this.i)) {
        const end = s.indexOf("?>", this.i + 2);
        if (end < 0) this.fail("unterminated processing instruction");
        this.i = end + 2;
      } else {
        return;
      }
    }
  }

  prolog(): void {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.skipMisc();
    if (this.s.startsWith("<!", this.i)) this.fail("DTDs are not accepted");
  }

  end(): void {
    this.skipMisc();
    if (this.i !== this.s.length) this.fail("trailing content");
  }

  /** True if the next element (after whitespace) is `<name>` or `<name/>`. */
  peekOpen(name: string): boolean {
    this.skipMisc();
    const s = this.s;
    if (s.charCodeAt(this.i) !== LT || !s.startsWith(name, this.i + 1)) return false;
    const c = s.charCodeAt(this.i + 1 + name.length);
    return c === GT || c === SLASH || isSpace(c);
  }

  /** Reads `<name>`; returns true when the element was self-closing (`<name/>`). */
  open(name: string): boolean {
    if (!this.peekOpen(name)) this.fail(`expected <${name}>`);
    return this.finishTag(this.i + 1 + name.length);
  }

  private finishTag(at: number): boolean {
    const s = this.s;
    let j = at;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) === SLASH && s.charCodeAt(j + 1) === GT) {
      this.i = j + 2;
      return true;
    }
    if (s.charCodeAt(j) !== GT) this.fail("attributes are not accepted");
    this.i = j + 1;
    return false;
  }

  close(name: string): void {
    this.skipMisc();
    const s = this.s;
    if (!(s.charCodeAt(this.i) === LT && s.charCodeAt(this.i + 1) === SLASH && s.startsWith(name, this.i + 2))) {
      this.fail(`expected </${name}>`);
    }
    let j = this.i + 2 + name.length;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) !== GT) this.fail(`expected </${name}>`);
    this.i = j + 1;
  }

  /** Character data up to the next tag, entities decoded. */
  text(): string {
    const s = this.s;
    const start = this.i;
    let end = s.indexOf("<", start);
    if (end < 0) this.fail("unterminated text");
    // CDATA sections are part of the text.
    if (s.startsWith("<![CDATA[", end)) {
      let out = decodeEntities(s.slice(start, end), start);
      while (s.startsWith("<![CDATA[", end)) {
        const close = s.indexOf("]]>", end + 9);
        if (close < 0) this.fail("unterminated CDATA");
        out += s.slice(end + 9, close);
        const next = s.indexOf("<", close + 3);
        if (next < 0) this.fail("unterminated text");
        out += decodeEntities(s.slice(close + 3, next), close + 3);
        end = next;
      }
      this.i = end;
      return out;
    }
    this.i = end;
    return start === end ? "" : decodeEntities(s.slice(start, end), start);
  }

  /** Reads the tag name of the next element without consuming it. */
  private peekName(): string {
    const s = this.s;
    if (s.charCodeAt(this.i) !== LT) this.fail("expected an element");
    let j = this.i + 1;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === GT || c === SLASH || isSpace(c)) break;
      j++;
    }
    return s.slice(this.i + 1, j);
  }

  value(depth: number): T {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    const b = this.b;
    if (this.open("value")) return b.str("");
    const s = this.s;
    // Untyped text (a string) or whitespace before a typed element.
    const textStart = this.i;
    const text = this.text();
    if (s.charCodeAt(this.i + 1) === SLASH) {
      this.close("value");
      return b.str(text);
    }
    if (text.trim() !== "") {
      this.i = textStart;
      this.fail("text mixed with an element");
    }
    const name = this.peekName();
    let result: T;
    switch (name) {
      case "string":
        result = b.str(this.scalar(name));
        break;
      case "int":
      case "i4":
      case "i8": {
        const v = this.scalar(name).trim();
        if (!/^[+-]?\d+$/.test(v)) this.fail(`invalid <${name}>`);
        result = b.int(v);
        break;
      }
      case "double": {
        const v = Number(this.scalar(name).trim());
        if (Number.isNaN(v)) this.fail("invalid <double>");
        result = b.double(v);
        break;
      }
      case "boolean": {
        const v = this.scalar(name).trim();
        if (v !== "0" && v !== "1" && v !== "true" && v !== "false") this.fail("invalid <boolean>");
        result = b.bool(v === "1");
        break;
      }
      case "dateTime.iso8601":
        result = b.date(this.scalar(name).trim());
        break;
      case "base64":
        result = b.b64(this.scalar(name).trim());
        break;
      case "nil":
        if (!this.open("nil")) this.close("nil");
        result = b.nil();
        break;
      case "array":
        result = b.arr(this.array(depth));
        break;
      case "struct":
        result = b.struct(this.struct(depth));
        break;
      default:
        this.fail(`unknown value type <${name}>`);
    }
    this.close("value");
    return result;
  }

  private scalar(name: string): string {
    if (this.open(name)) return "";
    const v = this.text();
    this.close(name);
    return v;
  }

  private array(depth: number): T[] {
    const items: T[] = [];
    if (this.open("array")) return items;
    if (!this.open("data")) {
      while (this.peekOpen("value")) items.push(this.value(depth + 1));
      this.close("data");
    }
    this.close("array");
    return items;
  }

  private struct(depth: number): [string, T][] {
    const members: [string, T][] = [];
    if (this.open("struct")) return members;
    while (this.peekOpen("member")) {
      this.open("member");
      this.open("name");
      const name = this.text();
      this.close("name");
      members.push([name, this.value(depth + 1)]);
      this.close("member");
    }
    this.close("struct");
    return members;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string, position: number): string {
  if (text.indexOf("&") < 0) return text;
  return text.replace(/&([^;&\s]{0,10});/g, (whole, name: string) => {
    const named = ENTITIES[name];
    if (named !== undefined) return named;
    const code = name.startsWith("#x") ? parseInt(name.slice(2), 16) : name.startsWith("#") ? parseInt(name.slice(1), 10) : NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlRpcParseError(`unknown entity ${whole}`, position);
    }
    return String.fromCodePoint(code);
  });
}
