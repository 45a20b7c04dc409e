/**
 * A specialised XML-RPC parser for XAPI answers, working on the raw bytes of the body.
 *
 * Why not the `xmlrpc` package's sax-based Deserializer: on a pool-sized answer (tens of MB) it is several
 * times slower (see `lib/dev/bench/parse.ts`), builds every string through intermediate arrays, and sax's
 * lenient mode accepts truncated documents. This parser:
 * - knows only the XML-RPC grammar (methodResponse/params/fault, value and its types), and fails with a
 *   `XapiProtocolError` naming the byte offset on anything else (truncation included);
 * - reads untyped `<value>text</value>` as a string, as XAPI writes strings, refs, enums and 64-bit ints;
 * - creates every string with `Buffer#toString` so that no cached value keeps the whole body alive (slices of
 *   a JS string would);
 * - refuses a DOCTYPE (no entity expansion), bounds nesting depth, guards `__proto__` keys.
 */
import { parseXapiDate } from "./dates";
import { XapiProtocolError } from "./errors";
import { memoPerObject } from "../memo";

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const AMP = 0x26; // &
const QUESTION = 0x3f; // ?
const BANG = 0x21; // !
const DASH = 0x2d; // -

const enum Tag {
  Unknown,
  MethodResponse,
  Params,
  Param,
  Fault,
  Value,
  String,
  Int,
  I4,
  I8,
  Double,
  Boolean,
  DateTime,
  Base64,
  Nil,
  Array,
  Data,
  Struct,
  Member,
  Name,
}

const TAG_NAMES: [string, Tag][] = [
  ["methodResponse", Tag.MethodResponse],
  ["params", Tag.Params],
  ["param", Tag.Param],
  ["fault", Tag.Fault],
  ["value", Tag.Value],
  ["string", Tag.String],
  ["int", Tag.Int],
  ["i4", Tag.I4],
  ["i8", Tag.I8],
  ["double", Tag.Double],
  ["boolean", Tag.Boolean],
  ["dateTime.iso8601", Tag.DateTime],
  ["base64", Tag.Base64],
  ["nil", Tag.Nil],
  ["array", Tag.Array],
  ["data", Tag.Data],
  ["struct", Tag.Struct],
  ["member", Tag.Member],
  ["name", Tag.Name],
];
/**
 * Tags by (length, first byte, last byte), which is unique for XML-RPC's names: a tag is identified with one
 * array read and a byte comparison, without allocating a string.
 */
const tagKey = (length: number, first: number, last: number) => ((length & 31) << 10) | ((first & 31) << 5) | (last & 31);
const TAG_LOOKUP: ({ bytes: Uint8Array; tag: Tag } | undefined)[] = new Array(1 << 15).fill(undefined);
for (const [name, tag] of TAG_NAMES) {
  const bytes = new TextEncoder().encode(name);
  const key = tagKey(bytes.length, bytes[0], bytes[bytes.length - 1]);
  if (TAG_LOOKUP[key]) throw new Error(`tag key collision: ${name}`);
  TAG_LOOKUP[key] = { bytes, tag };
}
/** XAPI writes without whitespace between tags: these sequences are matched as bytes before the general path. */
/**
 * Markup is most of an XAPI answer's bytes, so literals are compared four bytes at a time (a DataView read of
 * 32 bits compiles to one load) rather than byte by byte.
 */
interface Literal {
  bytes: Uint8Array;
  words: Int32Array;
}

function literal(text: string): Literal {
  const bytes = Buffer.from(text, "utf8");
  const words = new Int32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = bytes.readInt32LE(4 * i);
  return { bytes, words };
}

const MEMBER_NAME = literal("<member><name>");
const NAME_END = literal("</name>");
const MEMBER_END = literal("</member>");
const VALUE_START = literal("<value>");
const VALUE_END = literal("</value>");
const STRUCT_START = literal("<struct>");
const DATA_START = literal("<data>");
const ARRAY_END = literal("</data></array>");
/** Booleans with their `</value>`: records hold many. */
const TRUE_VALUE = literal("<boolean>1</boolean></value>");
const FALSE_VALUE = literal("<boolean>0</boolean></value>");

const TAG_LABEL = new Map<Tag, string>(TAG_NAMES.map(([name, tag]) => [tag, name]));

const MAX_DEPTH = 64;

/**
 * How far from the end of the bytes received a reader's failure may be due to the missing rest (a tag or a
 * literal cut in the middle, some whitespace); failures before that are the answer's own.
 */
const DECISION_BYTES = 64;

