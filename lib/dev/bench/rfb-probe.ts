/**
 * A bare RFB client for the console benchmark: the handshake, then timed requests. It reads exactly the bytes
 * each answer has, so that a round trip ends when its last byte arrives (a general client like rfb2 adds its own
 * decoding work to what is measured).
 */
import type { Duplex } from "node:stream";

/** Reads exact byte counts from a stream. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiting: { size: number; resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | null = null;
  private ended: Error | null = null;

  constructor(stream: Duplex) {
    stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.serve();
    });
    const end = () => {
      this.ended ??= new Error("the console closed");
      this.waiting?.reject(this.ended);
      this.waiting = null;
    };
    stream.on("close", end);
    stream.on("end", end);
    stream.on("error", end);
  }

  read(size: number): Promise<Buffer> {
    if (this.ended && this.length < size) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiting = { size, resolve, reject };
      this.serve();
    });
  }

  private serve(): void {
    if (!this.waiting || this.length < this.waiting.size) return;
    const whole = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const { size, resolve } = this.waiting;
    this.waiting = null;
    const rest = whole.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    resolve(whole.subarray(0, size));
  }
}

export class RfbProbe {
  width = 0;
  height = 0;
  private readonly reader: ByteReader;

  constructor(private readonly stream: Duplex) {
    this.reader = new ByteReader(stream);
  }

  /** Version 3.8, security None, shared ClientInit; reads ServerInit. */
  async handshake(): Promise<void> {
    const version = await this.reader.read(12);
    if (!version.toString("latin1").startsWith("RFB 003.")) throw new Error("not an RFB server");
    this.stream.write("RFB 003.008\n");
    const count = (await this.reader.read(1))[0]!;
    const types = await this.reader.read(count);
    if (!types.includes(1)) throw new Error("the server does not offer security None");
    this.stream.write(Buffer.from([1]));
    if ((await this.reader.read(4)).readUInt32BE(0) !== 0) throw new Error("security failed");
    this.stream.write(Buffer.from([1]));
    const init = await this.reader.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    await this.reader.read(init.readUInt32BE(20));
  }

  /** One full (non-incremental) update of a rectangle, Raw at 32 bpp: returns the bytes received. */
  async update(x: number, y: number, width: number, height: number): Promise<number> {
    const request = Buffer.alloc(10);
    request[0] = 3;
    request.writeUInt16BE(x, 2);
    request.writeUInt16BE(y, 4);
    request.writeUInt16BE(width, 6);
    request.writeUInt16BE(height, 8);
    this.stream.write(request);
    const head = await this.reader.read(4);
    let bytes = 4;
    for (let rect = head.readUInt16BE(2); rect > 0; rect--) {
      const header = await this.reader.read(12);
      const pixels = header.readInt32BE(8) === 0 ? header.readUInt16BE(4) * header.readUInt16BE(6) * 4 : 0;
      if (pixels > 0) await this.reader.read(pixels);
      bytes += 12 + pixels;
    }
    return bytes;
  }

  close(): void {
    this.stream.destroy();
  }
}
