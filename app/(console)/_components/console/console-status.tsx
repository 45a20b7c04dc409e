"use client";

/** The console's connection state in words (a live region), with the way on when it stopped. */
import Link from "next/link";
import { Badge } from "@/lib/ui/badge";
import { Button } from "@/lib/ui/button";
import type { ConsoleState } from "./use-console-connection";

export function ConsoleStatus({ state, onReconnect }: { state: ConsoleState; onReconnect: () => void }) {
  return (
    <div className="flex min-h-8 flex-wrap items-center gap-2 text-sm" role="status" aria-live="polite" data-console-state={state.kind}>
      {state.kind === "connected" && (
        <Badge tone="ok" dot>
          Connected
        </Badge>
      )}
      {state.kind === "connecting" && (
        <Badge tone="info" dot>
          Connecting…
        </Badge>
      )}
      {state.kind === "retrying" && (
        <>
          <Badge tone="warn" dot>
            Reconnecting
          </Badge>
          <span className="text-muted">{state.message}</span>
        </>
      )}
      {state.kind === "halted" && (
        <>
          <Badge tone="neutral">No console</Badge>
          <span className="text-muted">The VM is not running. Its console appears here when it starts.</span>
        </>
      )}
      {state.kind === "closed" && (
        <>
          <Badge tone="error">Disconnected</Badge>
          <span>{state.message}</span>
          {state.signIn ? (
            <Link href="/login" className="text-link hover:underline">
              Sign in
            </Link>
          ) : (
            state.canReconnect && (
              <Button size="sm" onClick={onReconnect}>
                Reconnect
              </Button>
            )
          )}
        </>
      )}
    </div>
  );
}
