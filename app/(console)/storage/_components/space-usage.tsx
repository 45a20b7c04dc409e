/** "120 GiB of 500 GiB" with a bar: an SR's space used. */
import { formatBytes, formatPercent } from "@/lib/ui/format";
import { ProgressBar } from "@/lib/ui/progress";

export function SpaceUsage({ used, total }: { used: number; total: number }) {
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
      <ProgressBar label={`Space used: ${formatPercent(fraction)}`} value={fraction} tone={fraction > 0.9 ? "error" : "accent"} />
    </div>
  );
}
