import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { requireUser } from "@/lib/auth/current-user";
import { loadPoolViews } from "@/lib/pools/views";
import { networkDetail, type NetworkDetail } from "@/lib/storage/networks";
import { Badge } from "@/lib/ui/badge";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow, MessageRow } from "@/lib/ui/data-table";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { Skeleton } from "@/lib/ui/skeleton";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const network = await networkDetail(user, (await params).uuid);
  return { title: network ? `${network.name} · Networks` : "Network not found" };
}

export default async function NetworkPage({ params }: Props) {
  const user = await requireUser();
  const network = await networkDetail(user, (await params).uuid);
  if (!network) notFound();
  const view = (await loadPoolViews()).find((candidate) => candidate.id === network.pool.id)!;

  return (
    <>
      <PageHeader
        title={network.name}
        breadcrumbs={[{ label: "Networks", href: "/networks" }, { label: network.name }]}
        description={network.description || undefined}
      />
      <LiveUpdates pools={[view]} watch={[network.uuid, ...network.pifList.map((pif) => pif.uuid), ...network.vifs.map((vif) => vif.uuid)]} />
      <PoolBanners pools={view.status.state === "connected" ? [] : [{ id: view.id, label: view.label, status: view.status }]} />
      <div className="space-y-5">
        <Card title="General">
          <KeyValueList>
            <KeyValue label="UUID" mono>
              {network.uuid}
            </KeyValue>
            <KeyValue label="Pool">
              <Link href={`/pools/${network.pool.id}`} className="text-link hover:underline">
                {network.pool.label}
              </Link>
            </KeyValue>
            <KeyValue label="Bridge" mono>
              {network.bridge}
            </KeyValue>
            <KeyValue label="MTU">{network.mtu}</KeyValue>
            <KeyValue label="VLAN">{network.vlans.length > 0 ? network.vlans.join(", ") : "None (untagged)"}</KeyValue>
            <KeyValue label="VM interfaces">{network.vifCount}</KeyValue>
          </KeyValueList>
        </Card>
        <Pifs network={network} />
        <Vifs network={network} />
        {user.isAdmin && (
          <Suspense fallback={<Skeleton className="h-24 w-full" />}>
            <ObjectAccess target={network.securable} objectName={network.name} />
          </Suspense>
        )}
      </div>
    </>
  );
}

function Pifs({ network }: { network: NetworkDetail }) {
  return (
    <Section
      title="Physical interfaces"
      description={network.internal ? "No host carries it on a physical interface: its VMs reach each other only on the same host." : undefined}
    >
      <DataTable label="Physical interfaces per host">
        <TableHead>
          <tr>
            <HeaderCell>Host</HeaderCell>
            <HeaderCell>Device</HeaderCell>
            <HeaderCell>VLAN</HeaderCell>
            <HeaderCell numeric>MTU</HeaderCell>
            <HeaderCell>IP address</HeaderCell>
            <HeaderCell>Plugged</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {network.pifList.length === 0 ? (
            <MessageRow colSpan={6}>No physical interface</MessageRow>
          ) : (
            network.pifList.map((pif) => (
              <TableRow key={pif.uuid}>
                <Cell>
                  {pif.host?.visible ? (
                    <Link href={`/hosts/${pif.host.uuid}`} prefetch={false} className="text-link hover:underline">
                      {pif.host.name}
                    </Link>
                  ) : (
                    (pif.host?.name ?? "—")
                  )}
                </Cell>
                <Cell mono>
                  {pif.device}
                  {pif.management && <span className="text-muted"> · management</span>}
                </Cell>
                <Cell muted={pif.vlan === null}>{pif.vlan ?? "—"}</Cell>
                <Cell numeric>{pif.mtu}</Cell>
                <Cell mono muted={!pif.ip}>
                  {pif.ip || "—"}
                </Cell>
                <Cell>{pif.attached ? <Badge tone="ok">Plugged</Badge> : <Badge tone="warn">Unplugged</Badge>}</Cell>
              </TableRow>
            ))
          )}
        </TableBody>
      </DataTable>
    </Section>
  );
}

function Vifs({ network }: { network: NetworkDetail }) {
  return (
    <Section
      title="VM interfaces"
      description={
        network.hiddenVifs > 0
          ? `${network.hiddenVifs} more ${network.hiddenVifs === 1 ? "interface belongs" : "interfaces belong"} to VMs you cannot see.`
          : undefined
      }
    >
      <DataTable label="VM interfaces on this network">
        <TableHead>
          <tr>
            <HeaderCell>VM</HeaderCell>
            <HeaderCell>Device</HeaderCell>
            <HeaderCell>MAC</HeaderCell>
            <HeaderCell>IP addresses</HeaderCell>
            <HeaderCell numeric>MTU</HeaderCell>
            <HeaderCell>Attached</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {network.vifs.length === 0 ? (
            <MessageRow colSpan={6}>No VM interface to show</MessageRow>
          ) : (
            network.vifs.map((vif) => (
              <TableRow key={vif.uuid}>
                <Cell>
                  {vif.vm?.href ? (
                    <Link href={vif.vm.href} prefetch={false} className="text-link hover:underline">
                      {vif.vm.name}
                    </Link>
                  ) : (
                    (vif.vm?.name ?? "—")
                  )}
                </Cell>
                <Cell mono>eth{vif.device}</Cell>
                <Cell mono>{vif.mac}</Cell>
                <Cell mono muted={vif.addresses.length === 0}>
                  {vif.addresses.length > 0 ? vif.addresses.join(", ") : "—"}
                </Cell>
                <Cell numeric>{vif.mtu}</Cell>
                <Cell>{vif.attached ? "Yes" : "No"}</Cell>
              </TableRow>
            ))
          )}
        </TableBody>
      </DataTable>
    </Section>
  );
}
