"use client";

/**
 * "Performance" on the dashboard and a pool's page: the busiest VMs by CPU, memory, network and disk, and each
 * host's usage, over the last 15 seconds, refreshed every 5 seconds (while the page is visible) from the overview
 * route. The server ranks only what the user may view.
 */
import Link from "next/link";
import { useEffect, useState } from "react";
import { TOP_METRIC_IDS, TOP_METRICS, type HostUsageDto, type StatsOverviewDto, type TopMetric, type TopVmDto } from "@/lib/stats/types";
import { Card, Section } from "@/lib/ui/card";
import { formatChartValue } from "@/lib/ui/charts/units";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { formatBytes, formatPercent } from "@/lib/ui/format";
import { ProgressBar } from "@/lib/ui/progress";
import { Skeleton } from "@/lib/ui/skeleton";
import { StatusMessage } from "@/lib/ui/status-message";

const REFRESH_MS = 5_000;

function TopVms({ metric, rows }: { metric: TopMetric; rows: TopVmDto[] }) {
  const { title, unit } = TOP_METRICS[metric];
  const max = Math.max(...rows.map((row) => row.value), 0);
  return (
    <Card title={`Top VMs by ${title}`}>
      {rows.length === 0 ? (
        <p className="text-sm text-muted">No running VM to rank.</p>
      ) : (
        <ol aria-label={`Top VMs by ${title}`} className="space-y-2.5">
          {rows.map((row) => (
            <li key={row.uuid} className="space-y-1">
              <div className="flex items-baseline justify-between gap-2 text-sm">
                <Link href={`/vms/${row.uuid}/stats`} prefetch={false} className="min-w-0 truncate font-medium text-link hover:underline">
                  {row.name}
                </Link>
                <span className="shrink-0 tabular-nums">{formatChartValue(row.value, unit)}</span>
              </div>
              <ProgressBar label={`${row.name}: ${formatChartValue(row.value, unit)}`} value={unit === "percent" ? row.value : max > 0 ? row.value / max : 0} />
              <p className="truncate text-xs text-muted">
                {row.poolLabel}
                {row.hostName && ` · ${row.hostName}`}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

const rate = (value: number | null) => formatChartValue(value, "bytesPerSecond");

function HostUsage({ hosts }: { hosts: HostUsageDto[] }) {
  return (
    <DataTable label="Host usage">
      <TableHead>
        <tr>
          <HeaderCell>Host</HeaderCell>
          <HeaderCell>Pool</HeaderCell>
          <HeaderCell>CPU</HeaderCell>
          <HeaderCell numeric>Load</HeaderCell>
          <HeaderCell>Memory</HeaderCell>
          <HeaderCell numeric>Network in / out</HeaderCell>
        </tr>
      </TableHead>
      <TableBody>
        {hosts.map((host) => (
          <TableRow key={host.uuid}>
            <Cell className="font-medium">
              <Link href={`/hosts/${host.uuid}/stats`} prefetch={false} className="text-link hover:underline">
                {host.name}
              </Link>
              {host.message && <span className="block text-xs font-normal text-muted">{host.message}</span>}
            </Cell>
            <Cell muted>{host.poolLabel}</Cell>
            <Cell className="min-w-32">
              {host.cpu === null ? (
                "—"
              ) : (
                <div className="space-y-1">
                  <span className="text-xs tabular-nums">{formatChartValue(host.cpu, "percent")}</span>
                  <ProgressBar
                    label={`${host.name} CPU: ${formatChartValue(host.cpu, "percent")}`}
                    value={host.cpu}
                    tone={host.cpu > 0.9 ? "error" : "accent"}
                  />
                </div>
              )}
            </Cell>
            <Cell numeric>{formatChartValue(host.load, "number")}</Cell>
            <Cell className="min-w-40">
              {host.memoryUsed === null || !host.memoryTotal ? (
                "—"
              ) : (
                <div className="space-y-1">
                  <span className="text-xs tabular-nums">
                    {formatBytes(host.memoryUsed)} of {formatBytes(host.memoryTotal)}
                  </span>
                  <ProgressBar label={`${host.name} memory: ${formatPercent(host.memoryUsed / host.memoryTotal)}`} value={host.memoryUsed / host.memoryTotal} />
                </div>
              )}
            </Cell>
            <Cell numeric className="whitespace-nowrap">
              {rate(host.networkRx)} / {rate(host.networkTx)}
            </Cell>
          </TableRow>
        ))}
      </TableBody>
    </DataTable>
  );
}

export function PerformanceOverview({ poolId }: { poolId?: string }) {
  const [overview, setOverview] = useState<StatsOverviewDto | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let controller: AbortController | null = null;
    const url = `/api/stats/overview?limit=5${poolId ? `&pool=${encodeURIComponent(poolId)}` : ""}`;
    const refresh = async () => {
      if (document.hidden || controller) return;
      controller = new AbortController();
      try {
        const response = await fetch(url, { cache: "no-store", signal: controller.signal });
        if (stopped) return;
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        setOverview((await response.json()) as StatsOverviewDto);
        setFailed(null);
      } catch {
        if (!stopped) setFailed("The performance figures could not be updated.");
      } finally {
        controller = null;
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      controller?.abort();
    };
  }, [poolId]);

  return (
    <Section title="Performance" description="The busiest VMs and how busy the hosts are, over the last 15 seconds; updated every 5 seconds.">
      <StatusMessage tone="warning" message={failed} />
      {overview === null ? (
        <div aria-busy="true" className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
          {TOP_METRIC_IDS.map((metric) => (
            <Skeleton key={metric} className="h-48 w-full rounded-lg" />
          ))}
        </div>
      ) : (
        <div className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
            {TOP_METRIC_IDS.map((metric) => (
              <TopVms key={metric} metric={metric} rows={overview.top[metric]} />
            ))}
          </div>
          {overview.hosts.length > 0 && <HostUsage hosts={overview.hosts} />}
        </div>
      )}
    </Section>
  );
}
