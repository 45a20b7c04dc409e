import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { PerformanceOverview } from "@/app/(console)/_components/stats/performance-overview";
import { ObjectAlerts } from "@/app/(console)/_components/object-alerts";
import { requireUser } from "@/lib/auth/current-user";
import { getPool } from "@/lib/pools/store";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { poolDetail } from "@/lib/inventory/pools";
import { poolSecurable } from "@/lib/access/securables";
import { Card, Section } from "@/lib/ui/card";
import { formatBytes } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { PageHeader } from "@/lib/ui/page-header";
import { Skeleton } from "@/lib/ui/skeleton";
import { HostsTable } from "@/app/(console)/hosts/_components/hosts-table";
import { StorageTable } from "@/app/(console)/hosts/_components/storage-table";
import { PoolAdminControls } from "@/app/(console)/pools/_components/pool-admin-controls";
import { PoolForm } from "@/app/(console)/pools/_components/pool-form";
import { PoolStatus } from "@/app/(console)/pools/_components/pool-status";

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
      <PageHeader
        title={pool.label}
        breadcrumbs={[{ label: "Pools", href: "/pools" }, { label: pool.label }]}
        meta={<PoolStatus status={pool.status} enabled={pool.enabled} />}
        description={pool.description || undefined}
      />
      <LiveUpdates pools={[pool]} watch={[pool.uuid, ...pool.hosts.map((host) => host.uuid)]} />
      <PoolBanners pools={pool.enabled ? [{ id: pool.id, label: pool.label, status: pool.status }] : []} />
      <div className="space-y-5">
        <ObjectAlerts uuid={pool.uuid} objectName={pool.label} />
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
            <KeyValue label="Default storage">
              {pool.defaultSr ? `${pool.defaultSr.name} (${formatBytes(pool.defaultSr.used)} used of ${formatBytes(pool.defaultSr.size)})` : null}
            </KeyValue>
            <KeyValue label="VMs">
              <Link href={`/vms?pool=${pool.id}`} className="text-link hover:underline">
                {pool.runningVmCount} running of {pool.vmCount}
              </Link>
            </KeyValue>
            <KeyValue label="High availability">{pool.haEnabled ? "Enabled" : "Disabled"}</KeyValue>
            <KeyValue label="Access">{pool.readOnly ? "Read-only: XenDeck changes nothing here" : "Read-write"}</KeyValue>
          </KeyValueList>
        </Card>
        <PerformanceOverview poolId={pool.id} />
        <Section title="Hosts">
          <HostsTable hosts={pool.hosts} label="Hosts of the pool" />
        </Section>
        <Section title="Storage">
          <StorageTable storage={pool.storage} label="Storage repositories" defaultSrUuid={pool.defaultSr?.uuid} />
        </Section>
        {registration && (
          <Section title="Registration" description="How XenDeck connects to this pool. Changing the URL, account or certificate tests the connection first.">
            <Card>
              <div className="space-y-5">
                <PoolAdminControls
                  pool={{
                    id: registration.id,
                    label: registration.label,
                    enabled: registration.enabled,
                    https: registration.url.startsWith("https://"),
                    fingerprint: registration.fingerprint,
                  }}
                />
                <PoolForm
                  poolId={registration.id}
                  initial={{
                    label: registration.label,
                    url: registration.url,
                    username: registration.username,
                    fingerprint: registration.fingerprint,
                    readOnly: registration.readOnly,
                  }}
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
