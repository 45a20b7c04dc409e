/**
 * Placeholders for the slow parts of a page, inside `<Suspense>`. The console has no `loading.tsx`: a loading
 * boundary makes Next send the page's shell with HTTP 200 before the page runs, so `notFound()` could no longer
 * answer 404 (and the pages render from the in-memory XAPI cache anyway).
 */
import { cx } from "./classes";

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cx("animate-pulse rounded bg-sunken", className ?? "h-4 w-full")} />;
}
