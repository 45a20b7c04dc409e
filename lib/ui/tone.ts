/**
 * Status tones shared by badges, dots, banners and messages. Full class strings (not built by concatenation) so
 * Tailwind sees them when it scans the source.
 */
import type { IconName } from "./icons";

export type Tone = "ok" | "warn" | "error" | "info" | "neutral" | "violet";

/** Soft background + readable text + border, for badges and banners. */
export const SOFT: Record<Tone, string> = {
  ok: "bg-ok-soft text-ok-text border-ok/30",
  warn: "bg-warn-soft text-warn-text border-warn/35",
  error: "bg-error-soft text-error-text border-error/30",
  info: "bg-info-soft text-info-text border-info/30",
  neutral: "bg-neutral-soft text-neutral-text border-neutral/30",
  violet: "bg-violet-soft text-violet-text border-violet/30",
};

/** Solid colour, for dots and bars. */
export const SOLID: Record<Tone, string> = {
  ok: "bg-ok",
  warn: "bg-warn",
  error: "bg-error",
  info: "bg-info",
  neutral: "bg-neutral",
  violet: "bg-violet",
};

/** Tones of messages about an outcome (banners, inline messages, toasts), with their look and icon. */
export type MessageTone = "info" | "success" | "warning" | "error";

export const MESSAGE_STYLE: Record<MessageTone, { soft: string; icon: IconName }> = {
  info: { soft: SOFT.info, icon: "info" },
  success: { soft: SOFT.ok, icon: "check" },
  warning: { soft: SOFT.warn, icon: "alert" },
  error: { soft: SOFT.error, icon: "error" },
};
