/** A table of SRs: name (local ones with their host), pool, type, scope, space, disks, attachment. */
import Link from "next/link";
import type { SrRow } from "@/lib/storage/srs";
import { Badge } from "@/lib/ui/badge";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { formatBytes } from "@/lib/ui/format";
import { BytesUsed } from "@/lib/ui/bytes-used";

/** Whether an SR is attached where it should be: every host for a shared SR, its host for a local one. */
export function AttachmentBadge({ sr }: { sr: Pick<SrRow, "pbds" | "shared"> }) {
  if (sr.pbds.total === 0) return <Badge tone="warn">Not attached</Badge>;
  if (sr.pbds.attached === sr.pbds.total) return <Badge tone="ok">{sr.shared ? `All ${sr.pbds.total} hosts` : "Attached"}</Badge>;
  return (
    <Badge tone="warn">
      {sr.pbds.attached} of {sr.pbds.total} hosts
    </Badge>
  );
}

export function SrTable({ srs, label }: { srs: SrRow[]; label: string }) {
  return (
    <DataTable label={label}>
      <TableHead>
        <tr>
          <HeaderCell>Name</HeaderCell>
          <HeaderCell>Pool</HeaderCell>
          <HeaderCell>Type</HeaderCell>
          <HeaderCell>Scope</HeaderCell>
          <HeaderCell>Used</HeaderCell>
          <HeaderCell numeric>Allocated</HeaderCell>
          <HeaderCell numeric>Disks</HeaderCell>
          <HeaderCell>Attached</HeaderCell>
        </tr>
      </TableHead>
      <TableBody>
        {srs.map((sr) => (
          <TableRow key={sr.uuid}>
            <Cell className="font-medium">
              <Link href={`/storage/${sr.uuid}`} prefetch={false} className="text-link hover:underline">
                {sr.name}
              </Link>
              {sr.isDefault && <span className="ml-1.5 text-xs text-muted">default</span>}
            </Cell>
            <Cell>{sr.pool.label}</Cell>
            <Cell mono>{sr.type}</Cell>
            <Cell>{sr.shared ? "Shared" : sr.host ? `Local to ${sr.host.name}` : "Local"}</Cell>
            <Cell className="min-w-44">
              <BytesUsed what="Space" used={sr.used} total={sr.size} />
            </Cell>
            <Cell numeric>{formatBytes(sr.allocated)}</Cell>
            <Cell numeric>{sr.diskCount}</Cell>
            <Cell>
              <AttachmentBadge sr={sr} />
            </Cell>
          </TableRow>
        ))}
      </TableBody>
    </DataTable>
  );
}