/** Bytes to receive between two attempts of the stream parser (fewer attempts, fewer members parsed twice). */
const ATTEMPT_BYTES = 128 * 1024;

const MAX_INTERNED = 32;
const INTERN_MASK = 0x3fff;
/** Shared by all parses: strings are immutable, so sharing them across answers is safe. */
const internTable: (string | undefined)[] = new Array(INTERN_MASK + 1);

/**
 * What to build of an answer: structs keep only the `keep` members (the others are skipped unbuilt), `members`
 * gives the plan of named members, `each` the plan of every other member or array item. Without a plan,
 * everything is built.
 */
export interface ParsePlan {
  keep?: ReadonlySet<string>;
  members?: Readonly<Record<string, ParsePlan>>;
  each?: ParsePlan;
  /** Build the struct as a record: members of `slots` are parsed into a values array handed to `finish`. */
  record?: RecordPlan;
}

export interface RecordPlan {
  slots: ReadonlyMap<string, number>;
  size: number;
  /** Builds the record; `values` is the parser's scratch array, reused once `finish` returns: keep no reference. */
  finish(values: unknown[]): unknown;
}

/**
 * A member name met in records of a plan, as XAPI writes it: `first` opens the record's first member,
 * `next` closes the previous member and opens this one; `slot` -1: not kept.
 */
interface MemberName {
  first: Literal;
  next: Literal;
  slot: number;
}

/**
 * The member names of a plan's records in the order the last record had them: XAPI writes every record of a
 * class with the same fields in the same order, so the next name is recognised by comparing bytes in place,
 * without reading it as a string and looking it up. A record in another order is read the general way (and
 * becomes the order expected next).
 */
interface MemberOrder {
  sequence: MemberName[];
  byName: Map<string, MemberName>;
}

/** Per record plan (plans are built once and never changed): the order its records' members last came in. */
const memberOrderOf = memoPerObject((_record: RecordPlan): MemberOrder => ({ sequence: [], byName: new Map() }));

/** Names remembered per plan: more than any class has fields, and a bound against a hostile server's. */
const MAX_MEMBER_NAMES = 1024;

function memberName(order: MemberOrder, record: RecordPlan, key: string): MemberName {
  let name = order.byName.get(key);
  if (name === undefined) {
    const markup = escapeText(key);
    name = { first: literal(`<member><name>${markup}</name>`), next: literal(`</member><member><name>${markup}</name>`), slot: record.slots.get(key) ?? -1 };
    if (order.byName.size < MAX_MEMBER_NAMES) order.byName.set(key, name);
  }
  return name;
}

/** A name as XML text (how it appears in the answer when written plainly, as XAPI does). */
function escapeText(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&amp;"));
}

/** A parsed response: the value of `<params><param>`, or the fault struct. */
export type ParsedResponse = { fault: false; value: unknown } | { fault: true; value: unknown };

/** A tag token is one number: the tag, plus these flags (no allocation per tag on the hot path). */
const CLOSING = 0x100;
const SELF_CLOSING = 0x200;
const TAG_MASK = 0xff;

/**
 * Thrown instead of an error when the reader of a partial answer fails near the end of the bytes it has:
 * the stream parser then waits for more (no error object, no message, no stack trace per chunk).
 */
const NEED_MORE = Symbol("need more bytes");

class XmlRpcReader {
  pos = 0;
  depth = 0;
  /** The bytes may continue: failing near their end means "need more", not a malformed answer. */
  partial = false;
  /** A record's values array, reused from one record to the next. */
  private spareValues: unknown[] | null = null;
  private end: number;
  private view: DataView;
  /** Offset of `buf[0]` in the whole answer (the stream parser reads it a window at a time). */
  private base = 0;

