import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { visibleHosts } from "@/lib/inventory/hosts";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { HostsTable } from "./_components/hosts-table";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  const user = await requireUser();
  const views = await loadPoolViews();
  const hosts = await visibleHosts(user, views);

  return (
    <>
      <PageHeader title="Hosts" description={formatCount(hosts.length, "host")} />
      <LiveUpdates pools={views.filter((view) => hosts.some((host) => host.poolId === view.id))} />
      <PoolBanners pools={troubledPools(views, new Set(hosts.map((host) => host.poolId)))} />
      {hosts.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No hosts" icon="host">
            No pool is connected yet, or you have no access to any host.
          </EmptyState>
        </Card>
      ) : (
        <HostsTable hosts={hosts} label="Hosts" showPool />
      )}
    </>
  );
}
