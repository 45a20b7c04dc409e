import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { can } from "@/lib/access/can";
import { YourAccess } from "@/app/(console)/_components/your-access";
import { ObjectAlerts } from "@/app/(console)/_components/object-alerts";
import { requireUser } from "@/lib/auth/current-user";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { vmManagementView, type VmManagementView } from "@/lib/inventory/vm-management";
import { vmDetail, type VmDetail } from "@/lib/inventory/vms";
import { Badge, PowerStateBadge } from "@/lib/ui/badge";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow, MessageRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatBytes } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { ProgressBar } from "@/lib/ui/progress";
import { Skeleton } from "@/lib/ui/skeleton";
import { VmOperationButtons } from "@/app/(console)/vms/_components/vm-operation-buttons";
import { SnapshotActions } from "./_components/snapshot-actions";
import { VmManagementButtons } from "./_components/vm-management-buttons";
import { VmTabs } from "./_components/vm-tabs";
import { RememberVm } from "./_components/vm-gone";

type Props = { params: Promise<{ uuid: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const vm = await vmDetail(user, (await params).uuid);
  return { title: vm ? `${vm.name} · VMs` : "VM not found" };
}

export default async function VmPage({ params }: Props) {
  const user = await requireUser();
  const { uuid } = await params;
  const [vm, management] = await Promise.all([vmDetail(user, uuid), vmManagementView(user, uuid)]);
  if (!vm || !management) notFound();

  return (
    <>
      <PageHeader
        title={vm.name}
        breadcrumbs={[{ label: "VMs", href: "/vms" }, { label: vm.name }]}
        meta={<PowerStateBadge state={vm.powerState} stale={vm.stale} />}
        description={vm.description || undefined}
      />
      <VmTabs uuid={vm.uuid} current="Overview" console={can(user, "vm.console", vm.securable)} />
      <LiveUpdates pools={[vm.pool]} watch={vm.related} />
      <RememberVm uuid={vm.uuid} name={vm.name} />
      <PoolBanners pools={vm.pool.status.state === "connected" ? [] : [{ id: vm.pool.id, label: vm.pool.label, status: vm.pool.status }]} />
      <div className="space-y-5">
        <div className="flex flex-wrap items-start gap-x-6 gap-y-2">
          <VmOperationButtons vm={{ uuid: vm.uuid, name: vm.name }} powerState={vm.powerState} operations={vm.operations} hosts={vm.startOnHosts} />
          <VmManagementButtons
            vm={{ uuid: vm.uuid, name: vm.name, description: vm.description }}
            operations={management.operations}
            migrationHosts={management.migrationHosts}
            copyTargets={management.copyTargets}
            deletion={management.deletion}
            tasks={vm.tasks}
          />
        </div>
        <YourAccess user={user} target={vm.securable} />
        <RunningTasks tasks={vm.tasks} />
        <ObjectAlerts uuid={vm.uuid} objectName={vm.name} />
        <General vm={vm} />
        <Disks vm={vm} />
        <Interfaces vm={vm} />
        <Snapshots vm={vm} operations={management.snapshotOperations} />
        <details className="text-sm">
          <summary className="cursor-pointer text-muted hover:text-fg">Details: the operations XAPI allows now</summary>
          <p className="mt-1 text-xs text-muted">From the VM&apos;s allowed_operations: what the pool would accept at this moment.</p>
          <p className="mt-1 flex flex-wrap gap-1">
            {vm.allowedOperations.length === 0 ? <span className="text-muted">None</span> : vm.allowedOperations.map((op) => <Badge key={op}>{op}</Badge>)}
          </p>
        </details>
        {user.isAdmin && (
          <Suspense fallback={<Skeleton className="h-24 w-full" />}>
            <ObjectAccess target={vm.securable} objectName={vm.name} />
          </Suspense>
        )}
      </div>
    </>
  );
}

function RunningTasks({ tasks }: { tasks: VmDetail["tasks"] }) {
  if (tasks.length === 0) return null;
  return (
    <div className="space-y-2" aria-label="Operations in progress">
      {tasks.map((task, index) => (
        <ProgressBar key={`${task.operation}-${index}`} label={task.label} value={task.progress} showLabel className="max-w-md" />
      ))}
    </div>
  );
}

function General({ vm }: { vm: VmDetail }) {
  return (
    <Card title="General">
      <KeyValueList>
        <KeyValue label="UUID" mono>
          {vm.uuid}
        </KeyValue>
        <KeyValue label="Pool">
          {vm.pool.visible ? (
            <Link href={`/pools/${vm.pool.id}`} className="text-link hover:underline">
              {vm.pool.label}
            </Link>
          ) : (
            vm.pool.label
          )}
        </KeyValue>
        <KeyValue label="Host">
          {vm.host ? (
            vm.host.visible ? (
              <Link href={`/hosts/${vm.host.uuid}`} className="text-link hover:underline">
                {vm.host.name}
              </Link>
            ) : (
              vm.host.name
            )
          ) : (
            "Not running"
          )}
        </KeyValue>
        <KeyValue label="Operating system">{vm.os}</KeyValue>
        <KeyValue label="vCPUs">{vm.vcpusMax > vm.vcpus ? `${vm.vcpus} (up to ${vm.vcpusMax})` : vm.vcpus}</KeyValue>
        <KeyValue label="Memory">
          {formatBytes(vm.memoryBytes)}
          {vm.memoryDynamicMin !== vm.memoryDynamicMax && (
            <span className="text-muted">
              {" "}
              (dynamic {formatBytes(vm.memoryDynamicMin)}–{formatBytes(vm.memoryDynamicMax)})
            </span>
          )}
        </KeyValue>
        <KeyValue label="IP addresses" mono>
          {vm.ips.length > 0 ? vm.ips.join(", ") : null}
        </KeyValue>
        <KeyValue label="Guest tools">{vm.pvDriversVersion}</KeyValue>
        <KeyValue label="Virtualization">{vm.domainType.toUpperCase()}</KeyValue>
        <KeyValue label="HA">{vm.haAlwaysRun ? "Restarted by HA" : "Not protected"}</KeyValue>
        <KeyValue label="Started">{vm.startTime ? <LocalTime value={vm.startTime} format="relative" /> : null}</KeyValue>
        <KeyValue label="Tags">
          {vm.tags.length > 0 ? (
            <span className="flex flex-wrap gap-1">
              {vm.tags.map((tag) => (
                <Badge key={tag} tone="info">
                  {tag}
                </Badge>
              ))}
            </span>
          ) : null}
        </KeyValue>
      </KeyValueList>
    </Card>
  );
}

function Disks({ vm }: { vm: VmDetail }) {
  return (
    <Section title="Disks">
      <DataTable label="Disks">
        <TableHead>
          <tr>
            <HeaderCell>Position</HeaderCell>
            <HeaderCell>Name</HeaderCell>
            <HeaderCell>Type</HeaderCell>
            <HeaderCell numeric>Size</HeaderCell>
            <HeaderCell numeric>Used</HeaderCell>
            <HeaderCell>Storage</HeaderCell>
            <HeaderCell>Mode</HeaderCell>
            <HeaderCell>Attached</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {vm.disks.length === 0 ? (
            <MessageRow colSpan={8}>No disks</MessageRow>
          ) : (
            vm.disks.map((disk) => (
              <TableRow key={disk.uuid}>
                <Cell mono>
                  {disk.position}
                  {disk.device ? ` (${disk.device})` : ""}
                  {disk.bootable && <span className="text-muted"> · boot</span>}
                </Cell>
                <Cell>{disk.vdi?.name ?? (disk.empty ? "Empty drive" : "—")}</Cell>
                <Cell>{disk.type}</Cell>
                <Cell numeric>{disk.vdi ? formatBytes(disk.vdi.virtualSize) : "—"}</Cell>
                <Cell numeric>{disk.vdi ? formatBytes(disk.vdi.physicalUtilisation) : "—"}</Cell>
                <Cell>
                  {disk.sr?.visible ? (
                    <Link href={`/storage/${disk.sr.uuid}`} prefetch={false} className="text-link hover:underline">
                      {disk.sr.name}
                    </Link>
                  ) : (
                    (disk.sr?.name ?? "—")
                  )}
                </Cell>
                <Cell>{disk.mode === "RO" ? "Read-only" : "Read-write"}</Cell>
                <Cell>{disk.attached ? "Yes" : "No"}</Cell>
              </TableRow>
            ))
          )}
        </TableBody>
      </DataTable>
    </Section>
  );
}

function Interfaces({ vm }: { vm: VmDetail }) {
  return (
    <Section title="Network interfaces">
      <DataTable label="Network interfaces">
        <TableHead>
          <tr>
            <HeaderCell>Device</HeaderCell>
            <HeaderCell>Network</HeaderCell>
            <HeaderCell>MAC</HeaderCell>
            <HeaderCell>IP addresses</HeaderCell>
            <HeaderCell numeric>MTU</HeaderCell>
            <HeaderCell>Attached</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {vm.interfaces.length === 0 ? (
            <MessageRow colSpan={6}>No network interfaces</MessageRow>
          ) : (
            vm.interfaces.map((vif) => (
              <TableRow key={vif.uuid}>
                <Cell mono>eth{vif.device}</Cell>
                <Cell>{vif.network?.name ?? "—"}</Cell>
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

function Snapshots({ vm, operations }: { vm: VmDetail; operations: VmManagementView["snapshotOperations"] }) {
  const withActions = vm.snapshots.some((snapshot) => (operations[snapshot.uuid]?.length ?? 0) > 0);
  return (
    <Section title="Snapshots">
      {vm.snapshots.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No snapshots">This VM has no snapshots.</EmptyState>
        </Card>
      ) : (
        <DataTable label="Snapshots">
          <TableHead>
            <tr>
              <HeaderCell>Name</HeaderCell>
              <HeaderCell>Taken</HeaderCell>
              {withActions && (
                <HeaderCell>
                  <span className="sr-only">Actions</span>
                </HeaderCell>
              )}
            </tr>
          </TableHead>
          <TableBody>
            {vm.snapshots.map((snapshot) => (
              <TableRow key={snapshot.uuid}>
                <Cell>{snapshot.name}</Cell>
                <Cell>{snapshot.time ? <LocalTime value={snapshot.time} format="datetime" /> : "—"}</Cell>
                {withActions && (
                  <Cell>
                    <SnapshotActions vmName={vm.name} snapshot={snapshot} operations={operations[snapshot.uuid] ?? []} />
                  </Cell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      )}
    </Section>
  );
}
