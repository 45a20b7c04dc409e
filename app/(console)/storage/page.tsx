import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { visibleSrs } from "@/lib/storage/srs";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { SrTable } from "./_components/sr-table";

export const metadata: Metadata = { title: "Storage" };

export default async function StoragePage() {
  const user = await requireUser();
  const views = await loadPoolViews();
  const srs = await visibleSrs(user, views);
  const poolIds = new Set(srs.map((sr) => sr.pool.id));

  return (
    <>
      <PageHeader title="Storage" description={formatCount(srs.length, "storage repository", "storage repositories")} />
      <LiveUpdates pools={views.filter((view) => poolIds.has(view.id))} />
      <PoolBanners pools={troubledPools(views, poolIds)} />
      {srs.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No storage" icon="storage">
            No pool is connected yet, or you have no access to any storage repository.
          </EmptyState>
        </Card>
      ) : (
        <SrTable srs={srs} label="Storage repositories" />
      )}
    </>
  );
}
