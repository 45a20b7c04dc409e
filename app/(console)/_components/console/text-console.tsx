"use client";

/**
 * A text (vt100) console in the page, as a host's control domain has: xterm.js showing the bytes of XenDeck's
 * console websocket, and sending what is typed. Same connection life as the graphical console.
 */
import "@xterm/xterm/css/xterm.css";
import type { Terminal } from "@xterm/xterm";
import { useCallback, useRef } from "react";
import { ConsoleStatus } from "./console-status";
import { consoleSocketUrl, useConsoleConnection, type ConnectionEvents } from "./use-console-connection";

const encoder = new TextEncoder();

export function TextConsole({ vmUuid, label, running }: { vmUuid: string; label: string; running: boolean }) {
  const screenRef = useRef<HTMLDivElement>(null);
  const open = useCallback(
    (events: ConnectionEvents) => {
      let terminal: Terminal | null = null;
      let cancelled = false;
      const socket = new WebSocket(consoleSocketUrl(vmUuid, "vt100"), ["binary"]);
      socket.binaryType = "arraybuffer";
      const pending: Uint8Array[] = [];
      socket.addEventListener("message", (event: MessageEvent<ArrayBuffer>) => {
        const bytes = new Uint8Array(event.data);
        if (terminal) terminal.write(bytes);
        else pending.push(bytes);
      });
      socket.addEventListener("open", () => events.opened());
      socket.addEventListener("close", (event) => events.closed(event.code, event.reason));
      void import("@xterm/xterm").then(({ Terminal: XTerm }) => {
        if (cancelled || !screenRef.current) return;
        terminal = new XTerm({ cols: 100, rows: 30, convertEol: false, cursorBlink: true, fontSize: 14 });
        terminal.open(screenRef.current);
        for (const bytes of pending.splice(0)) terminal.write(bytes);
        terminal.onData((data) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
        });
        terminal.focus();
      });
      return () => {
        cancelled = true;
        socket.close();
        terminal?.dispose();
      };
    },
    [vmUuid],
  );
  const { state, reconnect } = useConsoleConnection(running, open);

  return (
    <div className="flex flex-col gap-2" data-testid="text-console">
      <ConsoleStatus state={state} onReconnect={reconnect} />
      <div ref={screenRef} role="application" aria-label={label} className="overflow-auto rounded border border-line bg-black p-2" />
    </div>
  );
}
