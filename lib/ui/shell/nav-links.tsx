"use client";

import { usePathname } from "next/navigation";
import { cx } from "@/lib/ui/classes";
import { Icon } from "@/lib/ui/icons";
import { NavIndicator } from "./indicators";
import { isNavItemActive, type NavSection } from "./nav-items";
import { PopoverLink } from "./popover-link";

/** The side navigation's links, the current page marked with aria-current and highlighted. */
export function NavLinks({ sections, label }: { sections: NavSection[]; label: string }) {
  const pathname = usePathname() ?? "/";
  return (
    <nav aria-label={label} className="space-y-4 p-2">
      {sections.map((section) => (
        <div key={section.label ?? "main"} className="space-y-0.5">
          {section.label && <h2 className="px-2 pt-1 pb-1 text-[0.6875rem] font-semibold tracking-wider text-muted uppercase">{section.label}</h2>}
          <ul className="space-y-0.5">
            {section.items.map((item) => {
              const active = isNavItemActive(pathname, item.href);
              return (
                <li key={item.href}>
                  <PopoverLink
                    href={item.href}
                    aria-current={active ? "page" : undefined}
                    className={cx(
                      "flex h-8 items-center gap-2.5 rounded-md px-2 text-sm",
                      active ? "bg-selected font-medium text-link" : "text-fg/85 hover:bg-hover hover:text-fg",
                    )}
                  >
                    <Icon name={item.icon} className={cx("shrink-0", active ? "text-link" : "text-muted")} />
                    {item.label}
                    {item.indicator && <NavIndicator kind={item.indicator} />}
                  </PopoverLink>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
