/**
 * The live subscriber of a page, from the server side: stamps the render time and the states of the pools
 * the page shows, so that the client can tell what it missed before subscribing (see live-refresh.tsx).
 *
 *   <LiveUpdates pools={[view]} />                     lists, dashboard: any visible change
 *   <LiveUpdates pools={[view]} watch={[vm.uuid]} />   a VM page: its own changes
 */
import { LiveRefresh } from "./live-refresh";
import type { PoolStatusDto } from "@/lib/pools/views";

export function LiveUpdates({ pools, watch }: { pools: readonly { id: string; status: PoolStatusDto }[]; watch?: readonly string[] }) {
  const states = Object.fromEntries(pools.map((pool) => [pool.id, pool.status.state]));
  // A server component renders once per request: "now" is the render time the client compares against.
  // eslint-disable-next-line react-hooks/purity
  return <LiveRefresh renderedAt={Date.now()} pools={states} watch={watch} />;
}
