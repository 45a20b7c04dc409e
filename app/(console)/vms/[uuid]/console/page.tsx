import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { vmDetail } from "@/lib/inventory/vms";
import { PowerStateBadge } from "@/lib/ui/badge";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { VncConsoleWidget } from "@/app/(console)/_components/console/console-widgets";
import { VmTabs } from "@/app/(console)/vms/[uuid]/_components/vm-tabs";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const vm = await vmDetail(user, (await params).uuid);
  return { title: vm ? `Console · ${vm.name}` : "VM not found" };
}

/** The VM's console tab: its screen, keyboard and mouse in the page (operators and above). */
export default async function VmConsolePage({ params }: Props) {
  const user = await requireUser();
  const vm = await vmDetail(user, (await params).uuid);
  if (!vm) notFound();
  const allowed = can(user, "vm.console", vm.securable);

  return (
    <>
      <PageHeader
        title={vm.name}
        breadcrumbs={[{ label: "VMs", href: "/vms" }, { label: vm.name, href: `/vms/${vm.uuid}` }, { label: "Console" }]}
        meta={<PowerStateBadge state={vm.powerState} stale={vm.stale} />}
      />
      <VmTabs uuid={vm.uuid} current="Console" console={allowed} />
      <LiveUpdates pools={[vm.pool]} watch={vm.related} />
      <PoolBanners pools={vm.pool.status.state === "connected" ? [] : [{ id: vm.pool.id, label: vm.pool.label, status: vm.pool.status }]} />
      {allowed ? (
        <VncConsoleWidget vmUuid={vm.uuid} vmName={vm.name} running={vm.powerState === "Running"} popoutHref={`/consoles/${vm.uuid}`} />
      ) : (
        <Card padded={false}>
          <EmptyState title="You may not open this console" icon="shield">
            Opening a VM&apos;s console takes the operator role on it. Ask an administrator if you need it.
          </EmptyState>
        </Card>
      )}
    </>
  );
}
