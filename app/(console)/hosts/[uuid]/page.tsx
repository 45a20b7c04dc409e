import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { hostDetail } from "@/lib/inventory/hosts";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { PowerStateBadge } from "@/lib/ui/badge";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow, MessageRow } from "@/lib/ui/data-table";
import { formatBytes } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { PageHeader } from "@/lib/ui/page-header";
import { Skeleton } from "@/lib/ui/skeleton";
import { HostState } from "@/app/(console)/hosts/_components/host-state";
import { BytesUsed } from "@/lib/ui/bytes-used";
import { StorageTable } from "@/app/(console)/hosts/_components/storage-table";
import { ObjectAlerts } from "@/app/(console)/_components/object-alerts";
import { hostControls } from "@/lib/hosts/controls";
import { HostControls } from "./_components/host-controls";
import { HostTabs } from "./_components/host-tabs";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const host = await hostDetail(user, (await params).uuid);
  return { title: host ? `${host.name} · Hosts` : "Host not found" };
}

export default async function HostPage({ params }: Props) {
  const user = await requireUser();
  const { uuid } = await params;
  const [host, controls] = await Promise.all([hostDetail(user, uuid), hostControls(user, uuid)]);
  if (!host || !controls) notFound();

  return (
    <>
      <PageHeader
        title={host.name}
        breadcrumbs={[{ label: "Hosts", href: "/hosts" }, { label: host.name }]}
        meta={<HostState enabled={host.enabled} live={host.live} stale={host.stale} maintenance={host.maintenance} activity={host.activity} />}
        description={host.description || undefined}
      />
      <HostTabs uuid={host.uuid} current="Overview" console={can(user, "host.console", host.securable)} />
      <LiveUpdates pools={[host.pool]} watch={[host.uuid, ...host.vms.map((vm) => vm.uuid)]} />
      <PoolBanners pools={host.pool.status.state === "connected" ? [] : [{ id: host.pool.id, label: host.pool.label, status: host.pool.status }]} />
      <div className="space-y-5">
        <HostControls controls={controls} />
        <ObjectAlerts uuid={host.uuid} objectName={host.name} />
        <Card title="General">
          <KeyValueList>
            <KeyValue label="UUID" mono>
              {host.uuid}
            </KeyValue>
            <KeyValue label="Pool">
              <Link href={`/pools/${host.pool.id}`} className="text-link hover:underline">
                {host.pool.label}
              </Link>
              {host.isMaster && <span className="text-muted"> (master)</span>}
            </KeyValue>
            <KeyValue label="Address" mono>
              {host.address}
            </KeyValue>
            <KeyValue label="Host name" mono>
              {host.hostname}
            </KeyValue>
            <KeyValue label="Memory">
              <BytesUsed what="Memory" used={host.memoryUsed} total={host.memoryTotal} />
            </KeyValue>
            <KeyValue label="CPUs">
              {host.cpuCount} threads{host.socketCount ? `, ${host.socketCount} sockets` : ""}
              {host.cpuModel && <span className="block text-xs text-muted">{host.cpuModel}</span>}
            </KeyValue>
            <KeyValue label="Version">{[host.productBrand, host.productVersion].filter(Boolean).join(" ")}</KeyValue>
            <KeyValue label="Xen">{host.xenVersion}</KeyValue>
            <KeyValue label="XAPI version">{host.apiVersion}</KeyValue>
          </KeyValueList>
        </Card>
        <Section
          title="Resident VMs"
          description={`${host.residentVmCount} VMs run here${host.vms.length < host.residentVmCount ? `; ${host.vms.length} of them are visible to you` : ""}.`}
        >
          <DataTable label="Resident VMs">
            <TableHead>
              <tr>
                <HeaderCell>Name</HeaderCell>
                <HeaderCell>State</HeaderCell>
                <HeaderCell numeric>vCPUs</HeaderCell>
                <HeaderCell numeric>Memory</HeaderCell>
                <HeaderCell>IP address</HeaderCell>
                <HeaderCell>OS</HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {host.vms.length === 0 ? (
                <MessageRow colSpan={6}>No VM to show</MessageRow>
              ) : (
                host.vms.map((vm) => (
                  <TableRow key={vm.uuid}>
                    <Cell className="font-medium">
                      <Link href={`/vms/${vm.uuid}`} prefetch={false} className="text-link hover:underline">
                        {vm.name}
                      </Link>
                    </Cell>
                    <Cell>
                      <PowerStateBadge state={vm.powerState} stale={host.stale} />
                    </Cell>
                    <Cell numeric>{vm.vcpus}</Cell>
                    <Cell numeric>{formatBytes(vm.memoryBytes)}</Cell>
                    <Cell mono muted={!vm.ip}>
                      {vm.ip ?? "—"}
                    </Cell>
                    <Cell muted={!vm.os}>{vm.os ?? "—"}</Cell>
                  </TableRow>
                ))
              )}
            </TableBody>
          </DataTable>
        </Section>
        <Section title="Network interfaces">
          <DataTable label="Physical network interfaces">
            <TableHead>
              <tr>
                <HeaderCell>Device</HeaderCell>
                <HeaderCell>Network</HeaderCell>
                <HeaderCell>IP address</HeaderCell>
                <HeaderCell>MAC</HeaderCell>
                <HeaderCell>Attached</HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {host.interfaces.map((pif) => (
                <TableRow key={pif.uuid}>
                  <Cell mono>
                    {pif.device}
                    {pif.management && <span className="text-muted"> · management</span>}
                  </Cell>
                  <Cell>{pif.network ?? "—"}</Cell>
                  <Cell mono muted={!pif.ip}>
                    {pif.ip || "—"}
                  </Cell>
                  <Cell mono>{pif.mac}</Cell>
                  <Cell>{pif.attached ? "Yes" : "No"}</Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
        </Section>
        <Section title="Storage">
          <StorageTable storage={host.storage} label="Storage repositories attached to the host" />
        </Section>
        {user.isAdmin && (
          <Suspense fallback={<Skeleton className="h-24 w-full" />}>
            <ObjectAccess target={host.securable} objectName={host.name} />
          </Suspense>
        )}
      </div>
    </>
  );
}
