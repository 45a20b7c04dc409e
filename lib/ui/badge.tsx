/**
 * Badges: short status labels. Colour is never the only signal: every badge carries its text, and the power
 * state badge adds a distinct glyph per state for colour-blind users. The shape is `.badge` in app/globals.css
 * (one short class: a list shows one badge per row).
 */
import type { ReactNode } from "react";
import type { PowerState } from "@/lib/inventory/vm-query";
import { cx } from "./classes";
import { SOFT, SOLID, type Tone } from "./tone";

export function Badge({
  tone = "neutral",
  dot = false,
  title,
  className,
  children,
}: {
  tone?: Tone;
  /** Adds a small solid dot before the text. */
  dot?: boolean;
  title?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <span title={title} className={cx("badge", SOFT[tone], className)}>
      {dot && <span aria-hidden="true" className={cx("size-1.5 rounded-full", SOLID[tone])} />}
      {children}
    </span>
  );
}

const POWER: Record<PowerState, { tone: Tone; glyph: string }> = {
  Running: { tone: "ok", glyph: "▶" },
  Paused: { tone: "warn", glyph: "❚❚" },
  Suspended: { tone: "violet", glyph: "◐" },
  Halted: { tone: "neutral", glyph: "■" },
};

/**
 * A VM's power state. `stale` marks a last-known state from a disconnected pool: dashed and dimmed, and says so
 * in its text for screen readers and in a tooltip.
 */
export function PowerStateBadge({ state, stale = false }: { state: PowerState; stale?: boolean }) {
  const { tone, glyph } = POWER[state] ?? POWER.Halted;
  return (
    <Badge tone={tone} title={stale ? "Last known state: the pool is not connected" : undefined} className={cx(stale && "border-dashed opacity-70")}>
      <span aria-hidden="true" className="badge-glyph">
        {glyph}
      </span>
      {state}
      {stale && <span className="sr-only"> (last known state)</span>}
    </Badge>
  );
}
