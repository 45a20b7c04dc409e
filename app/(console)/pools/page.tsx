import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { poolsKnownThroughObjects, visiblePools } from "@/lib/inventory/pools";
import { loadPoolViews } from "@/lib/pools/views";
import { ButtonLink } from "@/lib/ui/button";
import { Card } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatBytes, formatCount } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolStatus } from "./_components/pool-status";

export const metadata: Metadata = { title: "Pools" };

export default async function PoolsPage() {
  const user = await requireUser();
  const views = await loadPoolViews();
  const [pools, partly] = await Promise.all([visiblePools(user, views), poolsKnownThroughObjects(user, views)]);
  const mayRegister = can(user, "pools.register");
  const register = mayRegister ? (
    <ButtonLink href="/pools/new" variant="primary" icon="plus">
      Register a pool
    </ButtonLink>
  ) : undefined;

  return (
    <>
      <PageHeader title="Pools" description={formatCount(pools.length, "pool")} actions={register} />
      <LiveUpdates pools={pools} />
      {pools.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No pools" icon="pool" action={register}>
            {mayRegister ? "Register an XCP-ng or XenServer pool: any of its hosts' addresses and a pool admin account." : noPoolsReason(partly)}
          </EmptyState>
        </Card>
      ) : (
        <DataTable label="Pools">
          <TableHead>
            <tr>
              <HeaderCell>Pool</HeaderCell>
              <HeaderCell>Status</HeaderCell>
              <HeaderCell>Master</HeaderCell>
              <HeaderCell numeric>Hosts</HeaderCell>
              <HeaderCell numeric>VMs (running / total)</HeaderCell>
              <HeaderCell>Default storage</HeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {pools.map((pool) => (
              <TableRow key={pool.id}>
                <Cell className="font-medium">
                  <Link href={`/pools/${pool.id}`} className="text-link hover:underline">
                    {pool.label}
                  </Link>
                  {pool.readOnly && <span className="ml-1.5 text-xs text-muted">read-only</span>}
                </Cell>
                <Cell className="max-w-72">
                  <PoolStatus status={pool.status} enabled={pool.enabled} />
                </Cell>
                <Cell muted={!pool.master}>{pool.master?.name ?? "—"}</Cell>
                <Cell numeric>{pool.hostCount}</Cell>
                <Cell numeric>
                  {pool.runningVmCount} / {pool.vmCount}
                </Cell>
                <Cell muted={!pool.defaultSr}>
                  {pool.defaultSr ? `${pool.defaultSr.name} (${formatBytes(pool.defaultSr.used)} of ${formatBytes(pool.defaultSr.size)})` : "—"}
                </Cell>
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      )}
    </>
  );
}

/** Why a user sees no pool: no access to any, or access to some of their VMs or hosts only (then which). */
function noPoolsReason(partly: { label: string }[]): string {
  if (partly.length === 0) return "You have no access to any pool.";
  const names = partly.map((pool) => pool.label).join(", ");
  return `You have no access to the pools themselves: your access is to some VMs or hosts of ${names}. Find them under VMs and Hosts.`;
}
