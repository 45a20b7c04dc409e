/**
 * The VM page's tabs. A tab is a route under /vms/<uuid>/ that renders its own header and these tabs; tabs that
 * need more than viewing (Console: operators) are listed only for users who may use them (`shown`).
 */
import { TabNav } from "@/lib/ui/tab-nav";

export type VmTab = "Overview" | "Hardware";

const vmHref = (uuid: string, path: string) => `/vms/${encodeURIComponent(uuid)}${path}`;

export function VmTabs({ uuid, current }: { uuid: string; current: VmTab }) {
  const tabs = [
    { label: "Overview", href: vmHref(uuid, "") },
    { label: "Hardware", href: vmHref(uuid, "/hardware") },
  ];
  return <TabNav tabs={tabs} current={current} label="VM sections" />;
}
