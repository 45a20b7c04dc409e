import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { hostConsolePageView } from "@/lib/consoles/view";
import { hostDetail } from "@/lib/inventory/hosts";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { HostState } from "@/app/(console)/hosts/_components/host-state";
import { TextConsoleWidget } from "@/app/(console)/_components/console/console-widgets";
import { HostTabs } from "@/app/(console)/hosts/[uuid]/_components/host-tabs";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const host = await hostDetail(user, (await params).uuid);
  return { title: host ? `Console · ${host.name}` : "Host not found" };
}

/** The host's own text console (its control domain's): a root login prompt, for the host's admins. */
export default async function HostConsolePage({ params }: Props) {
  const user = await requireUser();
  const { uuid } = await params;
  const [host, hostConsole] = await Promise.all([hostDetail(user, uuid), hostConsolePageView(user, uuid)]);
  if (!host) notFound();
  const allowed = hostConsole?.allowed ?? false;

  return (
    <>
      <PageHeader
        title={host.name}
        breadcrumbs={[{ label: "Hosts", href: "/hosts" }, { label: host.name, href: `/hosts/${host.uuid}` }, { label: "Console" }]}
        meta={<HostState enabled={host.enabled} live={host.live} stale={host.stale} />}
      />
      <HostTabs uuid={host.uuid} current="Console" console={allowed} />
      <LiveUpdates pools={[host.pool]} watch={hostConsole?.watch ?? [host.uuid]} />
      <PoolBanners pools={host.pool.status.state === "connected" ? [] : [{ id: host.pool.id, label: host.pool.label, status: host.pool.status }]} />
      {hostConsole && allowed ? (
        <TextConsoleWidget vmUuid={hostConsole.consoleUuid} label={`Text console of ${host.name}`} running={hostConsole.running} />
      ) : (
        <Card padded={false}>
          <EmptyState title="You may not open this host's console" icon="shield">
            The host console is a root login prompt on the host: it takes the admin role on the host.
          </EmptyState>
        </Card>
      )}
    </>
  );
}
