/** The host page's tabs, as routes under /hosts/<uuid>/ (see VmTabs); Console for users who may use it. */
import { TabNav } from "@/lib/ui/tab-nav";

export type HostTab = "Overview" | "Stats" | "Console";

const hostHref = (uuid: string, path: string) => `/hosts/${encodeURIComponent(uuid)}${path}`;

export function HostTabs({ uuid, current, console: showConsole = false }: { uuid: string; current: HostTab; console?: boolean }) {
  const tabs = [
    { label: "Overview", href: hostHref(uuid, "") },
    { label: "Stats", href: hostHref(uuid, "/stats") },
  ];
  if (showConsole) tabs.push({ label: "Console", href: hostHref(uuid, "/console") });
  return <TabNav tabs={tabs} current={current} label="Host sections" />;
}
