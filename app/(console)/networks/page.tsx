import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { visibleNetworks } from "@/lib/storage/networks";
import { Card } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";

export const metadata: Metadata = { title: "Networks" };

export default async function NetworksPage() {
  const user = await requireUser();
  const views = await loadPoolViews();
  const networks = await visibleNetworks(user, views);
  const poolIds = new Set(networks.map((network) => network.pool.id));

  return (
    <>
      <PageHeader title="Networks" description={formatCount(networks.length, "network")} />
      <LiveUpdates pools={views.filter((view) => poolIds.has(view.id))} />
      <PoolBanners pools={troubledPools(views, poolIds)} />
      {networks.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No networks" icon="network">
            No pool is connected yet, or you have no access to any network.
          </EmptyState>
        </Card>
      ) : (
        <DataTable label="Networks">
          <TableHead>
            <tr>
              <HeaderCell>Name</HeaderCell>
              <HeaderCell>Pool</HeaderCell>
              <HeaderCell>VLAN</HeaderCell>
              <HeaderCell numeric>MTU</HeaderCell>
              <HeaderCell>Physical interfaces</HeaderCell>
              <HeaderCell numeric>VM interfaces</HeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {networks.map((network) => (
              <TableRow key={network.uuid}>
                <Cell className="font-medium">
                  <Link href={`/networks/${network.uuid}`} prefetch={false} className="text-link hover:underline">
                    {network.name}
                  </Link>
                  {network.description && <span className="block text-xs font-normal text-muted">{network.description}</span>}
                </Cell>
                <Cell>{network.pool.label}</Cell>
                <Cell muted={network.vlans.length === 0}>{network.vlans.length > 0 ? network.vlans.join(", ") : "—"}</Cell>
                <Cell numeric>{network.mtu}</Cell>
                <Cell muted={network.internal}>
                  {network.internal
                    ? "None (private to the host of its VMs)"
                    : network.pifs.attached === network.pifs.total
                      ? `${network.pifs.total} plugged`
                      : `${network.pifs.attached} of ${network.pifs.total} plugged`}
                </Cell>
                <Cell numeric>{network.vifCount}</Cell>
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      )}
    </>
  );
}
