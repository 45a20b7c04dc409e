"use client";

import { useSyncExternalStore } from "react";
import { formatDate, formatDateTime, formatRelativeTime, formatSince } from "./format";

export type TimeFormat = "datetime" | "date" | "since" | "relative";

const noSubscription = () => () => {};

/** False during server rendering and hydration, true afterwards: when the browser's time zone may be used. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

// One shared clock for every relative time on the page, ticking every 15 s while someone listens.
let clockNow = Date.now();
const clockListeners = new Set<() => void>();
let clockTimer: ReturnType<typeof setInterval> | undefined;

function subscribeClock(listener: () => void): () => void {
  clockListeners.add(listener);
  if (!clockTimer) {
    clockTimer = setInterval(() => {
      clockNow = Date.now();
      for (const l of clockListeners) l();
    }, 15_000);
  }
  return () => {
    clockListeners.delete(listener);
    if (clockListeners.size === 0) {
      clearInterval(clockTimer);
      clockTimer = undefined;
    }
  };
}

/**
 * Server rendering and hydration use UTC and the server's `renderedAt`, so both produce the same text; right after
 * hydration the browser's time zone and clock take over ("12:03 UTC" becomes "13:03", "3 min ago" keeps ticking).
 */
export function LocalTimeClient({ iso, format, renderedAt }: { iso: string; format: TimeFormat; renderedAt: number }) {
  const hydrated = useHydrated();
  const liveNow = useSyncExternalStore(
    format === "relative" ? subscribeClock : noSubscription,
    () => Math.max(clockNow, renderedAt),
    () => renderedAt,
  );
  // After hydration the browser clock is the truth; the 15 s floor keeps a stale store value from showing.
  // eslint-disable-next-line react-hooks/purity
  const now = hydrated ? Math.max(liveNow, Date.now() - 15_000) : renderedAt;
  const zone = hydrated ? {} : { timeZone: "UTC" };
  const suffix = hydrated ? "" : " UTC";

  let text: string;
  switch (format) {
    case "relative":
      text = formatRelativeTime(iso, now);
      break;
    case "date":
      text = formatDate(iso, zone);
      break;
    case "since":
      text = formatSince(iso, now, zone) + suffix;
      break;
    default:
      text = formatDateTime(iso, zone) + suffix;
  }
  const full = hydrated ? formatDateTime(iso, { seconds: true }) : `${formatDateTime(iso, { timeZone: "UTC", seconds: true })} UTC`;
  return (
    <time dateTime={iso} title={format === "relative" || format === "since" ? full : undefined}>
      {text}
    </time>
  );
}
