import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ObjectStatsPanel } from "@/app/(console)/_components/stats/object-stats-panel";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { vmDetail } from "@/lib/inventory/vms";
import { vmStats } from "@/lib/stats/object-stats";
import { parseStatsRange } from "@/lib/stats/types";
import { PowerStateBadge } from "@/lib/ui/badge";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { VmTabs } from "../_components/vm-tabs";

type Props = { params: Promise<{ uuid: string }>; searchParams: Promise<{ range?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const vm = await vmDetail(user, (await params).uuid);
  return { title: vm ? `Stats · ${vm.name} · VMs` : "VM not found" };
}

export default async function VmStatsPage({ params, searchParams }: Props) {
  const user = await requireUser();
  const [{ uuid }, query] = await Promise.all([params, searchParams]);
  const range = parseStatsRange(query.range);
  const [vm, stats] = await Promise.all([vmDetail(user, uuid), vmStats(user, uuid, range)]);
  if (!vm || !stats) notFound();

  return (
    <>
      <PageHeader
        title={vm.name}
        breadcrumbs={[{ label: "VMs", href: "/vms" }, { label: vm.name, href: `/vms/${vm.uuid}` }, { label: "Stats" }]}
        meta={<PowerStateBadge state={vm.powerState} stale={vm.stale} />}
        description={vm.description || undefined}
      />
      <VmTabs uuid={vm.uuid} current="Stats" console={can(user, "vm.console", vm.securable)} />
      {/* A VM that starts or stops re-renders the page: the graphs follow its power state. */}
      <LiveUpdates pools={[vm.pool]} watch={[vm.uuid]} />
      <PoolBanners pools={vm.pool.status.state === "connected" ? [] : [{ id: vm.pool.id, label: vm.pool.label, status: vm.pool.status }]} />
      <ObjectStatsPanel endpoint={`/api/stats/vms/${encodeURIComponent(vm.uuid)}`} basePath={`/vms/${encodeURIComponent(vm.uuid)}/stats`} initial={stats} />
    </>
  );
}
