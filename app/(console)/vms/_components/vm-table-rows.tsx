"use client";

/**
 * The VM list's body rows. A client component for one reason: the page ships the rows as compact data (a few
 * hundred bytes each) instead of a rendered tree, which is most of what a list request costs the server at
 * 10,000 VMs. Still rendered on the server first (SSR), so the list shows without JavaScript. For the same
 * reason the names are plain links, followed in the app by one handler on the body (`useInAppLinks`).
 */
import type { VmRow } from "@/lib/inventory/vm-query";
import { PowerStateBadge } from "@/lib/ui/badge";
import { Cell, TableRow } from "@/lib/ui/data-table";
import { formatBytes } from "@/lib/ui/format";
import { useInAppLinks } from "@/lib/ui/in-app-links";
import { Spinner } from "@/lib/ui/progress";
import { SelectCell } from "@/lib/ui/row-selection";

/** The fields a row shows. */
export type VmListRow = Pick<VmRow, "uuid" | "name" | "powerState" | "poolLabel" | "hostName" | "vcpus" | "memoryBytes" | "ip" | "os" | "stale" | "busy">;

export function VmTableRows({ rows, selectable }: { rows: VmListRow[]; selectable: boolean }) {
  const followLink = useInAppLinks();
  return (
    <tbody onClick={followLink}>
      {rows.map((vm) => (
        <VmTableRow key={vm.uuid} vm={vm} selectable={selectable} />
      ))}
    </tbody>
  );
}

function VmTableRow({ vm, selectable }: { vm: VmListRow; selectable: boolean }) {
  return (
    <TableRow>
      {selectable && <SelectCell id={vm.uuid} label={`Select ${vm.name}`} />}
      <Cell className="max-w-64 truncate font-medium">
        <a href={`/vms/${vm.uuid}`} className="text-link hover:underline">
          {vm.name}
        </a>
      </Cell>
      <Cell>
        <span className="inline-flex flex-wrap items-center gap-x-1.5">
          <PowerStateBadge state={vm.powerState} stale={vm.stale} />
          {vm.busy && (
            <span className="inline-flex items-center gap-1 text-xs text-muted">
              <Spinner size={10} />
              {vm.busy}
            </span>
          )}
        </span>
      </Cell>
      <Cell>{vm.poolLabel}</Cell>
      <Cell muted={!vm.hostName}>{vm.hostName ?? "—"}</Cell>
      <Cell numeric>{vm.vcpus}</Cell>
      <Cell numeric>{formatBytes(vm.memoryBytes)}</Cell>
      <Cell mono muted={!vm.ip}>
        {vm.ip ?? "—"}
      </Cell>
      <Cell muted={!vm.os} className="max-w-56 truncate">
        {vm.os ?? "—"}
      </Cell>
    </TableRow>
  );
}
