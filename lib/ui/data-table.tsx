/**
 * Table primitives for dense lists (VMs, hosts, audit log). Server components; sorting and paging are links that
 * carry the state in the URL, so a view can be shared and works without JavaScript.
 *
 *   <DataTable label="Virtual machines">
 *     <TableHead>
 *       <tr>
 *         <SelectAllHeader … />                     // from row-selection.tsx, optional
 *         <SortHeader label="Name" href={…} active={q.sort === "name"} dir={q.dir} />
 *         <HeaderCell numeric>vCPUs</HeaderCell>
 *       </tr>
 *     </TableHead>
 *     <TableBody>
 *       <TableRow><Cell>…</Cell><Cell numeric>4</Cell></TableRow>
 *     </TableBody>
 *   </DataTable>
 *
 * The header sticks below the top bar while the page scrolls (laptop and up); on phones the table scrolls
 * sideways instead. A row containing a checked checkbox is highlighted by CSS alone. Body rows and cells carry
 * no classes of their own but their variants: `.data-table` in app/globals.css styles them once for every row.
 */
import Link from "next/link";
import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cx } from "./classes";
import { Icon } from "./icons";

export function DataTable({
  label,
  caption,
  className,
  children,
}: {
  /** Accessible name of the table ("Virtual machines"). */
  label: string;
  /** Optional visible caption under the table (e.g. "Showing 1–50 of 10,000"). */
  caption?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={cx("relative rounded-lg border border-line bg-surface max-md:overflow-x-auto", className)}>
      <table aria-label={label} className="data-table w-full border-separate border-spacing-0 text-[0.8125rem]">
        {children}
        {caption && <caption className="caption-bottom px-3 py-2 text-left text-xs text-muted">{caption}</caption>}
      </table>
    </div>
  );
}

export function TableHead({ children }: { children: ReactNode }) {
  return <thead className="[&_th]:sticky [&_th]:top-12 [&_th]:z-10 max-md:[&_th]:static">{children}</thead>;
}

export function TableBody({ children }: { children: ReactNode }) {
  return <tbody>{children}</tbody>;
}

/** Classes of a header cell (without padding), for custom header cells such as the select-all checkbox. */
export const HEADER_CELL =
  "h-8 border-b border-line bg-sunken text-left text-xs font-semibold whitespace-nowrap text-muted first:rounded-tl-lg last:rounded-tr-lg";

export function HeaderCell({ numeric = false, className, children, ...rest }: ThHTMLAttributes<HTMLTableCellElement> & { numeric?: boolean }) {
  return (
    <th scope="col" className={cx(HEADER_CELL, "px-3", numeric && "text-right", className)} {...rest}>
      {children}
    </th>
  );
}

/**
 * A column header that sorts by linking to the same page with other sort params. Build `href` with the list's
 * query helper (e.g. `vmQueryHref("/vms", query, toggleSort(query, "name"))`).
 */
export function SortHeader({
  label,
  href,
  active,
  dir,
  numeric = false,
  className,
}: {
  label: string;
  href: string;
  /** This column is the current sort. */
  active: boolean;
  /** Current direction (only read when active). */
  dir: "asc" | "desc";
  numeric?: boolean;
  className?: string;
}) {
  const next = active && dir === "asc" ? "descending" : "ascending";
  return (
    <th
      scope="col"
      aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
      className={cx(HEADER_CELL, numeric && "text-right", className)}
    >
      <Link
        href={href}
        prefetch={false}
        scroll={false}
        className={cx("group inline-flex h-8 w-full items-center gap-1 px-3 hover:text-fg", numeric && "flex-row-reverse", active && "text-fg")}
      >
        <span>{label}</span>
        <Icon
          name={active ? (dir === "asc" ? "arrow-up" : "arrow-down") : "sort"}
          size={12}
          className={cx("shrink-0", !active && "opacity-0 group-hover:opacity-60 group-focus-visible:opacity-60")}
        />
        <span className="sr-only">, sort {next}</span>
      </Link>
    </th>
  );
}

/** A body row: hover and selected highlights, borders and cell padding come from `.data-table` (app/globals.css). */
export function TableRow({ className, children }: { className?: string; children: ReactNode }) {
  return <tr className={className}>{children}</tr>;
}

export function Cell({
  numeric = false,
  muted = false,
  mono = false,
  className,
  children,
  ...rest
}: TdHTMLAttributes<HTMLTableCellElement> & { numeric?: boolean; muted?: boolean; mono?: boolean }) {
  return (
    <td className={cx(numeric && "text-right tabular-nums whitespace-nowrap", muted && "text-muted", mono && "font-mono text-xs", className)} {...rest}>
      {children}
    </td>
  );
}

/** A single full-width row for "no results" inside a table body (not highlighted on hover like data rows). */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr className="bg-transparent">
      <td colSpan={colSpan} className="p-0">
        {children}
      </td>
    </tr>
  );
}

/** A full-width row saying, in muted text, that a table has nothing to list ("No disks"). */
export function MessageRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <TableRow>
      <Cell colSpan={colSpan} muted>
        {children}
      </Cell>
    </TableRow>
  );
}
