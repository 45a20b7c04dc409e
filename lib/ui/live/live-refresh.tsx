"use client";

/**
 * Keeps a server-rendered page current: listens to the user's live stream (`/api/live`) and refreshes the page
 * (`router.refresh()`, which re-renders the server components and keeps client state) shortly after a relevant
 * change. `watch` limits "relevant" to changes of these uuids (a VM page watches its VM and host); without it,
 * every change the user may see counts (lists, dashboard). Pool status changes always count.
 *
 * One EventSource per browser tab, shared by every mounted LiveRefresh and kept for a few seconds after the
 * last one unmounts. Nothing falls between a page's rendering and its subscription: recent events are kept
 * and replayed to a page rendered before them (`renderedAt`, server time), and a new stream's first frame
 * gives the pools' states, which a page compares with those it rendered (`pools`).
 */
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Changes arriving within this window make one refresh. */
const DEBOUNCE_MS = 150;
/** How long the stream stays open without subscribers (a navigation re-subscribes within this). */
const LINGER_MS = 5_000;
/** How long events are kept for pages that subscribe late. */
const REPLAY_MS = 15_000;

type PoolState = string;
export type LiveEvent =
  | { type: "changes"; at: number; objects: { kind?: string; uuid: string; related?: string[] }[] }
  | { type: "status" | "resync" | "pools"; at: number }
  | { type: "ready"; at: number }
  | { type: "ended"; at: number };
type Listener = (event: LiveEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let lingerTimer: ReturnType<typeof setTimeout> | null = null;
/** Recent events (newest last), for pages rendered before them. */
const recent: LiveEvent[] = [];
/** The pools' states as the stream last told them. */
const poolStates = new Map<string, PoolState>();

function emit(event: LiveEvent): void {
  if (event.type !== "ready" && event.type !== "ended") {
    recent.push(event);
    const horizon = event.at - REPLAY_MS;
    while (recent.length > 0 && recent[0]!.at < horizon) recent.shift();
  }
  for (const listener of listeners) listener(event);
}

function parse(event: MessageEvent<string>): Record<string, unknown> | null {
  try {
    return JSON.parse(event.data) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function open(): void {
  const stream = new EventSource("/api/live");
  source = stream;
  stream.addEventListener("ready", (event: MessageEvent<string>) => {
    const data = parse(event);
    if (!data) return;
    poolStates.clear();
    for (const [id, state] of Object.entries((data.pools as Record<string, PoolState> | undefined) ?? {})) poolStates.set(id, state);
    emit({ type: "ready", at: Number(data.at) || 0 });
  });
  stream.addEventListener("changes", (event: MessageEvent<string>) => {
    const data = parse(event);
    if (data)
      emit({ type: "changes", at: Number(data.at) || 0, objects: (data.objects as { kind?: string; uuid: string; related?: string[] }[] | undefined) ?? [] });
  });
  stream.addEventListener("status", (event: MessageEvent<string>) => {
    const data = parse(event);
    if (!data) return;
    if (typeof data.pool === "string" && typeof data.state === "string") poolStates.set(data.pool, data.state);
    emit({ type: "status", at: Number(data.at) || 0 });
  });
  for (const type of ["resync", "pools"] as const) {
    stream.addEventListener(type, (event: MessageEvent<string>) => emit({ type, at: Number(parse(event)?.at) || 0 }));
  }
  // The session ended (account disabled, signed out elsewhere): a refresh lets the server send us to login.
  const ended = () => {
    stream.close();
    if (source === stream) source = null;
    emit({ type: "ended", at: 0 });
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

/**
 * Listens to the tab's live stream without refreshing the page (the shell's indicators): opens the shared stream
 * if needed; returns the function that stops listening.
 */
export function onLiveEvent(listener: Listener): () => void {
  return subscribe(listener);
}

/** One refresh for a burst of changes; kept outside components so that a re-mount cannot drop it. */
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
/**
 * Set from a refresh until its render arrives. Changes meanwhile ask for nothing: the new render compares them
 * with its own time and refreshes once more only for those it missed. (Refreshing again at once would render
 * twice: Next queues refreshes behind a running server action and then fetches each of them.)
 */
let awaitingRender: ReturnType<typeof setTimeout> | null = null;
/** Gives up waiting for a render that never comes (the page was left, the request failed). */
const RENDER_WAIT_MS = 10_000;

function scheduleRefresh(refresh: () => void): void {
  if (refreshTimer || awaitingRender) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    awaitingRender = setTimeout(() => (awaitingRender = null), RENDER_WAIT_MS);
    refresh();
  }, DEBOUNCE_MS);
}

/** A render reached the page (a LiveRefresh was mounted or given a new render time). */
function renderArrived(): void {
  if (awaitingRender) clearTimeout(awaitingRender);
  awaitingRender = null;
}

export function LiveRefresh({
  watch,
  renderedAt,
  pools,
}: {
  watch?: readonly string[];
  /** Server time (ms) the page was rendered at. */
  renderedAt: number;
  /** The pools whose objects the page shows, with the state it showed them in. */
  pools: Readonly<Record<string, string>>;
}) {
  const router = useRouter();
  const watchKey = watch ? watch.join(",") : null;
  const poolsKey = JSON.stringify(pools);

  useEffect(() => {
    const watched = watchKey === null ? null : new Set(watchKey.split(",").filter(Boolean));
    const rendered = JSON.parse(poolsKey) as Record<string, string>;
    const refresh = () => scheduleRefresh(() => router.refresh());
    const outdatedPools = () => Object.entries(rendered).some(([id, state]) => poolStates.has(id) && poolStates.get(id) !== state);
    const relevant = (event: LiveEvent) => {
      switch (event.type) {
        case "changes":
          return !watched || event.objects.some((o) => watched.has(o.uuid) || o.related?.some((uuid) => watched.has(uuid)));
        case "ready":
          return outdatedPools();
        default:
          return true;
      }
    };
    const unsubscribe = subscribe((event) => {
      if (relevant(event)) refresh();
    });
    renderArrived();
    // What happened between this page's rendering and now.
    if (outdatedPools() || recent.some((event) => event.at > renderedAt && relevant(event))) refresh();
    return unsubscribe;
  }, [router, watchKey, poolsKey, renderedAt]);

  return null;
}
