/** A table of storage repositories: a host's (attached to it) or a pool's (marking the default one). */
import Link from "next/link";
import type { SrDto } from "@/lib/inventory/storage";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { formatBytes } from "@/lib/ui/format";

export function StorageTable({ storage, label, defaultSrUuid }: { storage: SrDto[]; label: string; defaultSrUuid?: string | null }) {
  return (
    <DataTable label={label}>
      <TableHead>
        <tr>
          <HeaderCell>Name</HeaderCell>
          <HeaderCell>Type</HeaderCell>
          <HeaderCell>Shared</HeaderCell>
          <HeaderCell numeric>Used</HeaderCell>
          <HeaderCell numeric>Size</HeaderCell>
        </tr>
      </TableHead>
      <TableBody>
        {storage.map((sr) => (
          <TableRow key={sr.uuid}>
            <Cell>
              <Link href={`/storage/${sr.uuid}`} prefetch={false} className="text-link hover:underline">
                {sr.name}
              </Link>
              {sr.uuid === defaultSrUuid && <span className="ml-1.5 text-xs text-muted">default</span>}
            </Cell>
            <Cell mono>{sr.type}</Cell>
            <Cell>{sr.shared ? "Yes" : "No"}</Cell>
            <Cell numeric>{formatBytes(sr.used)}</Cell>
            <Cell numeric>{formatBytes(sr.size)}</Cell>
          </TableRow>
        ))}
      </TableBody>
    </DataTable>
  );
}
