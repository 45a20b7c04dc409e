/** The console's navigation: what the side bar lists, for whom, and which entry is the current page. */
import { CHANGE_PASSWORD_PATH, SECURITY_PATH, SESSIONS_PATH, TWO_FACTOR_PATH } from "@/lib/routes";
import type { IconName } from "@/lib/ui/icons";

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  /** A live count beside the entry: unread critical/major alerts, or running tasks (shell/indicators.tsx). */
  indicator?: "alerts" | "tasks";
}

export interface NavSection {
  /** Heading of the group; null for the main group. */
  label: string | null;
  items: NavItem[];
}

/** What the shell needs to know about the signed-in user. */
export interface ShellUser {
  username: string;
  displayName: string | null;
  isAdmin: boolean;
}

export const MAIN_NAV: NavItem[] = [
  { href: "/", label: "Dashboard", icon: "dashboard" },
  { href: "/vms", label: "VMs", icon: "vm" },
  { href: "/hosts", label: "Hosts", icon: "host" },
  { href: "/pools", label: "Pools", icon: "pool" },
  { href: "/storage", label: "Storage", icon: "storage" },
  { href: "/networks", label: "Networks", icon: "network" },
  { href: "/alerts", label: "Alerts", icon: "bell", indicator: "alerts" },
  { href: "/tasks", label: "Tasks", icon: "activity", indicator: "tasks" },
];

export const ADMIN_NAV: NavItem[] = [
  { href: "/admin/users", label: "Users", icon: "users" },
  { href: "/admin/groups", label: "Groups", icon: "group" },
  { href: "/admin/acls", label: "Access", icon: "shield" },
  { href: SECURITY_PATH, label: "Security", icon: "key" },
  { href: "/audit", label: "Audit log", icon: "list" },
];

/** Entries of the account menu. Non-admins reach their own audit entries there (admins have "Audit log"). */
export function accountLinks(user: ShellUser): NavItem[] {
  const links: NavItem[] = [
    { href: CHANGE_PASSWORD_PATH, label: "Change password", icon: "key" },
    { href: TWO_FACTOR_PATH, label: "Two-factor login", icon: "shield" },
    { href: SESSIONS_PATH, label: "Sessions", icon: "monitor" },
  ];
  if (!user.isAdmin) links.push({ href: "/audit", label: "My activity", icon: "list" });
  return links;
}

/** The side bar's sections for this user: the administration group only for global admins. */
export function navSectionsFor(user: ShellUser | null): NavSection[] {
  const sections: NavSection[] = [{ label: null, items: MAIN_NAV }];
  if (user?.isAdmin) sections.push({ label: "Administration", items: ADMIN_NAV });
  return sections;
}

/**
 * Whether a nav entry is the current page: "/" only on the dashboard itself; others on their path and below
 * ("/vms" for "/vms/3f2a…"), never on a mere prefix ("/vms" is not current on "/vmsx").
 */
export function isNavItemActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}
