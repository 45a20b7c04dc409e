/**
 * The VM page's tabs. A tab is a route under /vms/<uuid>/ that renders its own header and these tabs; tabs that
 * need more than viewing (Console: operators) are listed only for users who may use them (`shown`).
 */
import { TabNav } from "@/lib/ui/tab-nav";

export type VmTab = "Overview" | "Stats" | "Hardware" | "Console";

const vmHref = (uuid: string, path: string) => `/vms/${encodeURIComponent(uuid)}${path}`;

export function VmTabs({ uuid, current, console: showConsole = false }: { uuid: string; current: VmTab; console?: boolean }) {
  const tabs = [
    { label: "Overview", href: vmHref(uuid, "") },
    { label: "Stats", href: vmHref(uuid, "/stats") },
    { label: "Hardware", href: vmHref(uuid, "/hardware") },
  ];
  if (showConsole) tabs.push({ label: "Console", href: vmHref(uuid, "/console") });
  return <TabNav tabs={tabs} current={current} label="VM sections" />;
}