  constructor(
    private buf: Buffer,
    private readonly plan?: ParsePlan,
  ) {
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** Reads `buf` from `pos`; `base` is the offset of `buf[0]` in the answer (for error messages). */
  window(buf: Buffer, base: number, pos: number): void {
    this.buf = buf;
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    this.base = base;
    this.pos = pos;
  }

  get available(): number {
    return this.end;
  }

  failAt(position: number, what: string): never {
    this.pos = position;
    return this.fail(what);
  }

  fail(what: string): never {
    if (this.partial && this.pos >= this.end - DECISION_BYTES) throw NEED_MORE;
    throw new XapiProtocolError(
      this.pos >= this.end
        ? `Malformed XML-RPC answer: ${what} (the answer ends at byte ${this.base + this.end}: truncated?)`
        : `Malformed XML-RPC answer at byte ${this.base + this.pos}: ${what}`,
    );
  }

  readResponse(): ParsedResponse {
    this.skipProlog();
    this.expectOpen(Tag.MethodResponse);
    const next = this.readTag();
    let result: ParsedResponse;
    if (next === Tag.Params) {
      this.expectOpen(Tag.Param);
      result = { fault: false, value: this.readValue(this.plan) };
      this.expectClose(Tag.Param);
      this.expectClose(Tag.Params);
    } else if (next === Tag.Fault) {
      result = { fault: true, value: this.readValue() };
      this.expectClose(Tag.Fault);
    } else {
      this.fail("expected <params> or <fault>");
    }
    this.expectClose(Tag.MethodResponse);
    this.skipMisc();
    if (this.pos < this.end) this.fail("unexpected content after </methodResponse>");
    return result;
  }

  /** A bare `<value>...</value>` (task results). */
  readValueDocument(): unknown {
    this.skipMisc();
    const value = this.readValue();
    this.skipMisc();
    if (this.pos < this.end) this.fail("unexpected content after </value>");
    return value;
  }

  // -- structure ------------------------------------------------------------------------------------------

  /** `<value>...</value>` or `<value/>`. */
  private readValue(plan?: ParsePlan): unknown {
    if (this.skipLiteral(VALUE_START)) return this.readValueBody(plan);
    const token = this.readTag();
    if (token === (Tag.Value | SELF_CLOSING)) return "";
    if (token !== Tag.Value) this.fail("expected <value>");
    return this.readValueBody(plan);
  }

  /** Called just after `<value>`: reads the content and the closing `</value>`. */
  private readValueBody(plan?: ParsePlan): unknown {
    if (++this.depth > MAX_DEPTH) this.fail(`values nested deeper than ${MAX_DEPTH} levels`);
    const textStart = this.pos;
    const text = this.readText();
    if (this.skipLiteral(VALUE_END)) {
      this.depth--;
      return text; // untyped value: a string
    }
    if (text === "") {
      if (this.skipLiteral(FALSE_VALUE)) {
        this.depth--;
        return false;
      }
      if (this.skipLiteral(TRUE_VALUE)) {
        this.depth--;
        return true;
      }
    }
    const token = this.readTag();
    if (token & CLOSING) {
      if (token !== (Tag.Value | CLOSING)) this.fail(`expected </value>, found </${TAG_LABEL.get(token & TAG_MASK) ?? "?"}>`);
      this.depth--;
      return text; // untyped value: a string
    }
    if (text !== "" && !isBlank(text)) {
      this.failAt(textStart, "text mixed with a typed value");
    }
    const tag: Tag = token & TAG_MASK;
    const selfClosing = (token & SELF_CLOSING) !== 0;
    let value: unknown;
    switch (tag) {
      case Tag.String:
        value = this.readScalar(Tag.String, selfClosing);
        break;
      case Tag.Int:
      case Tag.I4:
      case Tag.I8:
        value = this.parseInteger(this.readScalar(tag, selfClosing));
        break;
      case Tag.Double:
        value = this.parseDouble(this.readScalar(Tag.Double, selfClosing));
        break;
      case Tag.Boolean: {
        const raw = this.readScalar(Tag.Boolean, selfClosing).trim();
        if (raw === "1" || raw === "true") value = true;
        else if (raw === "0" || raw === "false") value = false;
        else this.fail(`invalid boolean "${clip(raw)}"`);
        break;
      }
      case Tag.DateTime: {
        const raw = this.readScalar(Tag.DateTime, selfClosing).trim();
        try {
          value = parseXapiDate(raw);
        } catch {
          this.fail(`invalid dateTime.iso8601 "${clip(raw)}"`);
        }
        break;
      }
      case Tag.Base64:
        value = Buffer.from(this.readScalar(Tag.Base64, selfClosing), "base64");
        break;
      case Tag.Nil:
        if (!selfClosing) this.expectClose(Tag.Nil);
        value = null;
        break;
      case Tag.Array:
        value = selfClosing ? [] : this.readArray(plan?.each);
        break;
      case Tag.Struct:
        value = plan?.record ? this.readRecord(plan.record, selfClosing) : selfClosing ? {} : this.readStruct(plan);
        break;
      default:
        this.fail(`unexpected <${TAG_LABEL.get(tag) ?? "unknown tag"}> in a value`);
    }
    if (!this.skipLiteral(VALUE_END)) this.expectClose(Tag.Value);
    this.depth--;
    return value;
  }

  private readArray(itemPlan: ParsePlan | undefined): unknown[] {
    const items: unknown[] = [];
    if (!this.skipLiteral(DATA_START)) {
      const data = this.readTag();
      if ((data & TAG_MASK) !== Tag.Data || data & CLOSING) this.fail("expected <data> in <array>");
      if (data & SELF_CLOSING) {
        this.expectClose(Tag.Array);
        return items;
      }
    }
    for (;;) {
      if (this.skipLiteral(VALUE_START)) {
        items.push(this.readValueBody(itemPlan));
        continue;
      }
      if (this.skipLiteral(ARRAY_END)) return items;
      const token = this.readTag();
      if (token === Tag.Value) items.push(this.readValueBody(itemPlan));
      else if (token === (Tag.Value | SELF_CLOSING)) items.push("");
      else if (token === (Tag.Data | CLOSING)) break;
      else this.fail("expected <value> or </data> in an array");
    }
    this.expectClose(Tag.Array);
    return items;
  }

  private readStruct(plan: ParsePlan | undefined): Record<string, unknown> {
    const struct: Record<string, unknown> = {};
    if (plan === undefined) {
      // Maps inside records (other_config, platform...): the common case, without plan lookups per member.
      for (;;) {
        const key = this.readMemberName();
        if (key === null) return struct;
        setMember(struct, key, this.readValue());
        this.closeMember();
      }
    }
    while (this.readMember(plan, struct));
    return struct;
  }

  /** Reads one `<member>` into `struct` following `plan`; false at `</struct>`. */
  readMember(plan: ParsePlan | undefined, struct: Record<string, unknown>): boolean {
    const key = this.readMemberName();
    if (key === null) return false;
    const keep = plan?.keep;
    if (keep !== undefined && !keep.has(key)) {
      this.skipValue();
      this.closeMember();
      return true;
    }
    const members = plan?.members;
    setMember(struct, key, this.readValue((members !== undefined && Object.hasOwn(members, key) ? members[key] : undefined) ?? plan?.each));
    this.closeMember();
    return true;
  }

  /**
   * At the start of an answer: reads up to the envelope's `<value><struct>` and returns true, or returns false
   * (position unspecified) when the answer has another shape (a fault, a bare value).
   */
  openEnvelope(partial: boolean): boolean {
    this.skipProlog();
    this.expectOpen(Tag.MethodResponse);
    if (this.readTag() !== Tag.Params) return false;
    this.expectOpen(Tag.Param);
    return this.openStructValue(partial);
  }

  /**
   * Reads `<value><struct>` (whitespace allowed between) and returns true; otherwise returns false and moves
   * nowhere. With `partial` data, fails (as at the end of the answer) when too few bytes are there to decide.
   */
  openStructValue(partial: boolean): boolean {
    const start = this.pos;
    if (partial && this.end - start < DECISION_BYTES) this.failAt(this.end, "unexpected end of answer");
    if (this.skipLiteral(VALUE_START)) {
      this.skipWhitespace();
      if (this.skipLiteral(STRUCT_START)) return true;
    }
    this.pos = start;
    return false;
  }

  /** After the envelope's last member: the closing tags and the end of the answer. */
  closeEnvelope(): void {
    this.expectClose(Tag.Value);
    this.expectClose(Tag.Param);
    this.expectClose(Tag.Params);
    this.expectClose(Tag.MethodResponse);
    this.skipMisc();
    if (this.pos < this.end) this.fail("unexpected content after </methodResponse>");
  }

  /** Closes a member whose value is a struct just read: `</value></member>`. */
  closeStructMember(): void {
    this.expectClose(Tag.Value);
    this.closeMember();
  }

  /** `<member><name>key</name>` → key; `</struct>` → null. */
  readMemberName(): string | null {
    if (this.skipLiteral(MEMBER_NAME)) {
      // XAPI's own layout, without whitespace: no tag to identify.
      const key = this.readText();
      if (this.skipLiteral(NAME_END)) return key;
      this.expectClose(Tag.Name);
      return key;
    }
    const token = this.readTag();
    if (token === (Tag.Struct | CLOSING)) return null;
    if (token !== Tag.Member) this.fail("expected <member> or </struct>");
    const name = this.readTag();
    if ((name & TAG_MASK) !== Tag.Name || name & CLOSING) this.fail("expected <name> in <member>");
    return this.readScalar(Tag.Name, (name & SELF_CLOSING) !== 0);
  }

  private closeMember(): void {
    if (!this.skipLiteral(MEMBER_END)) this.expectClose(Tag.Member);
  }

  /** Moves past `lit` if it is at the current position. */
  private skipLiteral(lit: Literal): boolean {
    const p = this.pos;
    const bytes = lit.bytes;
    const n = bytes.length;
    if (p + n > this.end) return false;
    const words = lit.words;
    const view = this.view;
    for (let i = 0; i < words.length; i++) if (view.getInt32(p + 4 * i, true) !== words[i]) return false;
    const buf = this.buf;
    for (let i = words.length << 2; i < n; i++) if (buf[p + i] !== bytes[i]) return false;
    this.pos = p + n;
    return true;
  }

  /** A struct read straight into a record's slots; members without a slot are skipped unbuilt. */
  private readRecord(record: RecordPlan, selfClosing: boolean): unknown {
    let values = this.spareValues;
    this.spareValues = null;
    if (values === null || values.length !== record.size) values = new Array<unknown>(record.size);
    else values.fill(undefined);
    if (!selfClosing) {
      const order = memberOrderOf(record);
      const expected = order.sequence;
      let seen: MemberName[] | null = null;
      let n = 0;
      for (; ; n++) {
        let name: MemberName;
        const predicted = expected[n];
        // The previous member's `</member>` is matched together with the next member's start.
        if (predicted !== undefined && this.skipLiteral(n === 0 ? predicted.first : predicted.next)) {
          name = predicted;
        } else {
          if (n > 0) this.closeMember();
          const key = this.readMemberName();
          if (key === null) break;
          name = memberName(order, record, key);
          seen ??= expected.slice(0, n);
        }
        seen?.push(name);
        if (name.slot < 0) this.skipValue();
        else values[name.slot] = this.readValue();
      }
      if (seen !== null || n !== expected.length) order.sequence = seen ?? expected.slice(0, n);
    }
    const result = record.finish(values);
    this.spareValues = values;
    return result;
  }

  /**
   * Skips a member's `<value>...</value>` without building it: only the value nesting is tracked, so the
   * skipped content is not validated, but a truncated answer still fails.
   */
  private skipValue(): void {
    if (!this.skipLiteral(VALUE_START)) {
      const token = this.readTag();
      if (token === (Tag.Value | SELF_CLOSING)) return;
      if (token !== Tag.Value) this.fail("expected <value>");
    }
    const buf = this.buf;
    const end = this.end;
    let depth = 1;
    let p = this.pos;
    for (;;) {
      while (p < end && buf[p] !== LT) p++;
      if (p >= end) {
        this.failAt(end, "unexpected end of answer in a value");
      }
      const next = buf[p + 1];
      if (next === SLASH) {
        if (isValueName(buf, p + 2) && buf[p + 7] === GT) {
          if (--depth === 0) {
            this.pos = p + 8;
            return;
          }
        }
      } else if (next === BANG) {
        this.pos = p;
        if (buf[p + 2] === DASH) this.skipComment();
        else this.readText(); // a CDATA section
        p = this.pos;
        continue;
      } else if (isValueName(buf, p + 1) && buf[p + 6] === GT) {
        if (++depth > MAX_DEPTH) {
          this.failAt(p, `values nested deeper than ${MAX_DEPTH} levels`);
        }
      }
      p++;
    }
  }

  /** Text up to the closing tag of a scalar, then the closing tag. */
  private readScalar(tag: Tag, selfClosing: boolean): string {
    if (selfClosing) return "";
    const text = this.readText();
    this.expectClose(tag);
    return text;
  }

  private parseInteger(raw: string): number {
    const text = raw.trim();
    if (!/^[+-]?\d{1,20}$/.test(text)) this.fail(`invalid integer "${clip(text)}"`);
    return Number(text);
  }

  private parseDouble(raw: string): number {
    const text = raw.trim().toLowerCase();
    if (text === "nan") return NaN;
    if (text === "inf" || text === "+inf" || text === "infinity") return Infinity;
    if (text === "-inf" || text === "-infinity") return -Infinity;
    const value = Number(text);
    if (text === "" || Number.isNaN(value)) this.fail(`invalid double "${clip(text)}"`);
    return value;
  }

  // -- lexical --------------------------------------------------------------------------------------------

  private expectOpen(expected: Tag): void {
    if (this.readTag() !== expected) this.fail(`expected <${TAG_LABEL.get(expected)}>`);
  }

  private expectClose(expected: Tag): void {
    if (this.readTag() !== (expected | CLOSING)) this.fail(`expected </${TAG_LABEL.get(expected)}>`);
  }

  /** Skips whitespace and comments, then reads `<name ...>`, `</name>` or `<name/>` as a token number. */
  private readTag(): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    for (;;) {
      while (p < end && isSpace(buf[p])) p++;
      if (p >= end) {
        this.failAt(p, "unexpected end of answer");
      }
      if (buf[p] !== LT) {
        this.failAt(p, "expected a tag");
      }
      if (buf[p + 1] === BANG && buf[p + 2] === DASH) {
        this.pos = p;
        this.skipComment();
        p = this.pos;
        continue;
      }
      break;
    }
    p++;
    const closing = buf[p] === SLASH;
    if (closing) p++;
    const nameStart = p;
    while (p < end) {
      const c = buf[p];
      if (c === GT || c === SLASH || isSpace(c)) break;
      p++;
    }
    const tag = this.identify(nameStart, p);
    // XML-RPC elements carry no attributes; tolerate whitespace before '>' or '/>'.
    while (p < end && isSpace(buf[p])) p++;
    let selfClosing = false;
    if (buf[p] === SLASH && !closing) {
      selfClosing = true;
      p++;
    }
    if (p >= end) {
      this.failAt(p, "unexpected end of answer inside a tag");
    }
    if (buf[p] !== GT) {
      this.failAt(p, "unexpected characters in a tag (attributes are not part of XML-RPC)");
    }
    if (tag === Tag.Unknown) {
      this.failAt(nameStart, `unknown element <${clip(this.buf.toString("latin1", nameStart, p), 40)}>`);
    }
    this.pos = p + 1;
    return tag | (closing ? CLOSING : 0) | (selfClosing ? SELF_CLOSING : 0);
  }

