/**
 * Console clients for tests and benchmarks: the two ways XAPI serves a console (an HTTP CONNECT tunnel, a
 * websocket), and the `rfb2` npm package (a third-party RFB client, used unmodified) driven over either.
 */
import { once } from "node:events";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createRequire } from "node:module";
import WebSocket, { createWebSocketStream } from "ws";

const require = createRequire(import.meta.url);
const rfb2 = require("rfb2") as { createConnection(options: Record<string, unknown>): Rfb2Client };

/** The parts of rfb2's client the tests use (its own typings declare fewer). */
export interface Rfb2Client {
  width: number;
  height: number;
  title: string;
  bpp: number;
  on(event: "connect" | "end" | "close", listener: () => void): this;
  on(event: "error", listener: (error: unknown) => void): this;
  on(event: "rect", listener: (rect: Rfb2Rect) => void): this;
  on(event: "resize", listener: (rect: { width: number; height: number }) => void): this;
  once(event: string, listener: (...args: unknown[]) => void): this;
  off(event: string, listener: (...args: unknown[]) => void): this;
  requestUpdate(incremental: boolean, x: number, y: number, width: number, height: number): void;
  keyEvent(keysym: number, down: number): void;
  pointerEvent(x: number, y: number, buttons: number): void;
  end(): void;
  stream: Duplex;
}

export interface Rfb2Rect {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: number;
  buffer?: Buffer;
}

/** A console HTTP request refused: the status line's code. */
export class ConsoleHttpError extends Error {
  constructor(readonly status: number) {
    super(`console answered HTTP ${status}`);
  }
}

/** `CONNECT <location path>` with the session in a cookie; resolves with the tunnel once the host answered 200. */
export function connectTunnel(location: string, sessionId: string | null): Promise<Socket> {
  const url = new URL(location);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send({
      host: url.hostname,
      port: url.port,
      method: "CONNECT",
      path: `${url.pathname}${url.search}`,
      headers: sessionId ? { Cookie: `session_id=${sessionId}` } : {},
      rejectUnauthorized: false,
      agent: false,
    });
    request.on("connect", (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        return reject(new ConsoleHttpError(response.statusCode ?? 0));
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    // A refusal that is not a tunnel answer (e.g. with a body) arrives as an ordinary response.
    request.on("response", (response) => {
      response.resume();
      reject(new ConsoleHttpError(response.statusCode ?? 0));
    });
    request.on("error", reject);
    request.end();
  });
}

/** An open websocket, and the same as a byte stream (attached before it opened: no early message is lost). */
export interface OpenWebSocket {
  websocket: WebSocket;
  stream: Duplex;
}

/**
 * Opens a websocket (offering `binary`, as XAPI needs); resolves once open, rejects with the HTTP status when the
 * upgrade is refused.
 */
export function openWebSocket(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<OpenWebSocket> {
  return new Promise((resolve, reject) => {
    const websocket = new WebSocket(url, options.protocols ?? ["binary"], { headers: options.headers, rejectUnauthorized: false, perMessageDeflate: false });
    // A server may send its first bytes with the upgrade answer: the stream must listen from the start.
    const stream = createWebSocketStream(websocket);
    stream.on("error", () => {});
    websocket.once("open", () => resolve({ websocket, stream }));
    websocket.once("unexpected-response", (_request, response) => {
      response.resume();
      reject(new ConsoleHttpError(response.statusCode ?? 0));
      websocket.terminate();
    });
    websocket.once("error", reject);
  });
}

export interface RfbSession {
  client: Rfb2Client;
  width: number;
  height: number;
  title: string;
  /** Resolves when the connection ends (the server closed it, or `close()`). */
  ended: Promise<void>;
  /** Waits for the next framebuffer rectangle that carries pixels. */
  nextRect(): Promise<Rfb2Rect>;
  /** Types text as key presses and releases (Enter for "\n"). */
  type(text: string): void;
  close(): void;
}

/** Runs rfb2's handshake over `stream` (security None) and resolves once ServerInit is read. */
export async function rfbSession(stream: Duplex): Promise<RfbSession> {
  const client = rfb2.createConnection({ stream, security: [1] });
  const ended = new Promise<void>((resolve) => {
    stream.once("close", () => resolve());
    stream.once("end", () => resolve());
  });
  const rects: Rfb2Rect[] = [];
  const waiters: ((rect: Rfb2Rect) => void)[] = [];
  client.on("rect", (rect) => {
    if (!rect.buffer) return;
    const waiter = waiters.shift();
    if (waiter) waiter(rect);
    else rects.push(rect);
  });
  const failed = new Promise<never>((_, reject) => client.once("error", (error) => reject(error instanceof Error ? error : new Error(String(error)))));
  await Promise.race([once(client as never, "connect"), failed, ended.then(() => Promise.reject(new Error("the console closed during the handshake")))]);
  return {
    client,
    width: client.width,
    height: client.height,
    title: client.title,
    ended,
    nextRect: () => {
      const queued = rects.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
    type(text: string) {
      for (const char of text) {
        const keysym = char === "\n" ? 0xff0d : char.charCodeAt(0);
        client.keyEvent(keysym, 1);
        client.keyEvent(keysym, 0);
      }
    },
    close: () => stream.destroy(),
  };
}

/** True when a rectangle of 32-bit pixels has at least two colours (something is drawn, not a blank screen). */
export function hasDrawing(rect: Rfb2Rect): boolean {
  const buffer = rect.buffer;
  if (!buffer || buffer.length < 8) return false;
  const first = buffer.readUInt32LE(0);
  for (let offset = 4; offset + 4 <= buffer.length; offset += 4) if (buffer.readUInt32LE(offset) !== first) return true;
  return false;
}
