/**
 * Wire text written straight into bytes. A full `event.from` of a 10,000-VM pool set is ~280 MB of XML:
 * building it as JavaScript strings (template literals, joins, a regex per value, then one UTF-8 encoding
 * of the whole) ran at ~35 MB/s. Here fixed pieces are precomputed byte templates copied with one
 * `set`, and text is copied char by char while it is checked, so escaping costs nothing when it is not
 * needed (nearly always: names, refs, uuids, numbers); only text with markup characters, control
 * characters or non-ASCII takes the general path.
 */

/**
 * Writers fill slabs of this size and hand out fragments as views of them (records' cached wire forms are
 * ~100,000 buffers for a big pool set: one allocation each, plus a copy, cost more than writing them). A slab
 * lives as long as one of its fragments does, so dropped fragments may keep up to a slab alive each.
 */
const SLAB_SIZE = 64 * 1024;

/** Strings longer than this are checked with a regex and written natively rather than char by char. */
const LONG_TEXT = 256;

const XML_SPECIAL = /[<>&"\x00-\x08\x0b\x0c\x0e-\x1f\x80-\uffff]/;
const XML_ESCAPED = /[<>&"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g;
const JSON_SPECIAL = /["\\\x00-\x1f\x80-\uffff]/;

/** Escapes text for XML; control characters XML cannot carry are dropped, as XAPI does. */
export function escapeXml(text: string): string {
  return text.replace(XML_ESCAPED, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : c === '"' ? "&quot;" : ""));
}

export function bytesOf(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

export class ByteWriter {
  private buf: Buffer;
  /** Where the fragment being written starts in `buf`, and where it ends so far. */
  private start = 0;
  private pos = 0;

  /** `size`: of the first slab (small for a writer used once). */
  constructor(size = SLAB_SIZE) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Bytes written since the last `take`. */
  get length(): number {
    return this.pos - this.start;
  }

  /** Makes room for `n` more bytes: a fragment that does not fit moves to a new slab (bigger if need be). */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const written = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, 2 * (written + n)));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = written;
  }

  /** A precomputed template. */
  bytes(template: Uint8Array): void {
    this.room(template.length);
    this.buf.set(template, this.pos);
    this.pos += template.length;
  }

  /** Text known to be plain ASCII with nothing to escape (numbers, dates, tokens). */
  ascii(text: string): void {
    const n = text.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Text content of an XML element, escaped as `escapeXml` does. */
  xmlText(text: string): void {
    const n = text.length;
    if (n <= LONG_TEXT) {
      this.room(n);
      const buf = this.buf;
      let p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x22 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) break;
        buf[p++] = c;
      }
      if (i === n) {
        this.pos = p;
        return;
      }
    } else if (!XML_SPECIAL.test(text)) {
      this.utf8(text);
      return;
    }
    this.utf8(escapeXml(text));
  }

  /** A JSON string literal, quotes included, exactly as `JSON.stringify` writes it. */
  jsonString(text: string): void {
    const n = text.length;
    if (n <= LONG_TEXT) {
      this.room(n + 2);
      const buf = this.buf;
      let p = this.pos;
      buf[p++] = 0x22;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80 || c < 0x20 || c === 0x22 || c === 0x5c) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[p++] = 0x22;
        this.pos = p;
        return;
      }
    } else if (!JSON_SPECIAL.test(text)) {
      this.room(n + 2);
      this.buf[this.pos++] = 0x22;
      this.utf8(text);
      this.buf[this.pos++] = 0x22;
      return;
    }
    this.utf8(JSON.stringify(text));
  }

  private utf8(text: string): void {
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos, "utf8");
  }

  /** The bytes written since the last `take`, as a buffer (a view of the slab, not a copy). */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /** The bytes written so far as text; the writer starts again empty. */
  takeString(): string {
    const text = this.buf.toString("utf8", this.start, this.pos);
    this.pos = this.start;
    return text;
  }
}
