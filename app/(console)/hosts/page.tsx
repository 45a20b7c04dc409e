import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { visibleHosts } from "@/lib/inventory/hosts";
import { LiveRefresh } from "@/lib/inventory/live/live-refresh";
import { PoolBanners } from "@/lib/inventory/pool-banners";
import { loadPoolViews, troubledPools } from "@/lib/inventory/pool-views";
import { Card } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { HostState } from "./_components/host-state";
import { MemoryUsage } from "./_components/memory-usage";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  const user = await requireUser();
  const views = await loadPoolViews();
  const hosts = await visibleHosts(user, views);

  return (
    <>
      <PageHeader title="Hosts" description={formatCount(hosts.length, "host")} />
      <LiveRefresh />
      <PoolBanners pools={troubledPools(views, new Set(hosts.map((host) => host.poolId)))} />
      {hosts.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No hosts" icon="host">
            No pool is connected yet, or you have no access to any host.
          </EmptyState>
        </Card>
      ) : (
        <DataTable label="Hosts">
          <TableHead>
            <tr>
              <HeaderCell>Name</HeaderCell>
              <HeaderCell>Pool</HeaderCell>
              <HeaderCell>Address</HeaderCell>
              <HeaderCell>State</HeaderCell>
              <HeaderCell>Memory</HeaderCell>
              <HeaderCell numeric>CPUs</HeaderCell>
              <HeaderCell numeric>VMs</HeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {hosts.map((host) => (
              <TableRow key={host.uuid}>
                <Cell className="font-medium">
                  <Link href={`/hosts/${host.uuid}`} prefetch={false} className="text-link hover:underline">
                    {host.name}
                  </Link>
                  {host.isMaster && <span className="ml-1.5 text-xs text-muted">master</span>}
                </Cell>
                <Cell>{host.poolLabel}</Cell>
                <Cell mono>{host.address}</Cell>
                <Cell>
                  <HostState enabled={host.enabled} live={host.live} stale={host.stale} />
                </Cell>
                <Cell className="min-w-44">
                  <MemoryUsage used={host.memoryUsed} total={host.memoryTotal} />
                </Cell>
                <Cell numeric>{host.cpuCount}</Cell>
                <Cell numeric>{host.residentVmCount}</Cell>
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      )}
    </>
  );
}
