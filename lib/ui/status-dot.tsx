/** A pool connection's state as a coloured dot with its word, e.g. in the pools table or the dashboard. */
import type { PoolConnectionState } from "@/lib/xapi/connection";
import { cx } from "./classes";
import { SOLID, type Tone } from "./tone";

export type { PoolConnectionState };

export const POOL_STATUS_LABELS: Record<PoolConnectionState, string> = {
  connected: "Connected",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
  error: "Error",
};

const STATUS_STYLE: Record<PoolConnectionState, { tone: Tone; pulse: boolean; hollow: boolean }> = {
  connected: { tone: "ok", pulse: false, hollow: false },
  connecting: { tone: "info", pulse: true, hollow: false },
  reconnecting: { tone: "warn", pulse: true, hollow: false },
  disconnected: { tone: "neutral", pulse: false, hollow: true },
  error: { tone: "error", pulse: false, hollow: false },
};

export function StatusDot({
  status,
  label = POOL_STATUS_LABELS[status],
  title,
  className,
}: {
  status: PoolConnectionState;
  /** Visible text; defaults to the status word. */
  label?: string;
  /** Extra detail on hover (e.g. the error reason). */
  title?: string;
  className?: string;
}) {
  const style = STATUS_STYLE[status] ?? STATUS_STYLE.error;
  return (
    <span title={title} className={cx("inline-flex items-center gap-1.5 whitespace-nowrap", className)}>
      <span aria-hidden="true" className="relative inline-flex size-2.5 items-center justify-center">
        {style.pulse && <span className={cx("absolute inset-0 animate-ping rounded-full opacity-60", SOLID[style.tone])} />}
        <span className={cx("relative size-2.5 rounded-full", style.hollow ? "border-2 border-neutral bg-transparent" : SOLID[style.tone])} />
      </span>
      <span>{label}</span>
    </span>
  );
}
