/** A host's state as a badge: enabled, disabled (maintenance), not live, or its last known state. */
import { Badge } from "@/lib/ui/badge";

export function HostState({ enabled, live, stale }: { enabled: boolean; live: boolean; stale: boolean }) {
  if (stale) {
    return (
      <Badge tone="neutral" className="border-dashed opacity-70" title="Last known state: the pool is not connected">
        {enabled ? "Enabled" : "Disabled"} (last known)
      </Badge>
    );
  }
  if (!live) return <Badge tone="error">Not live</Badge>;
  return enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="warn">Disabled (maintenance)</Badge>;
}
