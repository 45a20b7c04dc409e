"use client";

/**
 * The graphs of a VM's or host's Stats tab: the range links, then one chart per kind of statistic, or a message
 * saying why there is none (not running, host not answering, pool not connected). The live range refreshes itself
 * every 5 seconds from the stats route (while the tab is visible); the page's server rendering gives the first data
 * and new data whenever the page is refreshed (a VM that starts, a range that changes).
 */
import Link from "next/link";
import { useEffect, useState } from "react";
import { STATS_RANGE_IDS, STATS_RANGES, type ObjectStatsDto, type StatsRange } from "@/lib/stats/types";
import { Banner } from "@/lib/ui/banner";
import { TimeSeriesChart } from "@/lib/ui/charts/time-series-chart";
import { cx } from "@/lib/ui/classes";
import { EmptyState } from "@/lib/ui/empty-state";
import { StatusMessage } from "@/lib/ui/status-message";

const REFRESH_MS = 5_000;

const EMPTY_TITLES: Record<Exclude<ObjectStatsDto["status"], "ok">, string> = {
  "not-running": "No statistics while the VM is not running",
  waiting: "Waiting for the first statistics",
  unavailable: "Statistics are unavailable",
};

function RangeLinks({ basePath, current }: { basePath: string; current: StatsRange }) {
  return (
    <nav aria-label="Time range">
      <ul className="inline-flex flex-wrap overflow-hidden rounded-md border border-line text-sm">
        {STATS_RANGE_IDS.map((range) => {
          const active = range === current;
          return (
            <li key={range} className="border-line not-first:border-l">
              <Link
                href={`${basePath}?range=${range}`}
                prefetch={false}
                aria-current={active ? "page" : undefined}
                className={cx("inline-flex h-8 items-center px-3", active ? "bg-selected font-medium text-link" : "text-muted hover:bg-hover hover:text-fg")}
              >
                {STATS_RANGES[range].label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function skewText(seconds: number): string {
  const amount = Math.abs(seconds) >= 120 ? `${Math.round(Math.abs(seconds) / 60)} min` : `${Math.abs(seconds)} s`;
  return `The host's clock is ${amount} ${seconds > 0 ? "ahead of" : "behind"} XenDeck's; the graphs are drawn in XenDeck's time.`;
}

export function ObjectStatsPanel({ endpoint, basePath, initial }: { endpoint: string; basePath: string; initial: ObjectStatsDto }) {
  const [stats, setStats] = useState(initial);
  const [rendered, setRendered] = useState(initial);
  const [updateFailed, setUpdateFailed] = useState<string | null>(null);
  // New data from the server rendering (a refresh of the page, another range) replaces what polling brought.
  if (initial !== rendered) {
    setRendered(initial);
    setStats(initial);
  }
  const range = stats.range;
  const live = STATS_RANGES[range].live;

  useEffect(() => {
    if (!live) return;
    let stopped = false;
    let controller: AbortController | null = null;
    const refresh = async () => {
      if (document.hidden || controller) return;
      controller = new AbortController();
      try {
        const response = await fetch(`${endpoint}?range=${range}`, { cache: "no-store", signal: controller.signal });
        if (stopped) return;
        if (response.ok) {
          setStats((await response.json()) as ObjectStatsDto);
          setUpdateFailed(null);
        } else {
          setUpdateFailed(response.status === 404 ? "This object is no longer visible to you." : `Updating the graphs failed (HTTP ${response.status}).`);
        }
      } catch {
        if (!stopped) setUpdateFailed("XenDeck could not be reached to update the graphs.");
      } finally {
        controller = null;
      }
    };
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      controller?.abort();
    };
  }, [endpoint, range, live]);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <RangeLinks basePath={basePath} current={range} />
        <p className="text-xs text-muted">
          {live ? (
            <span className="inline-flex items-center gap-1.5">
              <span aria-hidden="true" className="inline-block size-2 rounded-full bg-ok" />
              Live: a point every 5 seconds
            </span>
          ) : (
            `A point every ${stats.step >= 86400 ? "day" : stats.step >= 3600 ? "hour" : "minute"}`
          )}
        </p>
      </div>
      <StatusMessage tone="warning" message={updateFailed} />
      {stats.status === "ok" ? (
        <>
          {stats.message && (
            <Banner tone="warning" live="none">
              {stats.message}
            </Banner>
          )}
          {stats.clockSkewSeconds !== null && <p className="text-xs text-muted">{skewText(stats.clockSkewSeconds)}</p>}
          <div className="grid gap-4 lg:grid-cols-2">
            {stats.charts.map((chart) => (
              <TimeSeriesChart key={chart.id} title={chart.title} unit={chart.unit} times={stats.times} series={chart.series} />
            ))}
          </div>
        </>
      ) : (
        <div className="rounded-lg border border-line bg-surface">
          <EmptyState title={EMPTY_TITLES[stats.status]} icon={stats.status === "unavailable" ? "alert" : "info"}>
            {stats.message}
          </EmptyState>
        </div>
      )}
    </div>
  );
}
