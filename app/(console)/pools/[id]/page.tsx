import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ObjectAccess } from "@/lib/admin/object-access";
import { requireUser } from "@/lib/auth/current-user";
import { getPool } from "@/lib/db/pools";
import { LiveRefresh } from "@/lib/inventory/live/live-refresh";
import { PoolBanners } from "@/lib/inventory/pool-banners";
import { poolDetail } from "@/lib/inventory/pools";
import { poolSecurable } from "@/lib/inventory/securables";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { formatBytes } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { PageHeader } from "@/lib/ui/page-header";
import { Skeleton } from "@/lib/ui/skeleton";
import { HostState } from "../../hosts/_components/host-state";
import { MemoryUsage } from "../../hosts/_components/memory-usage";
import { PoolAdminControls } from "../_components/pool-admin-controls";
import { PoolForm } from "../_components/pool-form";
import { PoolStatus } from "../_components/pool-status";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const pool = await poolDetail(user, (await params).id);
  return { title: pool ? `${pool.label} · Pools` : "Pool not found" };
}

export default async function PoolPage({ params }: Props) {
  const user = await requireUser();
  const pool = await poolDetail(user, (await params).id);
  if (!pool) notFound();
  const registration = pool.canManage ? await getPool(user, pool.id) : null;

  return (
    <>
      <PageHeader title={pool.label} breadcrumbs={[{ label: "Pools", href: "/pools" }, { label: pool.label }]} meta={<PoolStatus status={pool.status} enabled={pool.enabled} />} description={pool.description || undefined} />
      <LiveRefresh watch={[pool.uuid, ...pool.hosts.map((host) => host.uuid)]} />
      <PoolBanners pools={pool.enabled ? [{ id: pool.id, label: pool.label, status: pool.status }] : []} />
      <div className="space-y-5">
        <Card title="General">
          <KeyValueList>
            <KeyValue label="Name in XAPI">{pool.xapiName}</KeyValue>
            <KeyValue label="UUID" mono>
              {pool.uuid}
            </KeyValue>
            <KeyValue label="Master">
              {pool.master ? (
                <Link href={`/hosts/${pool.master.uuid}`} className="text-link hover:underline">
                  {pool.master.name}
                </Link>
              ) : null}
            </KeyValue>
            <KeyValue label="Default storage">{pool.defaultSr ? `${pool.defaultSr.name} (${formatBytes(pool.defaultSr.used)} used of ${formatBytes(pool.defaultSr.size)})` : null}</KeyValue>
            <KeyValue label="VMs">
              <Link href={`/vms?pool=${pool.id}`} className="text-link hover:underline">
                {pool.runningVmCount} running of {pool.vmCount}
              </Link>
            </KeyValue>
            <KeyValue label="High availability">{pool.haEnabled ? "Enabled" : "Disabled"}</KeyValue>
            <KeyValue label="Access">{pool.readOnly ? "Read-only: XenDeck changes nothing here" : "Read-write"}</KeyValue>
          </KeyValueList>
        </Card>
        <Section title="Hosts">
          <DataTable label="Hosts of the pool">
            <TableHead>
              <tr>
                <HeaderCell>Name</HeaderCell>
                <HeaderCell>Address</HeaderCell>
                <HeaderCell>State</HeaderCell>
                <HeaderCell>Memory</HeaderCell>
                <HeaderCell numeric>CPUs</HeaderCell>
                <HeaderCell numeric>VMs</HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {pool.hosts.length === 0 ? (
                <TableRow>
                  <Cell colSpan={6} muted>
                    No hosts known yet
                  </Cell>
                </TableRow>
              ) : (
                pool.hosts.map((host) => (
                  <TableRow key={host.uuid}>
                    <Cell className="font-medium">
                      <Link href={`/hosts/${host.uuid}`} className="text-link hover:underline">
                        {host.name}
                      </Link>
                      {host.isMaster && <span className="ml-1.5 text-xs text-muted">master</span>}
                    </Cell>
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
                ))
              )}
            </TableBody>
          </DataTable>
        </Section>
        <Section title="Storage">
          <DataTable label="Storage repositories">
            <TableHead>
              <tr>
                <HeaderCell>Name</HeaderCell>
                <HeaderCell>Type</HeaderCell>
                <HeaderCell>Shared</HeaderCell>
                <HeaderCell numeric>Used</HeaderCell>
                <HeaderCell numeric>Size</HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {pool.storage.map((sr) => (
                <TableRow key={sr.uuid}>
                  <Cell>
                    {sr.name}
                    {sr.uuid === pool.defaultSr?.uuid && <span className="ml-1.5 text-xs text-muted">default</span>}
                  </Cell>
                  <Cell mono>{sr.type}</Cell>
                  <Cell>{sr.shared ? "Yes" : "No"}</Cell>
                  <Cell numeric>{formatBytes(sr.used)}</Cell>
                  <Cell numeric>{formatBytes(sr.size)}</Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
        </Section>
        {registration && (
          <Section title="Registration" description="How XenDeck connects to this pool. Changing the URL, account or certificate tests the connection first.">
            <Card>
              <div className="space-y-5">
                <PoolAdminControls
                  pool={{ id: registration.id, label: registration.label, enabled: registration.enabled, https: registration.url.startsWith("https://"), fingerprint: registration.fingerprint }}
                />
                <PoolForm
                  poolId={registration.id}
                  initial={{ label: registration.label, url: registration.url, username: registration.username, fingerprint: registration.fingerprint, readOnly: registration.readOnly }}
                />
              </div>
            </Card>
          </Section>
        )}
        {user.isAdmin && (
          <Suspense fallback={<Skeleton className="h-24 w-full" />}>
            <ObjectAccess target={poolSecurable(pool.uuid)} objectName={pool.label} />
          </Suspense>
        )}
      </div>
    </>
  );
}
