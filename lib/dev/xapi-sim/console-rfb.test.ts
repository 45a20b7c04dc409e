import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { encodePalette, ENCODING_QEMU_EXTENDED_KEY, RfbServerSession, SERVER_PIXEL_FORMAT, writePixelFormat } from "./console-rfb";
import { TextScreen, VGA_PALETTE } from "./console-screen";
import { Prng } from "./prng";

/** A socket whose peer reads only when told to (`release`), to play a client that stops reading. */
class HeldSocket extends Duplex {
  readonly written: Buffer[] = [];
  private held: (() => void)[] = [];
  constructor(private hold = false) {
    super({ writableHighWaterMark: 64 * 1024 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.written.push(chunk);
    if (this.hold) this.held.push(done);
    else done();
  }
  release(): void {
    this.hold = false;
    for (const done of this.held.splice(0)) done();
  }
  send(bytes: Buffer | string): void {
    this.push(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function updateRequest(incremental: boolean, width: number, height: number): Buffer {
  const message = Buffer.alloc(10);
  message[0] = 3;
  message[1] = incremental ? 1 : 0;
  message.writeUInt16BE(width, 6);
  message.writeUInt16BE(height, 8);
  return message;
}

function handshake(socket: HeldSocket): void {
  socket.send("RFB 003.008\n");
  socket.send(Buffer.from([1])); // security None
  socket.send(Buffer.from([1])); // ClientInit, shared
}

function open(socket: HeldSocket, screen = new TextScreen(720, 400), keys: number[] = []) {
  const closed: string[] = [];
  const session = new RfbServerSession(socket, {
    name: "web-01",
    framebuffer: screen,
    input: { key: (keysym, down) => down && keys.push(keysym) },
    onClose: (r) => closed.push(r),
  });
  return { session, closed, screen, keys };
}

describe("RFB server session", () => {
  it("runs the 3.8 handshake: version, security [None], result 0, ServerInit with the size, 32 bpp and the name", async () => {
    const socket = new HeldSocket();
    open(socket);
    handshake(socket);
    await settle();
    const bytes = Buffer.concat(socket.written);
    expect(bytes.subarray(0, 12).toString()).toBe("RFB 003.008\n");
    expect([...bytes.subarray(12, 14)]).toEqual([1, 1]);
    expect(bytes.readUInt32BE(14)).toBe(0);
    const init = bytes.subarray(18);
    expect([init.readUInt16BE(0), init.readUInt16BE(2), init[4], init[5], init[7]]).toEqual([720, 400, 32, 24, 1]);
    expect(init.subarray(24, 24 + init.readUInt32BE(20)).toString()).toBe("web-01");
  });

  it("answers a full request at once, holds an incremental one until the screen changes, and encodes other pixel formats", async () => {
    const socket = new HeldSocket();
    const { screen } = open(socket);
    handshake(socket);
    socket.send(updateRequest(false, 720, 400));
    await settle();
    const full = socket.written.at(-1)!;
    expect(full.length).toBe(4 + 12 + 720 * 400 * 4);

    socket.send(updateRequest(true, 720, 400));
    await settle();
    const before = socket.written.length;
    screen.write("x");
    const change = socket.written.at(-1)!;
    expect(socket.written.length).toBe(before + 1);
    expect(change.readUInt16BE(2)).toBe(1);
    expect(change.readUInt16BE(8)).toBe(8 * 2); // the cell written and the cursor's next one

    // 16 bits per pixel, big-endian, RGB 565.
    const setPixelFormat = Buffer.alloc(20);
    writePixelFormat(
      {
        ...SERVER_PIXEL_FORMAT,
        bitsPerPixel: 16,
        depth: 16,
        bigEndian: true,
        redMax: 31,
        greenMax: 63,
        blueMax: 31,
        redShift: 11,
        greenShift: 5,
        blueShift: 0,
      },
      setPixelFormat,
      4,
    );
    socket.send(setPixelFormat);
    socket.send(updateRequest(false, 2, 1));
    await settle();
    expect(socket.written.at(-1)!.length).toBe(4 + 12 + 2 * 2);
    expect(encodePalette(VGA_PALETTE, { ...SERVER_PIXEL_FORMAT, trueColour: false })).toBeNull();
  });

  it("acknowledges QEMU extended key events before taking them, and passes key events on", async () => {
    const socket = new HeldSocket();
    const { keys } = open(socket);
    handshake(socket);
    const encodings = Buffer.alloc(12);
    encodings[0] = 2;
    encodings.writeUInt16BE(2, 2);
    encodings.writeInt32BE(0, 4);
    encodings.writeInt32BE(ENCODING_QEMU_EXTENDED_KEY, 8);
    socket.send(encodings);
    socket.send(updateRequest(true, 720, 400));
    await settle();
    const ack = socket.written.at(-1)!;
    expect(ack.readUInt16BE(2)).toBe(1);
    expect(ack.readInt32BE(4 + 8)).toBe(ENCODING_QEMU_EXTENDED_KEY);
    const extended = Buffer.alloc(12);
    extended[0] = 255;
    extended.writeUInt16BE(1, 2);
    extended.writeUInt32BE(0x61, 4);
    extended.writeUInt32BE(0x1e, 8);
    const plain = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x62]);
    socket.send(Buffer.concat([extended, plain]));
    await settle();
    expect(keys).toEqual([0x61, 0x62]);
  });

  it("stops reading a client's requests while it does not read the updates, and resumes when it drains", async () => {
    const socket = new HeldSocket(true);
    const { session } = open(socket);
    handshake(socket);
    socket.send(Buffer.concat(Array.from({ length: 20 }, () => updateRequest(false, 720, 400))));
    await settle();
    // One frame (1.1 MB) fills the socket: the 19 other requests wait unread.
    const frame = 4 + 12 + 720 * 400 * 4;
    expect(socket.writableLength).toBeGreaterThanOrEqual(frame);
    expect(socket.writableLength).toBeLessThan(2 * frame);
    expect(socket.isPaused()).toBe(true);
    socket.release();
    await settle();
    expect(socket.written.filter((chunk) => chunk.length > 1_000_000)).toHaveLength(20);
    expect(session.closed).toBe(false);
  });

  it("ends the session on hostile input, never throws (seeded fuzz)", async () => {
    const prng = new Prng(13);
    for (let run = 0; run < 200; run++) {
      const socket = new HeldSocket();
      const { session } = open(socket);
      if (run % 2 === 0) handshake(socket);
      const garbage = Buffer.from(Array.from({ length: prng.int(1, 300) }, () => prng.int(0, 255)));
      socket.send(garbage);
      await settle();
      expect(typeof session.closed).toBe("boolean");
    }
    const wrongVersion = new HeldSocket();
    const { closed } = open(wrongVersion);
    wrongVersion.send("GET / HTTP/1.1\r\n");
    await settle();
    expect(closed).toEqual(["not an RFB client"]);
  });
});

describe("text screen", () => {
  it("renders vt100 text into cells and pixels, with colours, scrolling and escapes", () => {
    const screen = new TextScreen(720, 400);
    expect([screen.cols, screen.rows]).toEqual([90, 25]);
    screen.write("\x1b[32mOK\x1b[0m login: root\b\b\b\bx");
    expect(screen.lines()[0]).toBe("OK login: xoot");
    const inkOf = (col: number) => new Set(Array.from({ length: 16 * 8 }, (_, i) => screen.pixels[Math.floor(i / 8) * 720 + col * 8 + (i % 8)]));
    expect(inkOf(0)).toEqual(new Set([0, 2]));
    for (let line = 0; line < 30; line++) screen.write(`line ${line}\n`);
    expect(screen.lines()[23]).toBe("line 29");
    screen.write("\x1b[2J\x1b[H\x1b[1;2;3Zdone\x1b");
    expect(screen.lines()[0]).toBe("done");
  });
});
