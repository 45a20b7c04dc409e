/**
 * Tabs of an object's page as links, one route per tab (`/vms/<uuid>`, `/vms/<uuid>/stats`...): each tab has its
 * own URL (shareable, back button), its own loading state, and only the open tab's data is read. The current tab
 * is marked with aria-current; the row scrolls sideways on phones instead of widening the page.
 */
import Link from "next/link";
import { cx } from "./classes";

export interface Tab {
  label: string;
  href: string;
}

export function TabNav({ tabs, current, label }: { tabs: readonly Tab[]; current: string; label: string }) {
  return (
    <nav aria-label={label} className="mb-4 overflow-x-auto border-b border-line">
      <ul className="flex min-w-max gap-1">
        {tabs.map((tab) => {
          const active = tab.label === current;
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? "page" : undefined}
                className={cx(
                  "-mb-px inline-flex h-9 items-center border-b-2 px-3 text-sm",
                  active ? "border-link font-medium text-link" : "border-transparent text-muted hover:border-line-strong hover:text-fg",
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
