/**
 * Activity indicators. A Spinner is decoration next to text that already says what is happening ("Starting…");
 * give it a `label` only when it stands alone. A ProgressBar reports a task's progress (XAPI task.progress 0..1),
 * or an indeterminate bar when the value is unknown.
 */
import { cx } from "./classes";
import { formatPercent } from "./format";

export function Spinner({ size = 16, label, className }: { size?: number; label?: string; className?: string }) {
  return (
    <span role={label ? "status" : undefined} className={cx("inline-flex shrink-0", className)}>
      <svg aria-hidden="true" width={size} height={size} viewBox="0 0 24 24" fill="none" className="animate-spin">
        <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.25" strokeWidth="3" />
        <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
      {label && <span className="sr-only">{label}</span>}
    </span>
  );
}

export interface ProgressBarProps {
  /** What progresses, e.g. "Starting web-01"; the accessible name of the bar. */
  label: string;
  /** 0..1, or null/undefined when unknown (indeterminate). */
  value?: number | null;
  tone?: "accent" | "ok" | "error";
  /** Shows the label and percentage above the bar. */
  showLabel?: boolean;
  className?: string;
}

const BAR_TONES = { accent: "bg-accent", ok: "bg-ok", error: "bg-error" } as const;

export function ProgressBar({ label, value, tone = "accent", showLabel = false, className }: ProgressBarProps) {
  const known = value != null && Number.isFinite(value);
  const fraction = known ? Math.min(1, Math.max(0, value)) : 0;
  return (
    <div className={cx("min-w-24", className)}>
      {showLabel && (
        <div className="mb-1 flex justify-between gap-2 text-xs text-muted">
          <span className="truncate">{label}</span>
          {known && <span className="tabular-nums">{formatPercent(fraction)}</span>}
        </div>
      )}
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? Math.round(fraction * 100) : undefined}
        aria-valuetext={known ? formatPercent(fraction) : "In progress"}
        className="h-1.5 w-full overflow-hidden rounded-full bg-sunken"
      >
        <div
          className={cx("h-full rounded-full", BAR_TONES[tone], known ? "transition-[width]" : "w-2/5 animate-indeterminate")}
          style={known ? { width: `${fraction * 100}%` } : undefined}
        />
      </div>
    </div>
  );
}
