"use client";

/**
 * Keeps a server-rendered page current: listens to the user's live stream (`/api/live`) and refreshes the page
 * (`router.refresh()`, which re-renders the server components and keeps client state) shortly after a relevant
 * change. `watch` limits "relevant" to changes of these uuids (a VM page watches its VM and host); without it,
 * every change the user may see counts (lists, dashboard). Pool status changes always count.
 *
 * One EventSource per browser tab, shared by every mounted LiveRefresh and kept for a few seconds after the
 * last one unmounts: refreshes and navigations re-mount pages, and a new connection each time could miss the
 * changes made meanwhile.
 */
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Changes arriving within this window make one refresh. */
const DEBOUNCE_MS = 150;
/** How long the stream stays open without subscribers (a navigation re-subscribes within this). */
const LINGER_MS = 5_000;

type LiveEvent = { type: "changes"; objects: { uuid: string; related?: string[] }[] } | { type: "status" | "resync" | "pools" } | { type: "ended" };
type Listener = (event: LiveEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let lingerTimer: ReturnType<typeof setTimeout> | null = null;

function emit(event: LiveEvent): void {
  for (const listener of listeners) listener(event);
}

function open(): void {
  const stream = new EventSource("/api/live");
  source = stream;
  stream.addEventListener("changes", (event: MessageEvent<string>) => {
    try {
      const message = JSON.parse(event.data) as { objects?: { uuid: string; related?: string[] }[] };
      emit({ type: "changes", objects: message.objects ?? [] });
    } catch {
      // not ours
    }
  });
  for (const type of ["status", "resync", "pools"] as const) stream.addEventListener(type, () => emit({ type }));
  // The session ended (account disabled, signed out elsewhere): a refresh lets the server send us to login.
  const ended = () => {
    stream.close();
    if (source === stream) source = null;
    emit({ type: "ended" });
  };
  stream.addEventListener("end", ended);
  stream.onerror = () => {
    // The browser reconnects by itself, except after a refusal (401 once signed out).
    if (stream.readyState === EventSource.CLOSED) ended();
  };
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (lingerTimer) clearTimeout(lingerTimer);
  lingerTimer = null;
  if (!source) open();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    lingerTimer = setTimeout(() => {
      lingerTimer = null;
      if (listeners.size === 0) {
        source?.close();
        source = null;
      }
    }, LINGER_MS);
  };
}

/** One refresh for a burst of changes; kept outside components so that a re-mount cannot drop it. */
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

function scheduleRefresh(refresh: () => void): void {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refresh();
  }, DEBOUNCE_MS);
}

export function LiveRefresh({ watch }: { watch?: readonly string[] }) {
  const router = useRouter();
  const watchKey = watch ? watch.join(",") : null;

  useEffect(() => {
    const watched = watchKey === null ? null : new Set(watchKey.split(",").filter(Boolean));
    const refresh = () => scheduleRefresh(() => router.refresh());
    return subscribe((event) => {
      if (event.type !== "changes" || !watched) return refresh();
      if (event.objects.some((o) => watched.has(o.uuid) || o.related?.some((uuid) => watched.has(uuid)))) refresh();
    });
  }, [router, watchKey]);

  return null;
}
