/**
 * A vt100 (text) console session, as XAPI serves a control domain's text console: raw terminal bytes both ways.
 * On attach the client gets the end of what the console printed so far (a terminal attaching to a tty finds its
 * screen), then everything printed, with "\n" as "\r\n". Bytes typed are passed to the guest as characters;
 * terminal escape sequences (arrow keys...) are dropped. A client that does not read is disconnected once a
 * bounded amount of output waits for it, instead of being buffered for without limit.
 */
import type { Duplex } from "node:stream";
import type { SimGuest } from "./console-guest";

/** Output waiting for a client that does not read, beyond which it is disconnected. */
const MAX_UNREAD_OUTPUT = 1024 * 1024;
/** How much of the earlier output a new client receives. */
const REPLAY_CHARS = 2048;

export class Vt100Session {
  private readonly detach: () => void;
  private closed = false;
  private escape = false;

  constructor(
    private readonly stream: Duplex,
    private readonly guest: SimGuest,
    private readonly onClose?: (reason: string) => void,
  ) {
    this.detach = guest.attach((text) => this.send(text));
    stream.on("data", (chunk: Buffer) => this.receive(chunk));
    stream.on("error", () => this.close("connection error"));
    stream.on("close", () => this.close("connection closed"));
    stream.on("end", () => this.close("client hung up"));
    this.send(guest.recentOutput().slice(-REPLAY_CHARS));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.stream.destroy();
    this.onClose?.(reason);
  }

  private send(text: string): void {
    if (this.closed || text === "") return;
    if (this.stream.writableLength > MAX_UNREAD_OUTPUT) return this.close("the client does not read");
    this.stream.write(text.replace(/\r?\n/g, "\r\n"));
  }

  private receive(chunk: Buffer): void {
    let typed = "";
    for (const char of chunk.toString("utf8")) {
      if (this.escape) {
        // CSI sequences end with a letter or "~"; a lone ESC followed by another key ends there.
        if (/[A-Za-z~]/.test(char)) this.escape = false;
        continue;
      }
      if (char === "\x1b") {
        this.escape = true;
        continue;
      }
      typed += char;
    }
    if (typed) this.guest.type(typed);
  }
}
