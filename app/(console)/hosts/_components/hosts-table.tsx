/**
 * A table of hosts: the hosts page (with their pool, sortable by any column) and a pool's page (without).
 */
import Link from "next/link";
import type { HostRow } from "@/lib/inventory/hosts";
import type { HostSortColumn } from "@/lib/inventory/host-query";
import { Cell, DataTable, HeaderCell, SortHeader, TableBody, TableHead, TableRow, MessageRow } from "@/lib/ui/data-table";
import { HostState } from "./host-state";
import { BytesUsed } from "@/lib/ui/bytes-used";

/** How the headers sort: the link of each column, and the current sort. */
export interface HostsTableSort {
  href: (column: HostSortColumn) => string;
  column: HostSortColumn;
  dir: "asc" | "desc";
}

export function HostsTable({ hosts, label, showPool = false, sort }: { hosts: HostRow[]; label: string; showPool?: boolean; sort?: HostsTableSort }) {
  const header = (column: HostSortColumn, text: string, numeric = false) =>
    sort ? (
      <SortHeader label={text} href={sort.href(column)} active={sort.column === column} dir={sort.dir} numeric={numeric} />
    ) : (
      <HeaderCell numeric={numeric}>{text}</HeaderCell>
    );
  return (
    <DataTable label={label}>
      <TableHead>
        <tr>
          {header("name", "Name")}
          {showPool && header("pool", "Pool")}
          {header("address", "Address")}
          {header("state", "State")}
          {header("memory", "Memory")}
          {header("cpus", "CPUs", true)}
          {header("vms", "VMs", true)}
        </tr>
      </TableHead>
      <TableBody>
        {hosts.length === 0 ? (
          <MessageRow colSpan={showPool ? 7 : 6}>No hosts known yet</MessageRow>
        ) : (
          hosts.map((host) => (
            <TableRow key={host.uuid}>
              <Cell className="font-medium">
                <Link href={`/hosts/${host.uuid}`} prefetch={false} className="text-link hover:underline">
                  {host.name}
                </Link>
                {host.isMaster && <span className="ml-1.5 text-xs text-muted">master</span>}
              </Cell>
              {showPool && <Cell>{host.poolLabel}</Cell>}
              <Cell mono>{host.address}</Cell>
              <Cell>
                <HostState enabled={host.enabled} live={host.live} stale={host.stale} maintenance={host.maintenance} activity={host.activity} />
              </Cell>
              <Cell className="min-w-44">
                <BytesUsed what="Memory" used={host.memoryUsed} total={host.memoryTotal} />
              </Cell>
              <Cell numeric>{host.cpuCount}</Cell>
              <Cell numeric>{host.residentVmCount}</Cell>
            </TableRow>
          ))
        )}
      </TableBody>
    </DataTable>
  );
}