  private identify(start: number, end: number): Tag {
    if (end <= start) return Tag.Unknown;
    const buf = this.buf;
    const entry = TAG_LOOKUP[tagKey(end - start, buf[start], buf[end - 1])];
    if (entry === undefined) return Tag.Unknown;
    const bytes = entry.bytes;
    if (bytes.length !== end - start) return Tag.Unknown;
    for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return Tag.Unknown;
    return entry.tag;
  }

  /** Character data up to the next tag (CDATA sections and comments included), entities decoded. */
  private readText(): string {
    const buf = this.buf;
    const end = this.end;
    let out: string | undefined;
    for (;;) {
      const start = this.pos;
      // One pass: find '<', note '&' and non-ASCII bytes, hash short ASCII runs for interning.
      let p = start;
      let hash = 0x811c9dc5;
      let special = false;
      for (; p < end; p++) {
        const c = buf[p];
        if (c === LT) break;
        if (c === AMP || c >= 0x80) special = true;
        hash = Math.imul(hash ^ c, 0x01000193);
      }
      if (p >= end) {
        this.failAt(end, "unexpected end of answer in text");
      }
      let piece: string;
      if (p === start) piece = "";
      else if (special) piece = decodeEntities(buf.toString("utf8", start, p), this);
      else if (p - start <= MAX_INTERNED) piece = this.intern(start, p, hash);
      else piece = buf.toString("latin1", start, p);
      out = out === undefined ? piece : out + piece;
      if (buf[p + 1] === BANG) {
        this.pos = p;
        if (buf[p + 2] === DASH) {
          this.skipComment();
          continue;
        }
        if (buf.toString("latin1", p, Math.min(p + 9, end)) === "<![CDATA[") {
          const close = buf.indexOf("]]>", p + 9, "latin1");
          if (close === -1) this.fail("unterminated CDATA section");
          out += buf.toString("utf8", p + 9, close);
          this.pos = close + 3;
          continue;
        }
        this.fail("unexpected markup in text");
      }
      this.pos = p;
      return out;
    }
  }

