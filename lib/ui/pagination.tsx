/**
 * Server-side pagination as plain links: "1–50 of 10,000" and Previous · 1 … 4 5 [6] 7 8 … 200 · Next.
 * `hrefForPage` builds each link (e.g. `(p) => vmQueryHref("/vms", query, { page: p })`).
 */
import Link from "next/link";
import { cx } from "./classes";
import { Icon } from "./icons";

/** Page numbers to show around `page`, with null for a gap: [1, null, 4, 5, 6, 7, 8, null, 200]. */
export function pageWindow(page: number, pages: number, around = 2): (number | null)[] {
  const result: (number | null)[] = [];
  const from = Math.max(2, page - around);
  const to = Math.min(pages - 1, page + around);
  result.push(1);
  if (from > 2) result.push(from === 3 ? 2 : null);
  for (let p = from; p <= to; p++) result.push(p);
  if (to < pages - 1) result.push(to === pages - 2 ? pages - 1 : null);
  if (pages > 1) result.push(pages);
  return result;
}

const LINK = "inline-flex h-7 min-w-7 items-center justify-center gap-1 rounded-md px-2 text-xs tabular-nums";

export function Pagination({
  page,
  pages,
  total,
  perPage,
  hrefForPage,
  label = "Pages",
  itemName = "items",
}: {
  page: number;
  pages: number;
  total: number;
  perPage: number;
  hrefForPage: (page: number) => string;
  /** Accessible name of the navigation ("VM list pages"). */
  label?: string;
  /** Plural noun for the summary ("VMs"). */
  itemName?: string;
}) {
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  const summary =
    total === 0 ? `No ${itemName}` : `${first.toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${itemName}`;

  return (
    <div className="flex flex-wrap items-center justify-between gap-2 py-2 text-xs text-muted">
      <p aria-live="polite">{summary}</p>
      {pages > 1 && (
        <nav aria-label={label}>
          <ul className="flex flex-wrap items-center gap-0.5">
            <li>
              <PageLink href={page > 1 ? hrefForPage(page - 1) : null} label="Previous page">
                <Icon name="chevron-left" size={14} />
                <span className="max-sm:sr-only">Previous</span>
              </PageLink>
            </li>
            {pageWindow(page, pages).map((p, i) =>
              p === null ? (
                <li key={`gap-${i}`} aria-hidden="true" className="px-1">
                  …
                </li>
              ) : (
                <li key={p} className={cx(Math.abs(p - page) > 1 && p !== 1 && p !== pages && "max-sm:hidden")}>
                  {p === page ? (
                    <span aria-current="page" className={cx(LINK, "bg-accent font-semibold text-on-accent")}>
                      <span className="sr-only">Page </span>
                      {p}
                    </span>
                  ) : (
                    <Link href={hrefForPage(p)} prefetch={false} className={cx(LINK, "text-fg hover:bg-hover")}>
                      <span className="sr-only">Page </span>
                      {p}
                    </Link>
                  )}
                </li>
              ),
            )}
            <li>
              <PageLink href={page < pages ? hrefForPage(page + 1) : null} label="Next page">
                <span className="max-sm:sr-only">Next</span>
                <Icon name="chevron-right" size={14} />
              </PageLink>
            </li>
          </ul>
        </nav>
      )}
    </div>
  );
}

function PageLink({ href, label, children }: { href: string | null; label: string; children: React.ReactNode }) {
  if (href === null) {
    return (
      <span aria-disabled="true" aria-label={label} className={cx(LINK, "opacity-45")}>
        {children}
      </span>
    );
  }
  return (
    <Link href={href} prefetch={false} aria-label={label} className={cx(LINK, "text-fg hover:bg-hover")}>
      {children}
    </Link>
  );
}
