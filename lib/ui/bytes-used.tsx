/** "12.5 GiB of 64 GiB" with a bar: a host's memory or an SR's space, in use. */
import { formatBytes, formatPercent } from "@/lib/ui/format";
import { ProgressBar } from "@/lib/ui/progress";

/** `what` names the bar for assistive technology ("Memory" reads "Memory used: 20 %"). */
export function BytesUsed({ used, total, what }: { used: number; total: number; what: string }) {
  if (total <= 0) return <span className="text-muted">—</span>;
  const fraction = Math.min(1, used / total);
  return (
    <div className="space-y-1">
      <div className="flex justify-between gap-2 text-xs tabular-nums">
        <span>
          {formatBytes(used)} of {formatBytes(total)}
        </span>
        <span className="text-muted">{formatPercent(fraction)}</span>
      </div>
      <ProgressBar label={`${what} used: ${formatPercent(fraction)}`} value={fraction} tone={fraction > 0.9 ? "error" : "accent"} />
    </div>
  );
}
