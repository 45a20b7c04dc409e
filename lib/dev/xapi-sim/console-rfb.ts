/**
 * An RFB 3.8 server session (the protocol behind VNC, as qemu serves a guest's graphical console), over any byte
 * stream: a CONNECT tunnel or a websocket. Minimal but real:
 *
 * - handshake: `RFB 003.008\n` (3.3 and 3.7 clients accepted too), security types [1] (None), SecurityResult 0,
 *   ClientInit, ServerInit (size, 32 bpp true colour, the VM's name);
 * - client messages: SetPixelFormat (true colour, 8/16/32 bpp, either byte order), SetEncodings,
 *   FramebufferUpdateRequest, KeyEvent, PointerEvent, ClientCutText, and QEMU's extended key event once the
 *   client asked for it (pseudo-encoding -258, acknowledged in the next update, as qemu does);
 * - FramebufferUpdate with Raw rectangles: a full request is answered at once; an incremental one with what
 *   changed since, or held until something changes.
 *
 * Hostile input ends the session (unknown message, wrong version, oversized cut text), as qemu drops such
 * clients. Memory stays bounded: while the client does not read the updates, its further requests are not read
 * either (the socket is paused until it drains), so nothing is queued without limit.
 */
import { endianness } from "node:os";
import type { Duplex } from "node:stream";
import { intersectRect, unionRect, type Rect } from "./console-screen";

/** What the session shows: a framebuffer of palette indices. */
export interface RfbFramebuffer {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  readonly palette: readonly (readonly [number, number, number])[];
  onChange(listener: (rect: Rect) => void): () => void;
}

/** Where the client's input goes. */
export interface RfbInput {
  key(keysym: number, down: boolean): void;
  pointer?(x: number, y: number, buttons: number): void;
  cutText?(text: string): void;
}

export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

export const SERVER_PIXEL_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

export const ENCODING_RAW = 0;
export const ENCODING_DESKTOP_SIZE = -223;
export const ENCODING_QEMU_EXTENDED_KEY = -258;

const VERSION = "RFB 003.008\n";
const SECURITY_NONE = 1;
/** Cut text larger than this ends the session (qemu's limit is 1 MiB too). */
const MAX_CUT_TEXT = 1024 * 1024;
/** Bytes of unparsed client input kept at most (a SetEncodings with 65535 entries is 256 KiB). */
const MAX_PENDING_INPUT = 512 * 1024;

type Phase = "version" | "security" | "init" | "normal" | "closed";

export function writePixelFormat(format: PixelFormat, out: Buffer, offset: number): void {
  out.writeUInt8(format.bitsPerPixel, offset);
  out.writeUInt8(format.depth, offset + 1);
  out.writeUInt8(format.bigEndian ? 1 : 0, offset + 2);
  out.writeUInt8(format.trueColour ? 1 : 0, offset + 3);
  out.writeUInt16BE(format.redMax, offset + 4);
  out.writeUInt16BE(format.greenMax, offset + 6);
  out.writeUInt16BE(format.blueMax, offset + 8);
  out.writeUInt8(format.redShift, offset + 10);
  out.writeUInt8(format.greenShift, offset + 11);
  out.writeUInt8(format.blueShift, offset + 12);
  out.fill(0, offset + 13, offset + 16);
}

export function readPixelFormat(input: Buffer, offset: number): PixelFormat {
  return {
    bitsPerPixel: input.readUInt8(offset),
    depth: input.readUInt8(offset + 1),
    bigEndian: input.readUInt8(offset + 2) !== 0,
    trueColour: input.readUInt8(offset + 3) !== 0,
    redMax: input.readUInt16BE(offset + 4),
    greenMax: input.readUInt16BE(offset + 6),
    blueMax: input.readUInt16BE(offset + 8),
    redShift: input.readUInt8(offset + 10),
    greenShift: input.readUInt8(offset + 11),
    blueShift: input.readUInt8(offset + 12),
  };
}

