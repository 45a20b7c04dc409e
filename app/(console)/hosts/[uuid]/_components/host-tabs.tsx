/** The host page's tabs, as routes under /hosts/<uuid>/ (see VmTabs). */
import { TabNav } from "@/lib/ui/tab-nav";

export type HostTab = "Overview" | "Stats";

const hostHref = (uuid: string, path: string) => `/hosts/${encodeURIComponent(uuid)}${path}`;

export function HostTabs({ uuid, current }: { uuid: string; current: HostTab }) {
  const tabs = [
    { label: "Overview", href: hostHref(uuid, "") },
    { label: "Stats", href: hostHref(uuid, "/stats") },
  ];
  return <TabNav tabs={tabs} current={current} label="Host sections" />;
}
