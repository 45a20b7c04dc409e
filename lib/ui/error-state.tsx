/**
 * Full-page states for `error.tsx` and `not-found.tsx` files. Never show an error's message or stack to users:
 * server errors reach the browser as a generic message plus a `digest` that matches the server log, which is
 * what we show as the reference.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClasses } from "./button";
import { Icon, type IconName } from "./icons";

function StatePanel({ icon, code, title, children, actions }: { icon: IconName; code?: string; title: string; children: ReactNode; actions: ReactNode }) {
  return (
    <div className="mx-auto flex max-w-lg flex-col items-start gap-3 py-12">
      <span className="rounded-full bg-sunken p-3 text-muted">
        <Icon name={icon} size={22} />
      </span>
      {code && <p className="font-mono text-xs text-muted">{code}</p>}
      <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
      <div className="space-y-2 text-sm text-muted">{children}</div>
      <div className="mt-2 flex flex-wrap gap-2">{actions}</div>
    </div>
  );
}

/**
 * "Not found": an unknown URL, or an object that does not exist or that the user may not see (same answer).
 * `back` adds a link to where such objects are listed; `title` and `children` replace the generic words when the
 * page knows more (the VM the user was looking at has gone).
 */
export function NotFoundState({
  what = "page",
  title,
  back,
  children,
}: {
  what?: string;
  title?: string;
  back?: { href: string; label: string };
  children?: ReactNode;
}) {
  return (
    <StatePanel
      icon="search"
      code="404"
      title={title ?? `This ${what} was not found`}
      actions={
        <>
          {back && (
            <Link href={back.href} className={buttonClasses("primary")}>
              {back.label}
            </Link>
          )}
          <Link href="/" className={buttonClasses(back ? "secondary" : "primary")}>
            Go to the dashboard
          </Link>
        </>
      }
    >
      {children ?? <p>It may have been removed, or the address may be wrong. Objects you have no access to are not shown either.</p>}
    </StatePanel>
  );
}

/** Body of an error boundary. `retry` re-fetches and re-renders the failed segment. */
export function ErrorState({ digest, onRetry }: { digest?: string; onRetry?: () => void }) {
  return (
    <StatePanel
      icon="alert"
      title="Something went wrong"
      actions={
        <>
          {onRetry && (
            <button type="button" onClick={onRetry} className={buttonClasses("primary")}>
              Try again
            </button>
          )}
          {/* A full load, not a client navigation: the client state that failed is left behind. */}
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
          <a href="/" className={buttonClasses("secondary")}>
            Go to the dashboard
          </a>
        </>
      }
    >
      <p>XenDeck could not show this page. This is usually temporary, for example while a pool is reconnecting.</p>
      {digest && (
        <p>
          If it keeps happening, give your administrator this reference: <code className="font-mono text-fg">{digest}</code>
        </p>
      )}
    </StatePanel>
  );
}

/** The `digest` Next.js attaches to errors thrown on the server, if any. */
export function errorDigest(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string") {
    return error.digest;
  }
  return undefined;
}
