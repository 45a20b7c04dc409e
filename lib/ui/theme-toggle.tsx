"use client";

import { useLayoutEffect, useSyncExternalStore } from "react";
import { Icon } from "./icons";
import { nextTheme, themeCookieAssignment, themeFromCookie, type ThemePreference } from "./theme";

const CHANGE_EVENT = "xendeck-theme-change";
const LABELS: Record<ThemePreference, string> = { system: "System", light: "Light", dark: "Dark" };
const ICONS = { system: "monitor", light: "sun", dark: "moon" } as const;

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => window.removeEventListener(CHANGE_EVENT, onChange);
}

function applyTheme(theme: ThemePreference): void {
  if (theme === "system") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.setAttribute("data-theme", theme);
}

/**
 * Cycles the colour theme System → Light → Dark. The server renders "System" (it never reads the cookie, so
 * pages stay cacheable); the client snapshot takes over right after hydration without a mismatch error.
 */
export function ThemeToggle({ className }: { className?: string }) {
  const theme = useSyncExternalStore<ThemePreference>(
    subscribe,
    () => themeFromCookie(document.cookie),
    () => "system",
  );

  // React's development remount resets <html> attributes set by the inline script; put the choice back.
  useLayoutEffect(() => applyTheme(themeFromCookie(document.cookie)), []);

  function cycle() {
    const next = nextTheme(theme);
    document.cookie = themeCookieAssignment(next);
    applyTheme(next);
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }

  const label = `Colour theme: ${LABELS[theme]}. Switch to ${LABELS[nextTheme(theme)]}.`;
  return (
    <button
      type="button"
      onClick={cycle}
      title={label}
      aria-label={label}
      className={className ?? "inline-flex h-8 items-center gap-1.5 rounded-md px-2 text-muted hover:bg-hover hover:text-fg"}
    >
      <Icon name={ICONS[theme]} />
      <span className="text-xs max-sm:sr-only">{LABELS[theme]}</span>
    </button>
  );
}
