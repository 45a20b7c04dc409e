"use client";

/**
 * The navigation's live counts: unread critical and major alerts beside "Alerts", running tasks beside "Tasks".
 * The shell renders on every page, so it stays cheap: the counts come from one small JSON request
 * (`/api/indicators`), asked when a page opens and again when the tab's live stream reports an alert or a task
 * (debounced); no page refresh. Every mounted indicator (side bar and phone drawer) shares one store.
 */
import { usePathname } from "next/navigation";
import { useEffect, useSyncExternalStore } from "react";
import { onLiveEvent } from "@/lib/ui/live/live-refresh";

export type IndicatorKind = "alerts" | "tasks";
type Counts = Record<IndicatorKind, number>;

/** Alerts and tasks arriving within this window make one request. */
const DEBOUNCE_MS = 300;

let counts: Counts = { alerts: 0, tasks: 0 };
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setTimeout> | null = null;
let stopLive: (() => void) | null = null;

function publish(next: Counts): void {
  if (next.alerts === counts.alerts && next.tasks === counts.tasks) return;
  counts = next;
  for (const listener of listeners) listener();
}

/** Requests sent, and the newest one whose answer is shown: an older answer arriving late is dropped. */
let sent = 0;
let shown = 0;

async function load(): Promise<void> {
  const request = ++sent;
  try {
    const response = await fetch("/api/indicators", { cache: "no-store" });
    if (!response.ok) return;
    const data = (await response.json()) as Partial<Counts>;
    if (request < shown) return;
    shown = request;
    publish({ alerts: Number(data.alerts) || 0, tasks: Number(data.tasks) || 0 });
  } catch {
    // Offline for a moment: the next event or page asks again.
  }
}

/** Asks for fresh counts shortly (one request for a burst of reasons). */
export function refreshIndicators(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    void load();
  }, DEBOUNCE_MS);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  stopLive ??= onLiveEvent((event) => {
    if (event.type === "changes" ? event.objects.some((object) => object.kind === "alert" || object.kind === "task") : event.type !== "ended") {
      refreshIndicators();
    }
  });
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stopLive?.();
      stopLive = null;
    }
  };
}

const NONE: Counts = { alerts: 0, tasks: 0 };
const snapshot = () => counts;
// The server renders no counts (the browser asks for them); one object, as React requires of a snapshot.
const serverSnapshot = () => NONE;

/** The count beside a navigation entry; nothing when it is zero. */
export function NavIndicator({ kind }: { kind: IndicatorKind }) {
  const current = useSyncExternalStore(subscribe, snapshot, serverSnapshot)[kind];
  const pathname = usePathname();
  // Every page opening asks again: looking at the alerts pane marks them seen.
  useEffect(() => refreshIndicators(), [pathname]);
  if (current === 0) return null;
  if (kind === "alerts") {
    return (
      <span data-testid="alerts-badge" className="ml-auto rounded-full bg-error px-1.5 text-[0.6875rem] leading-4 font-semibold text-white tabular-nums">
        {current}
        <span className="sr-only"> unread critical or major {current === 1 ? "alert" : "alerts"}</span>
      </span>
    );
  }
  return (
    <span data-testid="tasks-indicator" className="ml-auto inline-flex items-center gap-1 text-[0.6875rem] font-medium text-link tabular-nums">
      <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-accent" />
      {current}
      <span className="sr-only"> {current === 1 ? "task" : "tasks"} running</span>
    </span>
  );
}
