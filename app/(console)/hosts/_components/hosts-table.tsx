/** A table of hosts: the hosts page (with their pool) and a pool's page (without). */
import Link from "next/link";
import type { HostRow } from "@/lib/inventory/hosts";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { HostState } from "./host-state";
import { BytesUsed } from "@/lib/ui/bytes-used";

export function HostsTable({ hosts, label, showPool = false }: { hosts: HostRow[]; label: string; showPool?: boolean }) {
  return (
    <DataTable label={label}>
      <TableHead>
        <tr>
          <HeaderCell>Name</HeaderCell>
          {showPool && <HeaderCell>Pool</HeaderCell>}
          <HeaderCell>Address</HeaderCell>
          <HeaderCell>State</HeaderCell>
          <HeaderCell>Memory</HeaderCell>
          <HeaderCell numeric>CPUs</HeaderCell>
          <HeaderCell numeric>VMs</HeaderCell>
        </tr>
      </TableHead>
      <TableBody>
        {hosts.length === 0 ? (
          <TableRow>
            <Cell colSpan={showPool ? 7 : 6} muted>
              No hosts known yet
            </Cell>
          </TableRow>
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
