/**
 * An optimistic check only: requests without a session cookie are sent to the login page (page loads) or refused
 * (API routes). Whether the session is still valid, and what the user may see, is decided next to the data
 * (lib/auth/current-user.ts, lib/access/can.ts) on every request.
 */
import { NextResponse, type NextRequest } from "next/server";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "@/lib/auth/paths";
import { LOGIN_PATH } from "@/lib/routes";

/** Paths reachable without a session. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname === LOGIN_PATH ||
    pathname.startsWith(`${LOGIN_PATH}/`) ||
    pathname === "/api/auth" ||
    pathname.startsWith("/api/auth/") ||
    pathname.startsWith("/_next/") ||
    pathname === "/favicon.ico" ||
    pathname === "/robots.txt"
  );
}

/** True when the request carries a next-auth session cookie (possibly split in chunks `.0`, `.1`...). */
export function hasSessionCookie(request: NextRequest): boolean {
  return request.cookies
    .getAll()
    .some(({ name, value }) => value !== "" && [SESSION_COOKIE, SECURE_SESSION_COOKIE].some((base) => name === base || name.startsWith(`${base}.`)));
}

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  if (isPublicPath(pathname) || hasSessionCookie(request)) return NextResponse.next();
  if (pathname.startsWith("/api/")) {
    return NextResponse.json({ error: "Not signed in" }, { status: 401 });
  }
  const login = new URL(LOGIN_PATH, request.url);
  if (pathname !== "/") login.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(login);
}

/*
 * The proxy runs only on requests that carry none of the session cookies: it would let every other request
 * through anyway, and running it cost each request about 0.5 ms of server CPU. Static files are skipped too.
 * Next reads this config without running the module, hence literals only: the cookie names must be those of
 * lib/auth/paths.ts, first chunk included (lib/auth/proxy.test.ts checks them).
 */
export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico|.*\\.(?:png|jpg|jpeg|gif|svg|webp|ico|css|js|map|txt|woff2?)$).*)",
      missing: [
        { type: "cookie", key: "next-auth.session-token" },
        { type: "cookie", key: "next-auth.session-token.0" },
        { type: "cookie", key: "__Secure-next-auth.session-token" },
        { type: "cookie", key: "__Secure-next-auth.session-token.0" },
      ],
    },
  ],
};
