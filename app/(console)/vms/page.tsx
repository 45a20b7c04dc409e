import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { applyVmQuery, parseVmQuery, toggleSort, vmQueryHref, type VmQuery, type VmQueryOverrides, type VmSortColumn } from "@/lib/inventory/vm-query";
import { bulkOperationsFor, poolIdsOf, visibleVmRows } from "@/lib/inventory/vms";
import { canCreateVms } from "@/lib/inventory/vm-creation";
import { ButtonLink } from "@/lib/ui/button";
import { DataTable, EmptyRow, SortHeader, TableBody, TableHead } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { Pagination } from "@/lib/ui/pagination";
import { RowSelection, SelectAllHeader } from "@/lib/ui/row-selection";
import { BulkOperations } from "./_components/bulk-operations";
import { VmFilters } from "./_components/vm-filters";
import { VmTableRows } from "./_components/vm-table-rows";

export const metadata: Metadata = { title: "VMs" };

const COLUMNS: { column: VmSortColumn; label: string; numeric?: boolean }[] = [
  { column: "name", label: "Name" },
  { column: "power_state", label: "State" },
  { column: "pool", label: "Pool" },
  { column: "host", label: "Host" },
  { column: "vcpus", label: "vCPUs", numeric: true },
  { column: "memory", label: "Memory", numeric: true },
  { column: "ip", label: "IP address" },
  { column: "os", label: "OS" },
];

export default async function VmsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const query = parseVmQuery(await props.searchParams);
  const views = await loadPoolViews();
  const rows = await visibleVmRows(user, views);
  const { rows: pageRows, total, page, pages } = applyVmQuery(rows, query);
  const operations = await bulkOperationsFor(user, pageRows);
  const poolIds = poolIdsOf(rows);
  const pools = views.filter((view) => poolIds.has(view.id)).map((view) => ({ id: view.id, label: view.label }));
  const href = (overrides: VmQueryOverrides) => vmQueryHref("/vms", query, overrides);
  const filtered = total !== rows.length;
  const creates = await canCreateVms(user);

  return (
    <>
      <PageHeader
        title="Virtual machines"
        description={
          filtered
            ? `${formatCount(total, "VM")} match, out of ${formatCount(rows.length, "VM")}`
            : `${formatCount(rows.length, "VM")} in ${formatCount(pools.length, "pool")}`
        }
        actions={
          creates ? (
            <ButtonLink href="/vms/new" variant="primary" icon="plus">
              New VM
            </ButtonLink>
          ) : undefined
        }
      />
      <LiveUpdates pools={views.filter((view) => poolIds.has(view.id))} />
      <PoolBanners pools={troubledPools(views, poolIds)} />
      <div className="space-y-3">
        <VmFilters query={query} pools={pools} />
        <RowSelection ids={pageRows.map((row) => row.uuid)} name="vm">
          <BulkOperations operations={operations} />
          <DataTable label="Virtual machines">
            <TableHead>
              <tr>
                <SelectAllHeader label="Select all VMs on this page" />
                {COLUMNS.map(({ column, label, numeric }) => (
                  <SortHeader
                    key={column}
                    label={label}
                    numeric={numeric}
                    href={href(toggleSort(query, column))}
                    active={query.sort === column}
                    dir={query.dir}
                  />
                ))}
              </tr>
            </TableHead>
            {pageRows.length === 0 ? (
              <TableBody>
                <EmptyRow colSpan={COLUMNS.length + 1}>
                  <EmptyState title="No VMs" icon="vm">
                    {emptyText(query, rows.length)}
                  </EmptyState>
                </EmptyRow>
              </TableBody>
            ) : (
              <VmTableRows
                rows={pageRows.map((vm) => ({
                  uuid: vm.uuid,
                  name: vm.name,
                  powerState: vm.powerState,
                  poolLabel: vm.poolLabel,
                  hostName: vm.hostName,
                  vcpus: vm.vcpus,
                  memoryBytes: vm.memoryBytes,
                  ip: vm.ip,
                  os: vm.os,
                  stale: vm.stale,
                }))}
              />
            )}
          </DataTable>
        </RowSelection>
        <Pagination
          page={page}
          pages={pages}
          total={total}
          perPage={query.perPage}
          hrefForPage={(p) => href({ page: p })}
          label="VM list pages"
          itemName="VMs"
        />
      </div>
    </>
  );
}

function emptyText(query: VmQuery, visible: number): string {
  if (visible === 0) return "No VMs to show: no pool is connected yet, or you have no access to any VM.";
  return query.q ? `No VM matches “${query.q}” with these filters.` : "No VM matches these filters.";
}
