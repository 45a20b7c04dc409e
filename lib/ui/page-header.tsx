/**
 * The top of every console page: breadcrumbs, the page's <h1>, an optional line of context and the page actions.
 * The <title> is set separately through each page's `metadata` ("VMs · XenDeck").
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { Icon } from "./icons";

export interface Crumb {
  label: string;
  /** Omit for the current page (the last crumb). */
  href?: string;
}

export function Breadcrumbs({ items }: { items: Crumb[] }) {
  if (items.length === 0) return null;
  return (
    <nav aria-label="Breadcrumb">
      <ol className="flex flex-wrap items-center gap-1 text-xs text-muted">
        {items.map((crumb, i) => {
          const last = i === items.length - 1;
          return (
            <li key={`${i}-${crumb.label}`} className="flex items-center gap-1">
              {crumb.href && !last ? (
                <Link href={crumb.href} className="hover:text-fg hover:underline">
                  {crumb.label}
                </Link>
              ) : (
                <span aria-current={last ? "page" : undefined} className={last ? "text-fg" : undefined}>
                  {crumb.label}
                </span>
              )}
              {!last && <Icon name="chevron-right" size={12} className="text-muted/70" />}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

export function PageHeader({
  title,
  breadcrumbs,
  description,
  meta,
  actions,
}: {
  title: ReactNode;
  breadcrumbs?: Crumb[];
  /** One line under the title (e.g. "10,000 VMs in 2 pools"). */
  description?: ReactNode;
  /** Inline next to the title (e.g. a PowerStateBadge on a VM page). */
  meta?: ReactNode;
  /** Page-level buttons, right-aligned; they wrap below the title on phones. */
  actions?: ReactNode;
}) {
  return (
    <header className="mb-4 space-y-1.5">
      {breadcrumbs && <Breadcrumbs items={breadcrumbs} />}
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0 space-y-0.5">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="truncate text-xl font-semibold tracking-tight">{title}</h1>
            {meta}
          </div>
          {description && <p className="text-sm text-muted">{description}</p>}
        </div>
        {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
      </div>
    </header>
  );
}