  /**
   * Short ASCII strings (field names, enums, numbers, "OpaqueRef:NULL", map keys) repeat endlessly in a pool's
   * records: a direct-mapped table returns the same string instance for the same bytes, which saves both the
   * allocation while parsing and memory in the cache.
   */
  private intern(start: number, end: number, hash: number): string {
    const slot = (hash ^ (end - start)) & INTERN_MASK;
    const known = internTable[slot];
    if (known !== undefined && known.length === end - start) {
      const buf = this.buf;
      let same = true;
      for (let i = 0; i < known.length; i++) {
        if (known.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return known;
    }
    const text = this.buf.toString("latin1", start, end);
    internTable[slot] = text;
    return text;
  }

  private skipWhitespace(): void {
    const buf = this.buf;
    let p = this.pos;
    while (p < this.end && isSpace(buf[p])) p++;
    this.pos = p;
  }

  private skipComment(): void {
    if (this.buf.toString("latin1", this.pos, this.pos + 4) !== "<!--") this.fail("invalid comment");
    const close = this.buf.indexOf("-->", this.pos + 4, "latin1");
    if (close === -1) this.fail("unterminated comment");
    this.pos = close + 3;
  }

  /** The XML declaration, comments and whitespace before the root element; a DOCTYPE is refused. */
  private skipProlog(): void {
    if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = 3; // UTF-8 BOM
    for (;;) {
      this.skipWhitespace();
      if (this.buf[this.pos] === LT && this.buf[this.pos + 1] === QUESTION) {
        const close = this.buf.indexOf("?>", this.pos + 2, "latin1");
        if (close === -1) this.fail("unterminated XML declaration");
        this.pos = close + 2;
        continue;
      }
      if (this.buf[this.pos] === LT && this.buf[this.pos + 1] === BANG) {
        if (this.buf[this.pos + 2] === DASH) {
          this.skipComment();
          continue;
        }
        this.fail("DOCTYPE and other declarations are not accepted");
      }
      return;
    }
  }

  private skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.buf[this.pos] === LT && this.buf[this.pos + 1] === BANG && this.buf[this.pos + 2] === DASH) {
        this.skipComment();
        continue;
      }
      return;
    }
  }
}

