"use client";

/**
 * The life of a console connection in the page, whatever draws it (noVNC, xterm.js): connect while the VM
 * runs, reconnect by itself when the console closed for a reason that passes (the VM rebooted, the connection
 * dropped), with a growing delay, and stop with the server's reason when it does not (access revoked, session
 * over). The page re-renders with the VM's power state (live updates): a halted VM is not retried until it runs.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { closeOutcome } from "@/lib/consoles/close-codes";

export type ConsoleState =
  | { kind: "connecting" }
  | { kind: "connected" }
  | { kind: "retrying"; message: string; inSeconds: number }
  | { kind: "halted" }
  | { kind: "closed"; message: string; canReconnect: boolean; signIn: boolean };

/** What a connection reports back; `open` returns how to close it. */
export interface ConnectionEvents {
  opened(): void;
  closed(code: number, reason: string): void;
}

/** Delays between automatic attempts (ms); the last one repeats until MAX_ATTEMPTS. */
const RETRY_DELAYS = [500, 1_000, 2_000, 4_000, 8_000];
/** About two minutes of trying: a reboot takes less; longer, the user decides. */
const MAX_ATTEMPTS = 20;

/** The websocket URL of a console on this same origin (the Content-Security-Policy allows no other). */
export function consoleSocketUrl(vmUuid: string, protocol: "rfb" | "vt100"): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/api/consoles/${encodeURIComponent(vmUuid)}${protocol === "vt100" ? "?protocol=vt100" : ""}`;
}

export function useConsoleConnection(running: boolean, open: (events: ConnectionEvents) => () => void): { state: ConsoleState; reconnect: () => void } {
  // A new generation starts a new connection (the effect below re-runs); the old one is closed first.
  const [generation, setGeneration] = useState(0);
  const [stopped, setStopped] = useState(false);
  // What the current connection reported, tagged with the connection it belongs to: a report about an older
  // one is stale, and a connection that reported nothing yet is "connecting".
  const [report, setReport] = useState<{ key: string; state: ConsoleState } | null>(null);
  const attempts = useRef(0);
  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  }, [open]);
  const key = `${generation}/${running}`;

  useEffect(() => {
    if (!running || stopped) return;
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const close = openRef.current({
      opened() {
        if (!active) return;
        attempts.current = 0;
        setReport({ key, state: { kind: "connected" } });
      },
      closed(code, reason) {
        if (!active) return;
        active = false;
        const outcome = closeOutcome(code, reason);
        if (outcome.reconnect === "auto" && attempts.current < MAX_ATTEMPTS) {
          const delay = RETRY_DELAYS[Math.min(attempts.current, RETRY_DELAYS.length - 1)]!;
          attempts.current++;
          setReport({ key, state: { kind: "retrying", message: outcome.message, inSeconds: Math.ceil(delay / 1000) } });
          timer = setTimeout(() => setGeneration((value) => value + 1), delay);
          return;
        }
        setStopped(true);
        setReport({
          key,
          state: {
            kind: "closed",
            message: outcome.reconnect === "auto" ? "The console could not be reopened." : outcome.message,
            canReconnect: outcome.reconnect !== "never",
            signIn: outcome.signIn ?? false,
          },
        });
      },
    });
    return () => {
      active = false;
      clearTimeout(timer);
      close();
    };
  }, [running, stopped, generation, key]);

  const reconnect = useCallback(() => {
    attempts.current = 0;
    setStopped(false);
    setGeneration((value) => value + 1);
  }, []);

  let state: ConsoleState;
  if (report?.key === key && (report.state.kind === "closed" || running)) state = report.state;
  // While the VM does not run there is no console to connect to: say so instead of retrying.
  else if (!running) state = { kind: "halted" };
  else state = { kind: "connecting" };
  return { state, reconnect };
}
