/**
 * The frame of every page behind login: a top bar (brand, theme toggle, account menu), the side navigation
 * (a drawer on phones), and the main content region that the skip link targets. A server component; the only
 * client parts are the current-page highlighting, the theme toggle, the log-out button and the toast region.
 *
 * Menus use the HTML popover API: the browser handles opening, light dismiss, Escape and focus return, and the
 * invoking button's expanded state, without JavaScript of ours.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { cx } from "@/lib/ui/classes";
import { Icon } from "@/lib/ui/icons";
import { ThemeToggle } from "@/lib/ui/theme-toggle";
import { ToastProvider } from "@/lib/ui/toast";
import { LogoutButton } from "./logout-button";
import { accountLinks, navSectionsFor, type ShellUser } from "./nav-items";
import { NavLinks } from "./nav-links";
import { PopoverLink } from "./popover-link";

const MOBILE_NAV_ID = "mobile-nav";
const ACCOUNT_MENU_ID = "account-menu";
const ICON_BUTTON = "inline-flex h-8 items-center gap-1.5 rounded-md px-2 text-muted hover:bg-hover hover:text-fg";
const MENU_ITEM = "flex h-8 w-full items-center gap-2.5 rounded-md px-2.5 text-left text-sm hover:bg-hover";

export function ConsoleShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  const sections = navSectionsFor(user);
  return (
    <ToastProvider>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-surface focus:px-3 focus:py-2 focus:shadow-lg"
      >
        Skip to content
      </a>

      <header className="sticky top-0 z-30 flex h-12 items-center gap-2 border-b border-line bg-surface px-2 md:px-3">
        <button type="button" popoverTarget={MOBILE_NAV_ID} className={cx(ICON_BUTTON, "md:hidden")} aria-label="Open navigation">
          <Icon name="menu" size={18} />
        </button>
        <Brand />
        <div className="ml-auto flex items-center gap-1">
          <ThemeToggle />
          {user ? (
            <AccountMenu user={user} />
          ) : (
            <Link href="/login" className={ICON_BUTTON}>
              Log in
            </Link>
          )}
        </div>
      </header>

      <div
        id={MOBILE_NAV_ID}
        popover="auto"
        className="fixed inset-y-0 right-auto left-0 m-0 h-dvh max-h-none w-72 max-w-[85vw] overflow-y-auto border-r border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-black/40"
      >
        <div className="flex h-12 items-center justify-between border-b border-line px-3">
          <Brand />
          <button type="button" popoverTarget={MOBILE_NAV_ID} popoverTargetAction="hide" className={ICON_BUTTON} aria-label="Close navigation">
            <Icon name="close" size={18} />
          </button>
        </div>
        <NavLinks sections={sections} label="Main" />
      </div>

      <div className="flex">
        <aside className="sticky top-12 hidden h-[calc(100dvh-3rem)] w-52 shrink-0 overflow-y-auto border-r border-line bg-surface md:block">
          <NavLinks sections={sections} label="Main" />
        </aside>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-3 py-4 outline-none md:px-6 md:py-5">
          {children}
        </main>
      </div>
    </ToastProvider>
  );
}

export function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 rounded-md px-1 font-semibold tracking-tight">
      <BrandMark />
      XenDeck
    </Link>
  );
}

/** The logo: three stacked deck plates. Also in public/favicon.svg. */
export function BrandMark({ size = 22 }: { size?: number }) {
  return (
    <svg aria-hidden="true" width={size} height={size} viewBox="0 0 32 32">
      <rect width="32" height="32" rx="7" fill="#2458d6" />
      <path d="M8 10h16M8 16h16M8 22h16" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
      <circle cx="22" cy="10" r="1.6" fill="#7ee2a8" />
    </svg>
  );
}

function AccountMenu({ user }: { user: ShellUser }) {
  const name = user.displayName || user.username;
  return (
    <>
      <button type="button" popoverTarget={ACCOUNT_MENU_ID} className={ICON_BUTTON}>
        <Icon name="user" />
        <span className="sr-only">Account menu for </span>
        <span className="max-w-40 truncate text-sm text-fg max-sm:sr-only">{name}</span>
        <Icon name="chevron-down" size={14} />
      </button>
      <div
        id={ACCOUNT_MENU_ID}
        popover="auto"
        className="fixed inset-auto top-13 right-2 m-0 w-64 rounded-lg border border-line bg-surface p-1 text-fg shadow-xl"
      >
        <div className="border-b border-line px-2.5 pt-1.5 pb-2.5">
          <p className="text-xs text-muted">Signed in as</p>
          <p className="truncate font-medium">{user.username}</p>
          <p className="text-xs text-muted">{user.isAdmin ? "Global administrator" : "User"}</p>
        </div>
        <ul className="pt-1">
          {accountLinks(user).map((link) => (
            <li key={link.href}>
              <PopoverLink href={link.href} className={MENU_ITEM}>
                <Icon name={link.icon} className="text-muted" />
                {link.label}
              </PopoverLink>
            </li>
          ))}
          <li>
            <LogoutButton className={MENU_ITEM} />
          </li>
        </ul>
      </div>
    </>
  );
}
