/** A pool's live status: the dot and word, since when, and why when it is not connected. */
import type { PoolStatusDto } from "@/lib/pools/views";
import { LocalTime } from "@/lib/ui/local-time";
import { StatusDot } from "@/lib/ui/status-dot";

export function PoolStatus({ status, enabled = true }: { status: PoolStatusDto; enabled?: boolean }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-x-1.5">
      <StatusDot status={status.state} label={enabled ? undefined : "Disabled"} title={status.reason ?? undefined} />
      {status.since && status.state !== "connected" && (
        <span className="text-xs text-muted">
          since <LocalTime value={status.since} format="since" />
        </span>
      )}
      {status.reason && enabled && <span className="basis-full text-xs text-error-text">{status.reason}</span>}
    </span>
  );
}
