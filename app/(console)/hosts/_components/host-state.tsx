/**
 * A host's state as a badge: enabled, disabled, in maintenance mode, not live, or its last known state; and what
 * it is doing now, when notable ("Rebooting", "Evacuating").
 */
import { Badge } from "@/lib/ui/badge";

interface HostStateProps {
  enabled: boolean;
  live: boolean;
  stale: boolean;
  maintenance?: boolean;
  activity?: string | null;
}

export function HostState({ enabled, live, stale, maintenance = false, activity = null }: HostStateProps) {
  if (stale) {
    return (
      <Badge tone="neutral" className="border-dashed opacity-70" title="Last known state: the pool is not connected">
        {enabled ? "Enabled" : "Disabled"} (last known)
      </Badge>
    );
  }
  const state = !live ? (
    <Badge tone="error">Not live</Badge>
  ) : enabled ? (
    <Badge tone="ok">Enabled</Badge>
  ) : maintenance ? (
    <Badge tone="warn">Maintenance mode</Badge>
  ) : (
    <Badge tone="warn">Disabled</Badge>
  );
  if (!activity) return state;
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      {state}
      <Badge tone="info" dot>
        {activity}…
      </Badge>
    </span>
  );
}
