/**
 * A streaming parser for `/rrd_updates` answers, fed chunk by chunk while they arrive (a host with 700 VMs sends
 * ~8 MB for ten minutes at 5 s). It accepts every shape xapi has written:
 *
 * - XML (rrdtool xport): `<xport><meta><start/><step/><end/>…<legend><entry/>…</legend></meta><data><row><t/><v/>…</row>…</data></xport>`;
 * - JSON of today's xapi: `{"meta":{…,"legend":[…]},"data":[{"t":"…","values":["0.1","NaN"]}]}`, every number a string;
 * - JSON of early-2024 builds, `data` inside `meta`;
 * - the hand-written JSON of older versions: bare keys, bare numbers, bare `NaN` (JSON5-like).
 *
 * Numbers are read straight from the bytes (no string per value); the result is columnar-ready typed arrays with
 * rows oldest first. Anything that is not one of those shapes is a `XapiProtocolError`.
 */
import { XapiProtocolError } from "../errors";
import type { BodySink } from "../transport";

export interface RrdUpdates {
  /** As the host wrote them (its clock), in seconds. */
  start: number;
  step: number;
  end: number;
  /** `AVERAGE:vm:<uuid>:cpu0`, `AVERAGE:host:<uuid>:memory_free_kib`... */
  legend: string[];
  /** Row times (the host's clock, seconds), oldest first. */
  times: Float64Array;
  /** `values[row * legend.length + column]`, rows oldest first; NaN where unknown. */
  values: Float64Array;
}

export interface LegendEntry {
  cf: string;
  /** `host`, `vm`, `sr`. */
  kind: string;
  uuid: string;
  metric: string;
}

