/**
 * Where to go after logging in. The `callbackUrl` comes from the URL, so anyone can craft it: only paths on this
 * site are followed (no "//evil.example", no "https://evil.example", no "/\evil.example" which browsers read as
 * "//"), and anything else, including the login page itself, falls back to the dashboard.
 */
export const DEFAULT_AFTER_LOGIN = "/";
const MAX_LENGTH = 2048;
const PLACEHOLDER_ORIGIN = "http://xendeck.invalid";

/**
 * @param raw     the `callbackUrl` search param, as given
 * @param origin  the site's own origin (`window.location.origin`); when given, absolute URLs on it are accepted
 * @returns a relative path ("/vms?q=web#x"), never an absolute URL
 */
export function safeCallbackUrl(raw: unknown, origin?: string): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return DEFAULT_AFTER_LOGIN;
  // Backslashes and control characters/whitespace are normalised differently by browsers: refuse them outright.
  if (/[\\\u0000-\u0020\u007f]/.test(raw)) return DEFAULT_AFTER_LOGIN;

  let url: URL;
  try {
    if (raw.startsWith("/") && !raw.startsWith("//")) {
      url = new URL(raw, PLACEHOLDER_ORIGIN);
      if (url.origin !== PLACEHOLDER_ORIGIN) return DEFAULT_AFTER_LOGIN;
    } else if (origin) {
      url = new URL(raw);
      if (url.origin !== new URL(origin).origin) return DEFAULT_AFTER_LOGIN;
    } else {
      return DEFAULT_AFTER_LOGIN;
    }
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }

  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.pathname === "/login" || url.pathname.startsWith("/login/") || url.pathname.startsWith("/api/")) {
    return DEFAULT_AFTER_LOGIN;
  }
  return path;
}
