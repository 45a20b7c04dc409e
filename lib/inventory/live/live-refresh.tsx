"use client";

/**
 * Keeps a server-rendered page current: listens to the user's live stream (`/api/live`) and refreshes the page
 * (`router.refresh()`, which re-renders the server components and keeps client state) shortly after a relevant
 * change. `watch` limits "relevant" to changes of these uuids (a VM page watches its VM and host); without it,
 * every change the user may see counts (lists, dashboard). Pool status changes always count.
 */
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

/** Changes arriving within this window make one refresh. */
const DEBOUNCE_MS = 150;

interface LiveObjectMessage {
  objects?: { uuid: string; related?: string[] }[];
}

export function LiveRefresh({ watch }: { watch?: readonly string[] }) {
  const router = useRouter();
  const watchKey = watch ? watch.join(",") : null;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const watched = watchKey === null ? null : new Set(watchKey.split(",").filter(Boolean));
    const source = new EventSource("/api/live");
    const refresh = () => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        router.refresh();
      }, DEBOUNCE_MS);
    };
    const onChanges = (event: MessageEvent<string>) => {
      if (!watched) return refresh();
      let message: LiveObjectMessage;
      try {
        message = JSON.parse(event.data) as LiveObjectMessage;
      } catch {
        return;
      }
      const relevant = message.objects?.some((o) => watched.has(o.uuid) || o.related?.some((uuid) => watched.has(uuid)));
      if (relevant) refresh();
    };
    source.addEventListener("changes", onChanges);
    for (const type of ["status", "resync", "pools"]) source.addEventListener(type, refresh);
    // The session ended (account disabled, signed out elsewhere): a refresh lets the server send us to login.
    source.addEventListener("end", () => {
      source.close();
      router.refresh();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) router.refresh();
    };
    return () => {
      source.close();
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
    };
  }, [router, watchKey]);

  return null;
}