function isValueName(buf: Buffer, at: number): boolean {
  return buf[at] === 0x76 && buf[at + 1] === 0x61 && buf[at + 2] === 0x6c && buf[at + 3] === 0x75 && buf[at + 4] === 0x65; // "value"
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A struct member; `__proto__` stays data (never the prototype). */
function setMember(struct: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(struct, key, { value, enumerable: true, writable: true, configurable: true });
  else struct[key] = value;
}

function isBlank(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text);
}

function clip(text: string, max = 24): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string, reader: XmlRpcReader): string {
  return text.replace(/&([^;&\s]{1,10});|&/g, (match, name: string | undefined) => {
    if (name === undefined) reader.fail("bare '&' in text");
    const named = NAMED_ENTITIES[name];
    if (named !== undefined) return named;
    const code = name.startsWith("#x") ? parseInt(name.slice(2), 16) : name.startsWith("#") ? parseInt(name.slice(1), 10) : NaN;
    if (!Number.isInteger(code) || code < 1 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) reader.fail(`unknown entity ${clip(match)}`);
    return String.fromCodePoint(code);
  });
}

const EMPTY = Buffer.alloc(0);

/**
 * Parses an answer as its chunks arrive (`write`, then `end`), with the same result and the same errors as
 * `parseMethodResponse` on the whole body. XAPI's big answers (`get_all_records`: tens of MB) are an envelope
 * whose `Value` is a struct of records: once the head of the envelope is read, each member of `Value` is parsed
 * as soon as it is complete, so parsing overlaps the transfer and only the bytes of an incomplete member are
 * kept. Any other shape (a bare value, a fault, a `Value` that is not a struct) is kept whole and parsed at the
 * end. A member cut by a chunk boundary is parsed again from its start once more bytes came (at least as many
 * again as were tried, so a huge member costs at most about twice its parse).
 */