/** Each palette colour as the bytes of one pixel in `format`; null when the format is not supported. */
export function encodePalette(palette: RfbFramebuffer["palette"], format: PixelFormat): Buffer | null {
  const bytes = format.bitsPerPixel / 8;
  if (!format.trueColour || ![1, 2, 4].includes(bytes)) return null;
  if (format.redShift > 31 || format.greenShift > 31 || format.blueShift > 31) return null;
  const out = Buffer.alloc(palette.length * bytes);
  palette.forEach(([r, g, b], index) => {
    const scale = (value: number, max: number) => Math.round((value * max) / 255);
    const value =
      ((scale(r, format.redMax) << format.redShift) | (scale(g, format.greenMax) << format.greenShift) | (scale(b, format.blueMax) << format.blueShift)) >>> 0;
    const offset = index * bytes;
    if (bytes === 1) out.writeUInt8(value & 0xff, offset);
    else if (bytes === 2) (format.bigEndian ? out.writeUInt16BE : out.writeUInt16LE).call(out, value & 0xffff, offset);
    else (format.bigEndian ? out.writeUInt32BE : out.writeUInt32LE).call(out, value, offset);
  });
  return out;
}

export interface RfbSessionOptions {
  /** The desktop name of ServerInit (qemu sends the VM's name). */
  name: string;
  framebuffer: RfbFramebuffer;
  input: RfbInput;
  /** Called once when the session ends, with why. */
  onClose?: (reason: string) => void;
}

export class RfbServerSession {
  private phase: Phase = "version";
  private pending: Buffer = Buffer.alloc(0);
  private minor = 8;
  private encodedPalette: Buffer;
  private bytesPerPixel = 4;
  private encodings = new Set<number>();
  private extendedKeyAcknowledged = false;
  /** What changed since the last update sent. */
  private dirty: Rect | null = null;
  /** An incremental request waiting for a change. */
  private waiting: Rect | null = null;
  private readonly unsubscribe: () => void;
  private closeReason: string | null = null;

  constructor(
    private readonly stream: Duplex,
    private readonly options: RfbSessionOptions,
  ) {
    this.encodedPalette = encodePalette(options.framebuffer.palette, SERVER_PIXEL_FORMAT)!;
    this.unsubscribe = options.framebuffer.onChange((rect) => this.changed(rect));
    stream.on("data", (chunk: Buffer) => this.receive(chunk));
    stream.on("drain", () => this.resumeReading());
    stream.on("error", () => this.close("connection error"));
    stream.on("close", () => this.close("connection closed"));
    stream.on("end", () => this.close("client hung up"));
    stream.write(VERSION);
  }

  get closed(): boolean {
    return this.phase === "closed";
  }

