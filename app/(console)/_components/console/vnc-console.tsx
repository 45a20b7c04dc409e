"use client";

/**
 * A VM's graphical console in the page: noVNC drawing the RFB stream of XenDeck's console websocket (same
 * origin, `binary` subprotocol). Around it: the connection state in words, scale to fit, full screen, a pop-out
 * window, Ctrl+Alt+Del, the guest's keyboard layout and "send text" (typed as keystrokes on that layout). It
 * reconnects by itself while the VM reboots (use-console-connection.ts).
 */
import type RFB from "@novnc/novnc";
import { useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/lib/ui/button";
import { cx } from "@/lib/ui/classes";
import { defaultLayout, KEYBOARD_LAYOUTS, KEYSYM_ALTGR, KEYSYM_SHIFT, keystrokesFor, type KeyboardLayout } from "@/lib/consoles/keyboard-layouts";
import { ConsoleStatus } from "./console-status";
import { SendTextPanel } from "./send-text-panel";
import { consoleSocketUrl, useConsoleConnection, type ConnectionEvents } from "./use-console-connection";

const LAYOUT_KEY = "xendeck-console-layout";
const SCALE_KEY = "xendeck-console-scale";

export interface VncConsoleProps {
  /** The uuid the console endpoint takes. */
  vmUuid: string;
  vmName: string;
  running: boolean;
  /** Where the pop-out window points; absent in the pop-out itself. */
  popoutHref?: string;
  /** The pop-out fills its window. */
  fill?: boolean;
}

/** The widget renders in the browser only (console-widgets.tsx), so it may read local storage at once. */
function storedLayout(): KeyboardLayout {
  const stored = window.localStorage.getItem(LAYOUT_KEY);
  return stored && stored in KEYBOARD_LAYOUTS ? (stored as KeyboardLayout) : defaultLayout(navigator.language);
}

export function VncConsole({ vmUuid, vmName, running, popoutHref, fill = false }: VncConsoleProps) {
  const frameRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [scale, setScale] = useState(() => window.localStorage.getItem(SCALE_KEY) !== "0");
  const [layout, setLayout] = useState<KeyboardLayout>(storedLayout);
  const [sendTextOpen, setSendTextOpen] = useState(false);
  const scaleRef = useRef(scale);

  const open = useCallback(
    (events: ConnectionEvents) => {
      let rfb: RFB | null = null;
      let socket: WebSocket | null = null;
      let cancelled = false;
      void import("@novnc/novnc").then(({ default: Rfb }) => {
        if (cancelled || !screenRef.current) return;
        // The socket is ours (not noVNC's) to read the close code and reason the server explains itself with.
        // It is handed to noVNC in the same task: the server speaks first, and no message may go unheard.
        const channel = new WebSocket(consoleSocketUrl(vmUuid, "rfb"), ["binary"]);
        channel.binaryType = "arraybuffer";
        socket = channel;
        let closeCode = 1006;
        let closeReason = "";
        channel.addEventListener("close", (event) => {
          closeCode = event.code;
          closeReason = event.reason;
        });
        const client = new Rfb(screenRef.current, channel, { shared: true });
        rfb = client;
        client.scaleViewport = scaleRef.current;
        client.background = "rgb(16, 16, 16)";
        client.focusOnClick = true;
        client.addEventListener("connect", () => {
          rfbRef.current = client;
          events.opened();
          client.focus({ preventScroll: true });
        });
        // noVNC reports the end after the socket's close event: the code is known by then.
        client.addEventListener("disconnect", () => {
          if (rfbRef.current === client) rfbRef.current = null;
          events.closed(closeCode, closeReason);
        });
      });
      return () => {
        cancelled = true;
        if (rfb && rfbRef.current === rfb) rfbRef.current = null;
        if (rfb) rfb.disconnect();
        else socket?.close();
      };
    },
    [vmUuid],
  );
  const { state, reconnect } = useConsoleConnection(running, open);

  useEffect(() => {
    scaleRef.current = scale;
    if (rfbRef.current) rfbRef.current.scaleViewport = scale;
    window.localStorage.setItem(SCALE_KEY, scale ? "1" : "0");
  }, [scale]);
  useEffect(() => window.localStorage.setItem(LAYOUT_KEY, layout), [layout]);

  const connected = state.kind === "connected";
  const typeText = (text: string) => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    for (const stroke of keystrokesFor(text, layout)) {
      if (stroke.shift) rfb.sendKey(KEYSYM_SHIFT, "ShiftLeft", true);
      if (stroke.altGr) rfb.sendKey(KEYSYM_ALTGR, "AltRight", true);
      rfb.sendKey(stroke.keysym, stroke.code || null);
      if (stroke.altGr) rfb.sendKey(KEYSYM_ALTGR, "AltRight", false);
      if (stroke.shift) rfb.sendKey(KEYSYM_SHIFT, "ShiftLeft", false);
    }
    rfb.focus({ preventScroll: true });
  };

  return (
    <div ref={frameRef} className={cx("flex flex-col gap-2 bg-canvas", fill && "h-full p-2")} data-testid="vm-console">
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Console controls">
        <ConsoleStatus state={state} onReconnect={reconnect} />
        <span className="grow" />
        <Button size="sm" variant="ghost" aria-pressed={scale} onClick={() => setScale((value) => !value)}>
          Scale to fit
        </Button>
        <Button size="sm" variant="ghost" onClick={() => void frameRef.current?.requestFullscreen?.()}>
          Full screen
        </Button>
        {popoutHref && (
          <Button size="sm" variant="ghost" onClick={() => window.open(popoutHref, `xendeck-console-${vmUuid}`, "popup,width=1100,height=860")}>
            Pop out
          </Button>
        )}
        <Button size="sm" disabledReason={connected ? undefined : "The console is not connected"} onClick={() => rfbRef.current?.sendCtrlAltDel()}>
          Ctrl+Alt+Del
        </Button>
        <Button
          size="sm"
          aria-expanded={sendTextOpen}
          aria-controls="console-send-text"
          disabledReason={connected ? undefined : "The console is not connected"}
          onClick={() => setSendTextOpen((value) => !value)}
        >
          Send text…
        </Button>
        <label className="flex items-center gap-1 text-sm text-muted">
          Guest keyboard
          <select
            className="h-8 rounded border border-line bg-surface px-2 text-sm text-fg"
            value={layout}
            onChange={(event) => setLayout(event.target.value as KeyboardLayout)}
          >
            {(Object.entries(KEYBOARD_LAYOUTS) as [KeyboardLayout, string][]).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {sendTextOpen && connected && <SendTextPanel id="console-send-text" onSend={typeText} onClose={() => setSendTextOpen(false)} />}
      <div
        ref={screenRef}
        role="application"
        aria-label={`Console of ${vmName}`}
        className={cx("relative overflow-hidden rounded border border-line bg-black", fill ? "min-h-0 grow" : "h-[70vh] min-h-80")}
      />
    </div>
  );
}
