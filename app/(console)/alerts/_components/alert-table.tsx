/**
 * Alerts as a table, newest first: priority, what happened (in words), the object it is about (linked), its
 * pool, when. Rows the user may dismiss have a checkbox (several at once) and a Dismiss button.
 */
import Link from "next/link";
import type { AlertDto } from "@/lib/alerts/alerts";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { LocalTime } from "@/lib/ui/local-time";
import { RowSelection, SelectAllHeader, SelectCell } from "@/lib/ui/row-selection";
import { HEADER_CELL } from "@/lib/ui/data-table";
import { DismissAlertButton, DismissSelectedAlerts } from "./dismiss-alerts";
import { PriorityBadge } from "./priority-badge";

export function AlertTable({ alerts, label, showObject = true }: { alerts: AlertDto[]; label: string; showObject?: boolean }) {
  const dismissable = alerts.filter((alert) => alert.canDismiss).map((alert) => alert.uuid);
  const selectable = dismissable.length > 0;
  return (
    <RowSelection ids={dismissable} name="alert">
      <div className="space-y-2">
        {selectable && <DismissSelectedAlerts />}
        <DataTable label={label}>
          <TableHead>
            <tr>
              {selectable ? <SelectAllHeader label="Select every alert you may dismiss on this page" /> : null}
              <HeaderCell>Priority</HeaderCell>
              <HeaderCell>Alert</HeaderCell>
              {showObject && <HeaderCell>Object</HeaderCell>}
              <HeaderCell>Pool</HeaderCell>
              <HeaderCell>When</HeaderCell>
              {selectable ? (
                <th scope="col" className={HEADER_CELL}>
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </TableHead>
          <TableBody>
            {alerts.map((alert) => (
              <TableRow key={alert.uuid}>
                {selectable ? alert.canDismiss ? <SelectCell id={alert.uuid} label={`Select ${alert.title}`} /> : <td /> : null}
                <Cell>
                  <PriorityBadge priority={alert.priority} label={alert.priorityLabel} />
                </Cell>
                <Cell className="min-w-56">
                  <span className="font-medium">{alert.title}</span>
                  {alert.details && <span className="block text-xs break-words text-muted">{alert.details}</span>}
                </Cell>
                {showObject && (
                  <Cell>
                    {alert.object.href ? (
                      <Link href={alert.object.href} prefetch={false} className="text-link hover:underline">
                        {alert.object.name ?? alert.object.uuid}
                      </Link>
                    ) : (
                      <span className="text-muted">{alert.object.name ?? "An object no longer known"}</span>
                    )}
                  </Cell>
                )}
                <Cell>{alert.pool.label}</Cell>
                <Cell className="whitespace-nowrap">
                  <LocalTime value={alert.time} format="relative" />
                </Cell>
                {selectable ? <Cell>{alert.canDismiss && <DismissAlertButton alert={alert.uuid} title={alert.title} />}</Cell> : null}
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      </div>
    </RowSelection>
  );
}
