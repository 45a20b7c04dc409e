/**
 * Relays one console: binary websocket messages from the browser to the host's console socket, and the
 * console's bytes back as binary messages. Nothing is buffered whole: when one side does not keep up, the
 * other side stops being read (the console socket is paused while the browser has more than HIGH_WATER bytes
 * waiting; the websocket is paused while the console socket's write buffer is full), so TCP flow control pushes
 * back to whoever sends too fast and memory per console stays bounded.
 */
import "server-only";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { CONSOLE_CLOSE } from "./close-codes";

/** Bytes waiting for the browser beyond which the console is not read. */
const HIGH_WATER = 1024 * 1024;
/** ...and below which it is read again. */
const LOW_WATER = 256 * 1024;

export interface RelayCounters {
  /** Console bytes sent to the browser. */
  toBrowser: number;
  /** Bytes the browser sent to the console. */
  fromBrowser: number;
}

export type RelayEnd =
  { by: "browser"; code: number } | { by: "console" } | { by: "server"; code: number; reason: string } | { by: "error"; code: number; reason: string };

/** A message the browser sent before the relay started. */
export interface EarlyMessage {
  data: Buffer;
  isBinary: boolean;
}

export interface RelayOptions {
  /** Messages received before the relay started, in order; the websocket is resumed after them. */
  earlyMessages?: EarlyMessage[];
  /** Each chunk the browser sends, before it goes to the console (idle tracking). */
  onInput?(chunk: Buffer): void;
  /** Once, when both sides are closed. */
  onEnd(end: RelayEnd, counters: RelayCounters): void;
}

export class ConsoleRelay {
  readonly counters: RelayCounters = { toBrowser: 0, fromBrowser: 0 };
  private ended: RelayEnd | null = null;

  constructor(
    private readonly websocket: WebSocket,
    private readonly upstream: Duplex,
    private readonly options: RelayOptions,
  ) {
    upstream.on("data", (chunk: Buffer) => this.toBrowser(chunk));
    upstream.on("drain", () => websocket.resume());
    upstream.once("end", () => this.finish({ by: "console" }));
    upstream.once("close", () => this.finish({ by: "console" }));
    upstream.on("error", () => this.finish({ by: "console" }));
    websocket.on("message", (data: Buffer, isBinary: boolean) => this.fromBrowser(data, isBinary));
    websocket.once("close", (code: number) => this.finish({ by: "browser", code }));
    websocket.on("error", () => websocket.terminate());
    for (const { data, isBinary } of options.earlyMessages ?? []) this.fromBrowser(data, isBinary);
    upstream.resume();
    if (!this.ended && !upstream.writableNeedDrain) websocket.resume();
  }

  /** Ends the console from the server's side (access revoked, idle, shutdown...), telling the browser why. */
  close(code: number, reason: string): void {
    this.finish({ by: "server", code, reason });
  }

  /** Whether the console is read right now (false while the browser lags behind). */
  get flowing(): boolean {
    return !this.upstream.isPaused();
  }

  private toBrowser(chunk: Buffer): void {
    if (this.ended) return;
    this.counters.toBrowser += chunk.length;
    this.websocket.send(chunk, { binary: true }, () => {
      if (!this.ended && this.upstream.isPaused() && this.websocket.bufferedAmount <= LOW_WATER) this.upstream.resume();
    });
    if (this.websocket.bufferedAmount >= HIGH_WATER) this.upstream.pause();
  }

  private fromBrowser(data: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    if (!isBinary) return this.finish({ by: "error", code: CONSOLE_CLOSE.badInput, reason: "Console messages must be binary." });
    this.counters.fromBrowser += data.length;
    this.options.onInput?.(data);
    if (!this.upstream.write(data)) this.websocket.pause();
  }

  private finish(end: RelayEnd): void {
    if (this.ended) return;
    this.ended = end;
    // Read again, or the browser's answer to the close frame would wait in a paused socket until ws's timeout.
    this.websocket.resume();
    switch (end.by) {
      case "console":
        // What the console sent before closing is still delivered: the close frame is queued after it.
        this.websocket.close(CONSOLE_CLOSE.consoleEnded, "The console closed on the host (the VM rebooted, stopped or moved).");
        break;
      case "server":
      case "error":
        this.websocket.close(end.code, end.reason);
        break;
    }
    this.upstream.destroy();
    // A browser that does not answer the close handshake is cut off after ws's own timeout (30 s).
    this.options.onEnd(end, this.counters);
  }
}
