/**
 * Page-level notices. `Banner` is generic; `PoolStatusBanner` is the one every page showing a pool's objects puts
 * on top when that pool is not connected ("Pool lab is disconnected since 12:03 — showing last known state").
 */
import type { ReactNode } from "react";
import { cx } from "./classes";
import { Icon } from "./icons";
import { LocalTime } from "./local-time";
import type { PoolConnectionState } from "./status-dot";
import { MESSAGE_STYLE, type MessageTone } from "./tone";

export function Banner({
  tone = "info",
  title,
  actions,
  live = tone === "error" ? "alert" : "status",
  className,
  children,
}: {
  tone?: MessageTone;
  title?: ReactNode;
  /** Buttons or links on the right (e.g. "Retry", "Pool settings"). */
  actions?: ReactNode;
  /**
   * Live-region role. "alert" interrupts the screen reader: keep it for errors that appear after an action.
   * "none" for banners that are simply part of the page.
   */
  live?: "alert" | "status" | "none";
  className?: string;
  children?: ReactNode;
}) {
  const style = MESSAGE_STYLE[tone];
  return (
    <div role={live === "none" ? undefined : live} className={cx("flex items-start gap-2.5 rounded-lg border px-3 py-2.5 text-sm", style.soft, className)}>
      <Icon name={style.icon} className="mt-px shrink-0" />
      <div className="min-w-0 flex-1 space-y-0.5">
        {title && <p className="font-semibold">{title}</p>}
        {children && <div className="text-fg/90 [&_a]:underline">{children}</div>}
      </div>
      {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
    </div>
  );
}

export interface PoolStatusBannerProps {
  poolLabel: string;
  status: PoolConnectionState;
  /** When the pool entered this status (ISO string, Date or epoch ms). */
  since?: string | Date | number | null;
  /** Why it failed, already in words (never a raw stack or a secret). */
  reason?: string | null;
  actions?: ReactNode;
}

/** Nothing for a connected pool; otherwise says what is wrong and that objects show their last known state. */
export function PoolStatusBanner({ poolLabel, status, since, reason, actions }: PoolStatusBannerProps) {
  if (status === "connected") return null;
  const sinceText = since ? (
    <>
      {" "}
      since <LocalTime value={since} format="since" />
    </>
  ) : null;
  const name = <strong className="font-semibold">{poolLabel}</strong>;

  if (status === "connecting") {
    return (
      <Banner tone="info" live="status" actions={actions}>
        Connecting to pool {name}
        {sinceText}… its objects appear once the connection is up.
      </Banner>
    );
  }
  const what = status === "reconnecting" ? "lost its connection and is reconnecting" : status === "error" ? "cannot be reached" : "is disconnected";
  return (
    <Banner tone={status === "error" ? "error" : "warning"} live="status" actions={actions}>
      Pool {name} {what}
      {sinceText}
      {reason ? `: ${reason}` : ""} — showing last known state.
    </Banner>
  );
}
