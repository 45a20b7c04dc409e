import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { vmHardwareView } from "@/lib/inventory/vm-hardware";
import { PowerStateBadge } from "@/lib/ui/badge";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { VmTabs } from "../_components/vm-tabs";
import { HardwareEditor } from "./_components/hardware-editor";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const view = await vmHardwareView(user, (await params).uuid);
  return { title: view ? `Hardware · ${view.vm.name} · VMs` : "VM not found" };
}

export default async function VmHardwarePage({ params }: Props) {
  const user = await requireUser();
  const view = await vmHardwareView(user, (await params).uuid);
  if (!view) notFound();
  const { vm, pool } = view;
  return (
    <>
      <PageHeader
        title={vm.name}
        breadcrumbs={[{ label: "VMs", href: "/vms" }, { label: vm.name, href: `/vms/${vm.uuid}` }, { label: "Hardware" }]}
        meta={<PowerStateBadge state={vm.powerState} stale={pool.status.state !== "connected"} />}
      />
      <VmTabs uuid={vm.uuid} current="Hardware" console={view.may.console} />
      <LiveUpdates pools={[pool]} watch={[vm.uuid]} />
      <PoolBanners pools={pool.status.state === "connected" ? [] : [{ id: pool.id, label: pool.label, status: pool.status }]} />
      <HardwareEditor view={view} />
    </>
  );
}