  /** Ends the session (the domain went away, the simulator stops...). */
  close(reason: string): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    this.closeReason = reason;
    this.unsubscribe();
    this.pending = Buffer.alloc(0);
    this.stream.destroy();
    this.options.onClose?.(reason);
  }

  /** Why the session ended (null while open). */
  get reason(): string | null {
    return this.closeReason;
  }

  // -------------------------------------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    if (this.phase === "closed") return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > MAX_PENDING_INPUT) return this.close("too much unparsed input");
    this.parse();
  }

  private resumeReading(): void {
    if (this.phase === "closed") return;
    this.stream.resume();
    this.parse();
  }

  private parse(): void {
    while (this.phase !== "closed" && !this.stream.isPaused()) {
      const used = this.step(this.pending);
      if (used === 0) return;
      this.pending = this.pending.subarray(used);
    }
  }

  /** Handles one message at the start of `input`; returns the bytes it took (0: wait for more). */
  private step(input: Buffer): number {
    switch (this.phase) {
      case "version":
        return this.readVersion(input);
      case "security":
        return this.readSecurity(input);
      case "init":
        if (input.length < 1) return 0;
        this.sendServerInit();
        this.phase = "normal";
        return 1;
      case "normal":
        return this.readMessage(input);
      default:
        return 0;
    }
  }

  private readVersion(input: Buffer): number {
    if (input.length < 12) return 0;
    const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(input.subarray(0, 12).toString("latin1"));
    if (!match || Number(match[1]) !== 3) {
      this.close("not an RFB client");
      return 0;
    }
    // Versions between the ones the spec names are taken as 3.3, as the spec says.
    const minor = Number(match[2]);
    this.minor = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
    if (this.minor === 3) {
      const security = Buffer.alloc(4);
      security.writeUInt32BE(SECURITY_NONE);
      this.stream.write(security);
      this.phase = "init";
    } else {
      this.stream.write(Buffer.from([1, SECURITY_NONE]));
      this.phase = "security";
    }
    return 12;
  }

  private readSecurity(input: Buffer): number {
    if (input.length < 1) return 0;
    if (input[0] !== SECURITY_NONE) {
      if (this.minor === 8) {
        const reason = Buffer.from("Only the None security type is offered");
        const failure = Buffer.alloc(8 + reason.length);
        failure.writeUInt32BE(1, 0);
        failure.writeUInt32BE(reason.length, 4);
        reason.copy(failure, 8);
        this.stream.write(failure);
      }
      this.stream.end();
      this.close("unsupported security type");
      return 0;
    }
    if (this.minor === 8) this.stream.write(Buffer.alloc(4));
    this.phase = "init";
    return 1;
  }

  private sendServerInit(): void {
    const { width, height } = this.options.framebuffer;
    const name = Buffer.from(this.options.name, "utf8");
    const init = Buffer.alloc(24 + name.length);
    init.writeUInt16BE(width, 0);
    init.writeUInt16BE(height, 2);
    writePixelFormat(SERVER_PIXEL_FORMAT, init, 4);
    init.writeUInt32BE(name.length, 20);
    name.copy(init, 24);
    this.stream.write(init);
  }

  private readMessage(input: Buffer): number {
    if (input.length < 1) return 0;
    switch (input[0]) {
      case 0: {
        if (input.length < 20) return 0;
        const format = readPixelFormat(input, 4);
        const encoded = encodePalette(this.options.framebuffer.palette, format);
        if (!encoded) {
          this.close("unsupported pixel format");
          return 0;
        }
        this.encodedPalette = encoded;
        this.bytesPerPixel = format.bitsPerPixel / 8;
        return 20;
      }
      case 2: {
        if (input.length < 4) return 0;
        const count = input.readUInt16BE(2);
        if (input.length < 4 + count * 4) return 0;
        this.encodings = new Set(Array.from({ length: count }, (_, index) => input.readInt32BE(4 + index * 4)));
        return 4 + count * 4;
      }
      case 3: {
        if (input.length < 10) return 0;
        const incremental = input[1] !== 0;
        const rect = { x: input.readUInt16BE(2), y: input.readUInt16BE(4), width: input.readUInt16BE(6), height: input.readUInt16BE(8) };
        this.updateRequested(incremental, rect);
        return 10;
      }
      case 4: {
        if (input.length < 8) return 0;
        this.options.input.key(input.readUInt32BE(4), input[1] !== 0);
        return 8;
      }
      case 5: {
        if (input.length < 6) return 0;
        this.options.input.pointer?.(input.readUInt16BE(2), input.readUInt16BE(4), input[1]!);
        return 6;
      }
      case 6: {
        if (input.length < 8) return 0;
        // A negative length is the extended clipboard format: its payload is skipped.
        const declared = input.readInt32BE(4);
        const length = Math.abs(declared);
        if (length > MAX_CUT_TEXT) {
          this.close("cut text too large");
          return 0;
        }
        if (input.length < 8 + length) return 0;
        if (declared >= 0) this.options.input.cutText?.(input.subarray(8, 8 + length).toString("latin1"));
        return 8 + length;
      }
      case 255: {
        if (input.length < 2) return 0;
        if (input[1] !== 0 || !this.encodings.has(ENCODING_QEMU_EXTENDED_KEY)) {
          this.close("unsupported QEMU message");
          return 0;
        }
        if (input.length < 12) return 0;
        this.options.input.key(input.readUInt32BE(4), input.readUInt16BE(2) !== 0);
        return 12;
      }
      default:
        this.close(`unknown message type ${input[0]}`);
        return 0;
    }
  }

  private updateRequested(incremental: boolean, requested: Rect): void {
    const { width, height } = this.options.framebuffer;
    const rect = intersectRect(requested, { x: 0, y: 0, width, height });
    if (!incremental) {
      this.sendUpdate(rect);
      return;
    }
    const changed = this.dirty && rect ? intersectRect(this.dirty, rect) : null;
    if (changed || this.needsPseudoRects()) {
      this.sendUpdate(changed);
      return;
    }
    this.waiting = rect ?? { x: 0, y: 0, width: 0, height: 0 };
  }

  private changed(rect: Rect): void {
    this.dirty = unionRect(this.dirty, rect);
    if (!this.waiting || this.phase !== "normal") return;
    const changed = intersectRect(this.dirty, this.waiting);
    if (!changed) return;
    this.waiting = null;
    this.sendUpdate(changed);
  }

  private needsPseudoRects(): boolean {
    return !this.extendedKeyAcknowledged && this.encodings.has(ENCODING_QEMU_EXTENDED_KEY);
  }

  /** One FramebufferUpdate: the pseudo-rectangles due, then `rect` in Raw encoding (if any). */
  private sendUpdate(rect: Rect | null): void {
    const acknowledgeKeys = this.needsPseudoRects();
    if (acknowledgeKeys) this.extendedKeyAcknowledged = true;
    const rectCount = (rect ? 1 : 0) + (acknowledgeKeys ? 1 : 0);
    const pixelBytes = rect ? rect.width * rect.height * this.bytesPerPixel : 0;
    const out = Buffer.allocUnsafe(4 + rectCount * 12 + pixelBytes);
    out.writeUInt8(0, 0);
    out.writeUInt8(0, 1);
    out.writeUInt16BE(rectCount, 2);
    let offset = 4;
    if (acknowledgeKeys) offset = writeRectHeader(out, offset, { x: 0, y: 0, width: 0, height: 0 }, ENCODING_QEMU_EXTENDED_KEY);
    if (rect) {
      offset = writeRectHeader(out, offset, rect, ENCODING_RAW);
      this.writePixels(out, offset, rect);
      const rest = this.dirty ? subtractCovered(this.dirty, rect) : null;
      this.dirty = rest;
    }
    // A client that stops reading: its next requests wait until the socket has taken this update.
    if (!this.stream.write(out)) this.stream.pause();
  }

  private writePixels(out: Buffer, offset: number, rect: Rect): void {
    const { pixels, width } = this.options.framebuffer;
    const bytes = this.bytesPerPixel;
    const palette = this.encodedPalette;
    if (bytes === 4 && (out.byteOffset + offset) % 4 === 0) {
      // Whole pixels at a time: a full 1024×768 frame is 786,432 of them.
      const words = paletteWords(palette);
      const view = new Uint32Array(out.buffer, out.byteOffset + offset, rect.width * rect.height);
      let index = 0;
      for (let y = rect.y; y < rect.y + rect.height; y++) {
        const row = y * width;
        for (let x = rect.x; x < rect.x + rect.width; x++) view[index++] = words[pixels[row + x]!]!;
      }
      return;
    }
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      const row = y * width;
      for (let x = rect.x; x < rect.x + rect.width; x++) {
        palette.copy(out, offset, pixels[row + x]! * bytes, (pixels[row + x]! + 1) * bytes);
        offset += bytes;
      }
    }
  }
}

