import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ObjectStatsPanel } from "@/app/(console)/_components/stats/object-stats-panel";
import { HostState } from "@/app/(console)/hosts/_components/host-state";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { hostDetail } from "@/lib/inventory/hosts";
import { hostStats } from "@/lib/stats/object-stats";
import { parseStatsRange } from "@/lib/stats/types";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { HostTabs } from "../_components/host-tabs";

type Props = { params: Promise<{ uuid: string }>; searchParams: Promise<{ range?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const host = await hostDetail(user, (await params).uuid);
  return { title: host ? `Stats · ${host.name} · Hosts` : "Host not found" };
}

export default async function HostStatsPage({ params, searchParams }: Props) {
  const user = await requireUser();
  const [{ uuid }, query] = await Promise.all([params, searchParams]);
  const range = parseStatsRange(query.range);
  const [host, stats] = await Promise.all([hostDetail(user, uuid), hostStats(user, uuid, range)]);
  if (!host || !stats) notFound();

  return (
    <>
      <PageHeader
        title={host.name}
        breadcrumbs={[{ label: "Hosts", href: "/hosts" }, { label: host.name, href: `/hosts/${host.uuid}` }, { label: "Stats" }]}
        meta={<HostState enabled={host.enabled} live={host.live} stale={host.stale} />}
        description={host.description || undefined}
      />
      <HostTabs uuid={host.uuid} current="Stats" console={can(user, "host.console", host.securable)} />
      <LiveUpdates pools={[host.pool]} watch={[host.uuid]} />
      <PoolBanners pools={host.pool.status.state === "connected" ? [] : [{ id: host.pool.id, label: host.pool.label, status: host.pool.status }]} />
      <ObjectStatsPanel
        endpoint={`/api/stats/hosts/${encodeURIComponent(host.uuid)}`}
        basePath={`/hosts/${encodeURIComponent(host.uuid)}/stats`}
        initial={stats}
      />
    </>
  );
}
