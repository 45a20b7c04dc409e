import type { Metadata } from "next";
import Link from "next/link";
import { PerformanceOverview } from "@/app/(console)/_components/stats/performance-overview";
import { requireUser } from "@/lib/auth/current-user";
import { dashboardSummary } from "@/lib/inventory/dashboard";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { POWER_STATES } from "@/lib/inventory/vm-query";
import { ButtonLink } from "@/lib/ui/button";
import { Card, Section, Stat } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatBytes, formatCount, formatPercent } from "@/lib/ui/format";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { StatusDot } from "@/lib/ui/status-dot";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser();
  const summary = await dashboardSummary(user);
  const { vmsByPowerState: byState } = summary;

  return (
    <>
      <PageHeader title="Dashboard" description="The pools, hosts and VMs you have access to, as they are now." />
      <LiveUpdates pools={summary.pools} />
      <PoolBanners pools={summary.troubledPools} />
      {summary.pools.length === 0 ? (
        <Card padded={false}>
          <EmptyState
            title="Nothing to show yet"
            icon="pool"
            action={
              user.isAdmin ? (
                <ButtonLink href="/pools/new" variant="primary" icon="plus">
                  Register a pool
                </ButtonLink>
              ) : undefined
            }
          >
            {user.isAdmin
              ? "Register your first XCP-ng or XenServer pool to see its hosts and VMs here."
              : "You have no access to any pool, host or VM yet. Ask a XenDeck administrator."}
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-5">
          <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Stat
              label="Pools"
              value={`${summary.connectedPoolCount} / ${summary.pools.length}`}
              hint={summary.troubledPools.length > 0 ? `${formatCount(summary.troubledPools.length, "pool")} in trouble` : "all connected"}
            />
            <Stat
              label="Hosts"
              value={summary.hostCount}
              hint={summary.enabledHostCount === summary.hostCount ? "all enabled" : `${summary.hostCount - summary.enabledHostCount} disabled`}
            />
            <Stat label="VMs running" value={byState.Running} hint={`${formatCount(summary.vmCount, "VM")} in all`} />
            <Stat
              label="Host memory used"
              value={summary.memoryTotal > 0 ? formatPercent(summary.memoryUsed / summary.memoryTotal) : "—"}
              hint={summary.memoryTotal > 0 ? `${formatBytes(summary.memoryUsed)} of ${formatBytes(summary.memoryTotal)}` : undefined}
            />
          </div>
          <Section title="Virtual machines" description="By power state; each links to the filtered VM list.">
            <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              {POWER_STATES.map((state) => (
                <li key={state}>
                  <Link
                    href={`/vms?power=${state}`}
                    className="block rounded-lg border border-line bg-surface px-4 py-3 hover:bg-hover"
                    aria-label={`${state}: ${formatCount(byState[state], "VM")}`}
                  >
                    <span className="block text-xs font-medium text-muted">{state}</span>
                    <span className="mt-1 block text-2xl font-semibold tabular-nums">{byState[state]}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </Section>
          <PerformanceOverview />
          <Section title="Pools">
            <DataTable label="Pools">
              <TableHead>
                <tr>
                  <HeaderCell>Pool</HeaderCell>
                  <HeaderCell>Status</HeaderCell>
                  <HeaderCell numeric>Hosts</HeaderCell>
                  <HeaderCell numeric>VMs</HeaderCell>
                  <HeaderCell numeric>Running</HeaderCell>
                </tr>
              </TableHead>
              <TableBody>
                {summary.pools.map((pool) => (
                  <TableRow key={pool.id}>
                    <Cell className="font-medium">
                      {pool.viewable ? (
                        <Link href={`/pools/${pool.id}`} className="text-link hover:underline">
                          {pool.label}
                        </Link>
                      ) : (
                        pool.label
                      )}
                    </Cell>
                    <Cell>
                      <StatusDot status={pool.status.state} title={pool.status.reason ?? undefined} />
                      {pool.status.state !== "connected" && pool.status.since && (
                        <span className="ml-1 text-xs text-muted">
                          since <LocalTime value={pool.status.since} format="since" />
                        </span>
                      )}
                    </Cell>
                    <Cell numeric>{pool.hostCount}</Cell>
                    <Cell numeric>
                      <Link href={`/vms?pool=${pool.id}`} className="text-link hover:underline">
                        {pool.vmCount}
                      </Link>
                    </Cell>
                    <Cell numeric>{pool.runningVmCount}</Cell>
                  </TableRow>
                ))}
              </TableBody>
            </DataTable>
          </Section>
        </div>
      )}
    </>
  );
}
