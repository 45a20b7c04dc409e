/**
 * Colour theme preference: "light" or "dark" when the user picked one with the toggle, "system" (no cookie) to
 * follow the OS. Stored in a cookie readable by the inline script, which sets `data-theme` on <html> while the
 * HTML is parsed, before first paint, so there is no flash and the root layout stays static (it never reads the
 * cookie on the server). See app/globals.css for how `data-theme` drives the colour tokens.
 */
export type ThemePreference = "system" | "light" | "dark";

export const THEME_COOKIE = "xendeck-theme";
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** Runs in <head> before paint. Kept tiny and defensive: a blocked cookie jar must not break the page. */
export const themeInitScript = `(function(){try{var m=document.cookie.match(/(?:^|; )${THEME_COOKIE}=(light|dark)(?:;|$)/);if(m)document.documentElement.setAttribute("data-theme",m[1])}catch(e){}})()`;

/** Reads the preference from a `document.cookie` string. */
export function themeFromCookie(cookie: string): ThemePreference {
  const match = new RegExp(`(?:^|; )${THEME_COOKIE}=(light|dark)(?:;|$)`).exec(cookie);
  return match ? (match[1] as "light" | "dark") : "system";
}

/** The `document.cookie` assignment that stores a preference ("system" deletes the cookie). */
export function themeCookieAssignment(theme: ThemePreference): string {
  return theme === "system"
    ? `${THEME_COOKIE}=; path=/; max-age=0; SameSite=Lax`
    : `${THEME_COOKIE}=${theme}; path=/; max-age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
}

/** The toggle cycles System → Light → Dark → System. */
export function nextTheme(theme: ThemePreference): ThemePreference {
  return theme === "system" ? "light" : theme === "light" ? "dark" : "system";
}
