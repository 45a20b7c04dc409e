/**
 * The banners of the pools a page shows objects of, when they are not connected: "Pool lab is disconnected
 * since 12:03 — showing last known state." Disabled pools are left out (an admin's choice, not a fault).
 */
import { PoolStatusBanner } from "@/lib/ui/banner";
import type { PoolStatusDto } from "@/lib/pools/views";

export function PoolBanners({ pools }: { pools: readonly { id: string; label: string; status: PoolStatusDto }[] }) {
  if (pools.length === 0) return null;
  return (
    <div className="mb-3 space-y-2" data-testid="pool-banners">
      {pools.map((pool) => (
        <PoolStatusBanner key={pool.id} poolLabel={pool.label} status={pool.status.state} since={pool.status.since} reason={pool.status.reason} />
      ))}
    </div>
  );
}
