import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { ObjectAlerts } from "@/app/(console)/_components/object-alerts";
import { requireUser } from "@/lib/auth/current-user";
import { loadPoolViews } from "@/lib/pools/views";
import { srDetail, type SrDetail } from "@/lib/storage/srs";
import { Badge } from "@/lib/ui/badge";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow, MessageRow } from "@/lib/ui/data-table";
import { formatBytes } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { Skeleton } from "@/lib/ui/skeleton";
import { AttachmentBadge } from "../_components/sr-table";
import { BytesUsed } from "@/lib/ui/bytes-used";
import { RescanButton } from "./_components/rescan-button";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const sr = await srDetail(user, (await params).uuid);
  return { title: sr ? `${sr.name} · Storage` : "Storage repository not found" };
}

export default async function SrPage({ params }: Props) {
  const user = await requireUser();
  const sr = await srDetail(user, (await params).uuid);
  if (!sr) notFound();
  const view = (await loadPoolViews()).find((candidate) => candidate.id === sr.pool.id)!;

  return (
    <>
      <PageHeader
        title={sr.name}
        breadcrumbs={[{ label: "Storage", href: "/storage" }, { label: sr.name }]}
        meta={
          sr.scanning ? (
            <Badge tone="info" dot>
              Rescanning…
            </Badge>
          ) : (
            <AttachmentBadge sr={sr} />
          )
        }
        description={sr.description || undefined}
        actions={sr.scan ? <RescanButton sr={sr.uuid} unavailableReason={sr.scan.unavailableReason} /> : undefined}
      />
      <LiveUpdates pools={[view]} watch={[sr.uuid, ...sr.disks.map((disk) => disk.uuid)]} />
      <PoolBanners pools={view.status.state === "connected" ? [] : [{ id: view.id, label: view.label, status: view.status }]} />
      <div className="space-y-5">
        <ObjectAlerts uuid={sr.uuid} objectName={sr.name} />
        <General sr={sr} />
        <Disks sr={sr} />
        <Pbds sr={sr} />
        {user.isAdmin && (
          <Suspense fallback={<Skeleton className="h-24 w-full" />}>
            <ObjectAccess target={sr.securable} objectName={sr.name} />
          </Suspense>
        )}
      </div>
    </>
  );
}

function General({ sr }: { sr: SrDetail }) {
  return (
    <Card title="General">
      <KeyValueList>
        <KeyValue label="UUID" mono>
          {sr.uuid}
        </KeyValue>
        <KeyValue label="Pool">
          <Link href={`/pools/${sr.pool.id}`} className="text-link hover:underline">
            {sr.pool.label}
          </Link>
          {sr.isDefault && <span className="text-muted"> (its default SR)</span>}
        </KeyValue>
        <KeyValue label="Type">
          <span className="font-mono">{sr.type}</span>
          {sr.contentType && <span className="text-muted"> ({sr.contentType})</span>}
        </KeyValue>
        <KeyValue label="Scope">
          {sr.shared ? (
            "Shared by the hosts of the pool"
          ) : sr.host ? (
            <>
              Local to{" "}
              {sr.host.visible ? (
                <Link href={`/hosts/${sr.host.uuid}`} className="text-link hover:underline">
                  {sr.host.name}
                </Link>
              ) : (
                sr.host.name
              )}
            </>
          ) : (
            "Local"
          )}
        </KeyValue>
        <KeyValue label="Size">{formatBytes(sr.size)}</KeyValue>
        <KeyValue label="Used">
          <BytesUsed what="Space" used={sr.used} total={sr.size} />
        </KeyValue>
        <KeyValue label="Allocated">
          {formatBytes(sr.allocated)}
          {sr.size > 0 && sr.allocated > sr.size && <span className="text-muted"> (over-provisioned: thin disks)</span>}
        </KeyValue>
        <KeyValue label="Disks">{sr.diskCount}</KeyValue>
      </KeyValueList>
    </Card>
  );
}

function Disks({ sr }: { sr: SrDetail }) {
  return (
    <Section title="Disks" description={sr.disks.length < sr.diskCount ? `${sr.disks.length} of its ${sr.diskCount} disks are visible to you.` : undefined}>
      <DataTable label="Disks on this storage">
        <TableHead>
          <tr>
            <HeaderCell>Name</HeaderCell>
            <HeaderCell>Used by</HeaderCell>
            <HeaderCell numeric>Size</HeaderCell>
            <HeaderCell numeric>Used</HeaderCell>
            <HeaderCell>Type</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {sr.disks.length === 0 ? (
            <MessageRow colSpan={5}>No disks</MessageRow>
          ) : (
            sr.disks.map((disk) => (
              <TableRow key={disk.uuid}>
                <Cell className="min-w-44">
                  {disk.name || <span className="text-muted">Unnamed disk</span>}
                  {disk.snapshot && <span className="ml-1.5 text-xs text-muted">snapshot</span>}
                  {disk.readOnly && <span className="ml-1.5 text-xs text-muted">read-only</span>}
                </Cell>
                <Cell>
                  {disk.vms.length === 0 && disk.hiddenVms === 0 && <span className="text-muted">No VM</span>}
                  {disk.vms.map((vm, index) => (
                    <span key={vm.uuid}>
                      {index > 0 && ", "}
                      {vm.href ? (
                        <Link href={vm.href} prefetch={false} className="text-link hover:underline">
                          {vm.name}
                        </Link>
                      ) : (
                        vm.name
                      )}
                      {vm.snapshot && <span className="text-muted"> (snapshot)</span>}
                    </span>
                  ))}
                  {disk.hiddenVms > 0 && (
                    <span className="text-muted">
                      {disk.vms.length > 0 ? ", and " : ""}
                      {disk.hiddenVms === 1 ? "a VM you cannot see" : `${disk.hiddenVms} VMs you cannot see`}
                    </span>
                  )}
                </Cell>
                <Cell numeric>{formatBytes(disk.virtualSize)}</Cell>
                <Cell numeric>{formatBytes(disk.used)}</Cell>
                <Cell>{disk.type}</Cell>
              </TableRow>
            ))
          )}
        </TableBody>
      </DataTable>
    </Section>
  );
}

function Pbds({ sr }: { sr: SrDetail }) {
  return (
    <Section title="Hosts" description="The SR's PBDs: how each host reaches it.">
      <DataTable label="Hosts attached to this storage">
        <TableHead>
          <tr>
            <HeaderCell>Host</HeaderCell>
            <HeaderCell>Plugged</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {sr.pbds.list.length === 0 ? (
            <MessageRow colSpan={2}>Not attached to any host</MessageRow>
          ) : (
            sr.pbds.list.map((pbd) => (
              <TableRow key={pbd.uuid}>
                <Cell>
                  {pbd.host?.visible ? (
                    <Link href={`/hosts/${pbd.host.uuid}`} prefetch={false} className="text-link hover:underline">
                      {pbd.host.name}
                    </Link>
                  ) : (
                    (pbd.host?.name ?? "Unknown host")
                  )}
                </Cell>
                <Cell>{pbd.attached ? <Badge tone="ok">Plugged</Badge> : <Badge tone="warn">Unplugged</Badge>}</Cell>
              </TableRow>
            ))
          )}
        </TableBody>
      </DataTable>
    </Section>
  );
}