export class ResponseParser {
  private readonly reader = new XmlRpcReader(EMPTY);
  private readonly valuePlan: ParsePlan | undefined;
  /** Whether `Value` may be streamed: built as a plain struct, member by member. */
  private readonly streamable: boolean;
  private phase: "head" | "members" | "tail" | "whole" = "head";
  private chunks: Buffer[] = [];
  private received = 0;
  /** Bytes not parsed yet: `window` from `pos`; `window[0]` is byte `consumed` of the answer. */
  private window: Buffer = EMPTY;
  private pos = 0;
  /** Where the window is assembled when chunks must be joined (grows as needed, reused). */
  private store: Buffer = EMPTY;
  private consumed = 0;
  /** Total bytes to receive before the next attempt. */
  private retryAt = 0;
  private envelope: Record<string, unknown> = {};
  private readonly value: Record<string, unknown> = {};
  /** In the tail, whether `Value`'s `</value></member>` is still to be read. */
  private valueOpen = false;

  /**
   * `plan` applies to the envelope, as with `parseMethodResponse`; `attemptBytes`: bytes to receive between
   * two attempts (tests use 0 to attempt at every chunk).
   */
  constructor(
    private readonly plan?: ParsePlan,
    private readonly attemptBytes = ATTEMPT_BYTES,
  ) {
    this.valuePlan = plan && ((plan.members && Object.hasOwn(plan.members, "Value") ? plan.members.Value : undefined) ?? plan.each);
    this.streamable = !this.valuePlan?.record && (plan?.keep === undefined || plan.keep.has("Value"));
  }