/** 4-byte pixels as native-order words, so that a Uint32Array write lays their bytes down unchanged. */
function paletteWords(palette: Buffer): Uint32Array {
  const words = new Uint32Array(palette.length / 4);
  for (let index = 0; index < words.length; index++) words[index] = NATIVE_LITTLE_ENDIAN ? palette.readUInt32LE(index * 4) : palette.readUInt32BE(index * 4);
  return words;
}

const NATIVE_LITTLE_ENDIAN = endianness() === "LE";

function writeRectHeader(out: Buffer, offset: number, rect: Rect, encoding: number): number {
  out.writeUInt16BE(rect.x, offset);
  out.writeUInt16BE(rect.y, offset + 2);
  out.writeUInt16BE(rect.width, offset + 4);
  out.writeUInt16BE(rect.height, offset + 6);
  out.writeInt32BE(encoding, offset + 8);
  return offset + 12;
}

/** What is left of `dirty` once `sent` went out: nothing when `sent` covers it, else `dirty` (kept whole, simply). */
function subtractCovered(dirty: Rect, sent: Rect): Rect | null {
  const covered = dirty.x >= sent.x && dirty.y >= sent.y && dirty.x + dirty.width <= sent.x + sent.width && dirty.y + dirty.height <= sent.y + sent.height;
  return covered ? null : dirty;
}