/** `AVERAGE:vm:<uuid>:cpu0` → its parts; null when it is not of that form. */
export function parseLegendEntry(entry: string): LegendEntry | null {
  const first = entry.indexOf(":");
  const second = entry.indexOf(":", first + 1);
  const third = entry.indexOf(":", second + 1);
  if (first <= 0 || second <= first + 1 || third <= second + 1 || third === entry.length - 1) return null;
  return { cf: entry.slice(0, first), kind: entry.slice(first + 1, second), uuid: entry.slice(second + 1, third), metric: entry.slice(third + 1) };
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const UTF8 = new TextDecoder();
const MAX_TOKEN = 4096;

const fail = (message: string) => new XapiProtocolError(`rrd_updates: ${message}`, { method: "GET /rrd_updates" });

const isDigit = (b: number) => b >= 48 && b <= 57;
const isSpace = (b: number) => b === 32 || b === 10 || b === 13 || b === 9;

const WORDS: Record<string, number> = {
  nan: NaN,
  "-nan": NaN,
  "+nan": NaN,
  infinity: Infinity,
  "+infinity": Infinity,
  "-infinity": -Infinity,
  inf: Infinity,
  "+inf": Infinity,
  "-inf": -Infinity,
};

/**
 * A number written by xcp-rrdd (`%0.5g`, `%Ld`, `NaN`, `Infinity`) from bytes [s, e), surrounding blanks allowed.
 * Up to 15 significant digits and exponents within ±22 are exact (Clinger's fast path); the rest goes through
 * `Number()`.
 */
export function parseRrdNumber(bytes: Uint8Array, s: number, e: number): number {
  while (s < e && isSpace(bytes[s])) s++;
  while (e > s && isSpace(bytes[e - 1])) e--;
  if (s === e) throw fail("empty number");
  let i = s;
  const negative = bytes[i] === 45;
  if (negative || bytes[i] === 43) i++;
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  let digits = 0;
  let exact = true;
  while (i < e && isDigit(bytes[i])) {
    const d = bytes[i++] - 48;
    digits++;
    if (significant < 15) {
      mantissa = mantissa * 10 + d;
      if (mantissa > 0) significant++;
    } else {
      scale++;
      exact = false;
    }
  }
  if (i < e && bytes[i] === 46) {
    i++;
    while (i < e && isDigit(bytes[i])) {
      const d = bytes[i++] - 48;
      digits++;
      if (significant < 15) {
        mantissa = mantissa * 10 + d;
        if (mantissa > 0) significant++;
        scale--;
      } else exact = false;
    }
  }
  if (digits === 0) return word(bytes, s, e);
  if (i < e && (bytes[i] === 101 || bytes[i] === 69)) {
    i++;
    const negativeExponent = bytes[i] === 45;
    if (negativeExponent || bytes[i] === 43) i++;
    let exponent = 0;
    const before = i;
    while (i < e && isDigit(bytes[i]) && exponent < 10_000) exponent = exponent * 10 + (bytes[i++] - 48);
    if (i === before) throw fail(`invalid number ${latin1(bytes, s, e)}`);
    scale += negativeExponent ? -exponent : exponent;
  }
  if (i !== e) throw fail(`invalid number ${latin1(bytes, s, e)}`);
  let value: number;
  if (!exact) value = Number(latin1(bytes, negative || bytes[s] === 43 ? s + 1 : s, e));
  else if (scale === 0) value = mantissa;
  else if (scale > 0 && scale <= 22) value = mantissa * POW10[scale];
  else if (scale < 0 && scale >= -22) value = mantissa / POW10[-scale];
  else value = Number(latin1(bytes, negative || bytes[s] === 43 ? s + 1 : s, e));
  return negative ? -value : value;
}

function word(bytes: Uint8Array, s: number, e: number): number {
  const text = latin1(bytes, s, e).toLowerCase();
  if (Object.hasOwn(WORDS, text)) return WORDS[text];
  throw fail(`invalid number ${text.slice(0, 40)}`);
}

function latin1(bytes: Uint8Array, s: number, e: number): string {
  let text = "";
  for (let i = s; i < e; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** What the two syntaxes report; it builds the typed arrays. */
class Collector {
  start = NaN;
  step = NaN;
  end = NaN;
  /** What the answer announces (`meta.rows`): room is made for it at once instead of growing step by step. */
  announcedRows = NaN;
  readonly legend: string[] = [];
  private times = new Float64Array(128);
  private rowLengths = new Int32Array(128);
  private values = new Float64Array(8192);
  private rows = 0;
  private count = 0;
  private inRow = false;

  beginRow(): void {
    if (this.inRow) throw fail("a row inside a row");
    if (this.rows === this.times.length) {
      this.times = grow(this.times);
      this.rowLengths = grow(this.rowLengths);
    }
    this.times[this.rows] = NaN;
    this.rowLengths[this.rows] = 0;
    this.inRow = true;
    if (this.rows === 0) this.reserve();
  }

  private reserve(): void {
    const announced = this.announcedRows * this.legend.length;
    if (!(announced > this.values.length && announced <= 1 << 22)) return;
    const values = new Float64Array(announced);
    values.set(this.values.subarray(0, this.count));
    this.values = values;
  }

  time(t: number): void {
    if (!this.inRow) throw fail("a time outside a row");
    this.times[this.rows] = t;
  }

  value(v: number): void {
    if (!this.inRow) throw fail("a value outside a row");
    if (this.count === this.values.length) this.values = grow(this.values);
    this.values[this.count++] = v;
    this.rowLengths[this.rows]++;
  }

  endRow(): void {
    if (!this.inRow) throw fail("unbalanced row");
    if (Number.isNaN(this.times[this.rows])) throw fail("a row without a time");
    this.inRow = false;
    this.rows++;
  }

  result(): RrdUpdates {
    if (this.inRow) throw fail("the answer ends inside a row");
    if (!Number.isFinite(this.step) || this.step <= 0) throw fail("no step in the answer");
    const columns = this.legend.length;
    for (let r = 0; r < this.rows; r++) {
      if (this.rowLengths[r] !== columns) throw fail(`row ${r} has ${this.rowLengths[r]} values for ${columns} legend entries`);
    }
    // xapi writes the newest row first; keep rows oldest first whatever the order.
    const newestFirst = this.rows > 1 && this.times[0] > this.times[this.rows - 1];
    const times = new Float64Array(this.rows);
    const values = new Float64Array(this.rows * columns);
    for (let r = 0; r < this.rows; r++) {
      const from = newestFirst ? this.rows - 1 - r : r;
      times[r] = this.times[from];
      values.set(this.values.subarray(from * columns, (from + 1) * columns), r * columns);
    }
    return { start: this.start, step: this.step, end: this.end, legend: this.legend, times, values };
  }
}

function grow<A extends Float64Array | Int32Array>(array: A): A {
  const bigger = new (array.constructor as { new (length: number): A })(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The token being read (a tag, a string, a number), across chunk boundaries. */
class Token {
  bytes = new Uint8Array(256);
  length = 0;

  push(b: number): void {
    if (this.length === this.bytes.length) {
      if (this.length >= MAX_TOKEN) throw fail("a token is too long");
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    this.bytes[this.length++] = b;
  }

  /** The token as text (legend entries: thousands per answer, so no Buffer per token). */
  text(): string {
    return UTF8.decode(this.bytes.subarray(0, this.length));
  }
}

interface SyntaxParser {
  write(chunk: Uint8Array): void;
  finish(): void;
}

/** rrdtool xport XML: only leaf elements matter; their text is the token. */
class XmlParser implements SyntaxParser {
  private inTag = false;
  private readonly tag = new Token();
  private readonly text = new Token();
  private depth = 0;
  private inMeta = false;

  constructor(private readonly out: Collector) {}

  write(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.inTag) {
        if (b === 62) {
          this.inTag = false;
          this.onTag();
        } else this.tag.push(b);
      } else if (b === 60) {
        this.inTag = true;
        this.tag.length = 0;
      } else this.text.push(b);
    }
  }

  private onTag(): void {
    const t = this.tag.bytes;
    const n = this.tag.length;
    if (n === 0) throw fail("empty XML tag");
    const first = t[0];
    if (first === 63 || first === 33) return; // <?xml ...?>, <!-- -->, <!DOCTYPE>
    if (first === 47) return this.onClose(t, n);
    const isRow = n === 3 && t[0] === 114 && t[1] === 111 && t[2] === 119;
    if (t[n - 1] === 47) {
      // <x/>: an element without text (an empty row or value is caught as a row of the wrong length).
      if (n === 4 && t[0] === 114 && t[1] === 111 && t[2] === 119) throw fail("an empty row");
      return;
    }
    this.depth++;
    this.text.length = 0;
    if (isRow) this.out.beginRow();
    else if (n === 4 && latin1(t, 0, 4) === "meta") this.inMeta = true;
  }

  /** `</name>`. */
  private onClose(t: Uint8Array, n: number): void {
    this.depth--;
    if (this.depth < 0) throw fail("unbalanced XML");
    const text = this.text;
    // </v>, </t>, </row> are nearly every tag of a big answer: compare bytes.
    if (n === 2 && t[1] === 118) this.out.value(parseRrdNumber(text.bytes, 0, text.length));
    else if (n === 2 && t[1] === 116) this.out.time(parseRrdNumber(text.bytes, 0, text.length));
    else if (n === 4 && t[1] === 114 && t[2] === 111 && t[3] === 119) this.out.endRow();
    else if (n > 1) {
      const name = latin1(t, 1, n).trim();
      if (name === "entry")
        this.out.legend.push(
          text
            .text()
            .trim()
            .replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => XML_ENTITIES[e]),
        );
      else if (name === "meta") this.inMeta = false;
      else if (this.inMeta && (name === "start" || name === "step" || name === "end")) this.out[name] = parseRrdNumber(text.bytes, 0, text.length);
      else if (this.inMeta && name === "rows") this.out.announcedRows = parseRrdNumber(text.bytes, 0, text.length);
    }
    text.length = 0;
  }

  finish(): void {
    if (this.inTag || this.depth !== 0) throw fail("the XML answer is cut short");
  }
}

const enum Role {
  Root,
  Meta,
  Legend,
  Data,
  Row,
  Values,
  Skip,
}

/** JSON and its JSON5-like ancestor: a tokenizer with a stack of containers, each knowing what it holds. */
class JsonParser implements SyntaxParser {
  /** 0 between tokens, 1 in a quoted string, 2 in a bare word. */
  private mode = 0;
  private quote = 0;
  private escaped = false;
  private readonly token = new Token();
  private readonly roles: Role[] = [];
  private readonly isObject: boolean[] = [];
  /** Per open object: the key of the value being read, or null while a key is expected. */
  private readonly keys: (string | null)[] = [];
  private afterColon = false;
  private done = false;

  constructor(private readonly out: Collector) {}

  write(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.mode === 1) {
        if (this.escaped) {
          this.escaped = false;
          this.token.push(b === 110 ? 10 : b === 116 ? 9 : b);
        } else if (b === 92) this.escaped = true;
        else if (b === this.quote) {
          this.mode = 0;
          this.onScalar(true);
        } else this.token.push(b);
        continue;
      }
      if (this.mode === 2) {
        if (!(isSpace(b) || b === 44 || b === 58 || b === 125 || b === 93)) {
          this.token.push(b);
          continue;
        }
        this.mode = 0;
        this.onScalar(false);
      }
      this.structural(b);
    }
  }

  private structural(b: number): void {
    if (isSpace(b)) return;
    if (this.done) throw fail("text after the end of the JSON answer");
    switch (b) {
      case 123: // {
      case 91: // [
        return this.open(b === 123);
      case 125: // }
      case 93: // ]
        return this.close(b === 125);
      case 58: // :
        if (!this.isObject.at(-1) || this.keys.at(-1) === null) throw fail("unexpected ':'");
        this.afterColon = true;
        return;
      case 44: // ,
        if (this.isObject.at(-1)) this.keys[this.keys.length - 1] = null;
        return;
      case 34: // "
      case 39: // '
        this.mode = 1;
        this.quote = b;
        this.token.length = 0;
        return;
      default:
        this.mode = 2;
        this.token.length = 0;
        this.token.push(b);
    }
  }

  private open(object: boolean): void {
    const depth = this.roles.length;
    let role = Role.Skip;
    if (depth === 0) {
      if (!object) throw fail("the JSON answer is not an object");
      role = Role.Root;
    } else {
      this.expectValue();
      const parent = this.roles[depth - 1];
      const key = this.keys[depth - 1];
      if (parent === Role.Root && key === "meta" && object) role = Role.Meta;
      else if ((parent === Role.Root || parent === Role.Meta) && key === "data" && !object) role = Role.Data;
      else if (parent === Role.Meta && key === "legend" && !object) role = Role.Legend;
      else if (parent === Role.Data && object) role = Role.Row;
      else if (parent === Role.Row && key === "values" && !object) role = Role.Values;
    }
    if (role === Role.Row) this.out.beginRow();
    this.roles.push(role);
    this.isObject.push(object);
    this.keys.push(null);
    this.afterColon = false;
  }

  private close(object: boolean): void {
    if (this.roles.length === 0 || this.isObject.at(-1) !== object) throw fail(`unexpected '${object ? "}" : "]"}'`);
    const role = this.roles.pop();
    this.isObject.pop();
    this.keys.pop();
    if (role === Role.Row) this.out.endRow();
    if (this.roles.length === 0) this.done = true;
  }

  /** A value inside an object must follow its key and colon. */
  private expectValue(): void {
    if (!this.isObject.at(-1)) return;
    if (!this.afterColon) throw fail("a value without a key");
    this.afterColon = false;
  }

  private onScalar(quoted: boolean): void {
    const depth = this.roles.length;
    if (depth === 0) throw fail("the JSON answer is not an object");
    const token = this.token;
    if (this.isObject[depth - 1] && this.keys[depth - 1] === null) {
      if (this.afterColon) throw fail("a key without a value");
      this.keys[depth - 1] = token.text();
      return;
    }
    this.expectValue();
    const role = this.roles[depth - 1];
    const key = this.keys[depth - 1];
    switch (role) {
      case Role.Values:
        return this.out.value(parseRrdNumber(token.bytes, 0, token.length));
      case Role.Row:
        if (key === "t") this.out.time(parseRrdNumber(token.bytes, 0, token.length));
        return;
      case Role.Legend:
        if (!quoted) throw fail("a legend entry that is not a string");
        this.out.legend.push(token.text());
        return;
      case Role.Meta:
        if (key === "start" || key === "step" || key === "end") this.out[key] = parseRrdNumber(token.bytes, 0, token.length);
        else if (key === "rows") this.out.announcedRows = parseRrdNumber(token.bytes, 0, token.length);
        return;
    }
  }

  finish(): void {
    if (this.mode === 2) {
      this.mode = 0;
      this.onScalar(false);
    }
    if (this.mode !== 0 || !this.done) throw fail("the JSON answer is cut short");
  }
}

/** A body sink that parses an `/rrd_updates` answer (XML or any JSON shape) while it arrives. */
export function rrdUpdatesSink(): BodySink<RrdUpdates> {
  const out = new Collector();
  let parser: SyntaxParser | null = null;
  return {
    write(chunk) {
      if (!parser) {
        let i = 0;
        while (i < chunk.length && isSpace(chunk[i])) i++;
        if (i === chunk.length) return;
        if (chunk[i] === 60) parser = new XmlParser(out);
        else if (chunk[i] === 123) parser = new JsonParser(out);
        else throw fail("the answer is neither XML nor JSON");
      }
      parser.write(chunk);
    },
    end() {
      if (!parser) throw fail("empty answer");
      parser.finish();
      return out.result();
    },
  };
}

/** Parses a whole answer at once (tests, benchmarks). */
export function parseRrdUpdates(body: string | Uint8Array): RrdUpdates {
  const sink = rrdUpdatesSink();
  sink.write(typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  return sink.end();
}