  /** Bytes received and not parsed yet (what the parser holds besides the values it built). */
  get buffered(): number {
    return this.window.length - this.pos + this.chunks.reduce((n, chunk) => n + chunk.length, 0);
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.received += chunk.length;
    if ((this.phase === "head" || this.phase === "members") && this.received >= this.retryAt) this.advance(false);
  }

  /** The answer is complete: parses what is left and returns the response. */
  end(): ParsedResponse {
    if (this.phase !== "whole") this.advance(true);
    // Only the head decides to keep the answer whole, so the window then holds it from its first byte.
    if (this.phase === "whole") {
      this.join();
      return new XmlRpcReader(this.window, this.plan).readResponse();
    }
    const r = this.reader;
    if (this.valueOpen) r.closeStructMember();
    while (r.readMember(this.plan, this.envelope));
    r.closeEnvelope();
    return { fault: false, value: this.envelope };
  }

  /**
   * Appends the received chunks to the unparsed bytes. They are copied into a buffer the parser owns and reuses
   * (the unparsed rest moves to its start), so no memory is allocated per attempt; a single chunk with nothing
   * left before it is read where it is.
   */
  private join(): void {
    if (this.chunks.length === 0) return;
    const rest = this.window.length - this.pos;
    if (rest === 0 && this.chunks.length === 1) {
      this.window = this.chunks[0];
    } else {
      let size = rest;
      for (const chunk of this.chunks) size += chunk.length;
      let store = this.store;
      if (store.length < size) {
        store = Buffer.allocUnsafeSlow(Math.max(size * 2, 64 * 1024));
        this.window.copy(store, 0, this.pos);
        this.store = store;
      } else if (rest > 0) {
        // The window is either the start of the store or a chunk.
        if (this.window.buffer === store.buffer) store.copyWithin(0, this.pos, this.window.length);
        else this.window.copy(store, 0, this.pos);
      }
      let at = rest;
      for (const chunk of this.chunks) at += chunk.copy(store, at);
      this.window = store.subarray(0, size);
    }
    this.consumed += this.pos;
    this.pos = 0;
    this.chunks = [];
  }

  /** Parses as far as the bytes go; `final`: they are all there, so any failure is the answer's. */
  private advance(final: boolean): void {
    this.join();
    const r = this.reader;
    r.window(this.window, this.consumed, this.pos);
    r.partial = !final;
    const depth = r.depth;
    try {
      if (this.phase === "head") this.readHead(final);
      if (this.phase === "members") {
        for (;;) {
          const more = r.readMember(this.valuePlan, this.value);
          this.pos = r.pos;
          if (!more) {
            this.phase = "tail";
            this.valueOpen = true;
            break;
          }
        }
      }
    } catch (error) {
      if (error !== NEED_MORE) throw error;
      r.depth = depth;
      const tried = this.window.length - this.pos;
      this.retryAt = Math.max(this.consumed + this.pos + 2 * tried, this.received + this.attemptBytes);
    }
    r.partial = false;
    if (final) r.pos = this.pos;
  }

  /** The envelope up to the first member of `Value` (the answer's start is read again until it is all there). */
  private readHead(final: boolean): void {
    const r = this.reader;
    r.pos = 0;
    this.envelope = {};
    if (!r.openEnvelope(!final)) {
      this.phase = "whole";
      return;
    }
    for (;;) {
      const at = r.pos;
      const key = r.readMemberName();
      if (key === null) {
        // The envelope ended without a `Value` struct (a Failure): the tail reads `</struct>` and the rest.
        r.pos = at;
        this.pos = at;
        this.phase = "tail";
        return;
      }
      if (key === "Value") {
        if (!this.streamable || !r.openStructValue(!final)) {
          this.phase = "whole";
          return;
        }
        this.envelope.Value = this.value;
        this.pos = r.pos;
        this.phase = "members";
        return;
      }
      r.pos = at;
      r.readMember(this.plan, this.envelope);
    }
  }
}

/**
 * Parses a complete `<methodResponse>`; throws `XapiProtocolError` on anything that is not one. The plan
 * applies to the value of `<param>` (for XAPI, the envelope struct).
 */
export function parseMethodResponse(body: Buffer, plan?: ParsePlan): ParsedResponse {
  return new XmlRpcReader(body, plan).readResponse();
}

/** Parses a lone `<value>` fragment, as in `task.result`. */
export function parseValueFragment(fragment: string | Buffer): unknown {
  return new XmlRpcReader(typeof fragment === "string" ? Buffer.from(fragment, "utf8") : fragment).readValueDocument();
}
