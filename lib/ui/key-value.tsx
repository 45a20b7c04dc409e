/**
 * Label/value pairs for detail pages (VM general information, host facts):
 *   <KeyValueList><KeyValue label="UUID" mono>{vm.uuid}</KeyValue>…</KeyValueList>
 * Two columns on wide screens, stacked on phones. Empty values render as an em dash.
 */
import type { ReactNode } from "react";
import { cx } from "./classes";
import { MISSING } from "./format";

export function KeyValueList({ columns = 2, children }: { columns?: 1 | 2 | 3; children: ReactNode }) {
  return <dl className={cx("grid grid-cols-1 gap-x-8 gap-y-2.5", columns >= 2 && "md:grid-cols-2", columns === 3 && "xl:grid-cols-3")}>{children}</dl>;
}

export function KeyValue({ label, mono = false, children }: { label: ReactNode; mono?: boolean; children?: ReactNode }) {
  const empty = children === null || children === undefined || children === "";
  return (
    <div className="grid min-w-0 grid-cols-[minmax(6rem,9rem)_1fr] items-baseline gap-3">
      <dt className="text-xs font-medium text-muted">{label}</dt>
      <dd className={cx("min-w-0 break-words", mono && "font-mono text-[0.8125rem]", empty && "text-muted")}>{empty ? MISSING : children}</dd>
    </div>
  );
}
