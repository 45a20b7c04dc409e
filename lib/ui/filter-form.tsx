"use client";

/**
 * A list's search and filters that apply as they change: a GET form whose fields live in the URL. Ticking a box
 * or choosing in a list applies at once; typing applies after a short pause (debounced); Enter applies now.
 * Each change replaces the URL (no history entry per keystroke), which re-renders the page on the server. Without
 * JavaScript it is a plain GET form (Enter submits it).
 *
 *   <FilterForm action="/vms" current={searchString} label="Search and filter VMs" omit={{ perPage: "50" }}>
 *     <input name="q" type="search" defaultValue={query.q} /> <select name="pool">…</select>
 *   </FilterForm>
 *
 * The fields are uncontrolled (what is typed stays while the page updates). When the URL changes for another
 * reason (a "Clear" link, Back), they are re-created from it: `current` (the page's own query string) tells.
 */
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type ChangeEvent, type FormEvent, type ReactNode } from "react";
import { Spinner } from "./progress";

/** Typing applies this long after the last keystroke. */
const TYPING_DEBOUNCE_MS = 300;
/** How many of its own recent URLs the form recognises (the page may answer them out of order). */
const OWN_URLS_KEPT = 8;

/** A query string with its parameters in a fixed order: the same filters, whatever order the fields are in. */
export function canonicalQuery(query: string): string {
  return [...new URLSearchParams(query)]
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("&");
}

/** The query string of the form's fields: empty values and the `omit` defaults left out, so that URLs stay short. */
export function filterQuery(form: HTMLFormElement, omit: Readonly<Record<string, string>> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== "string") continue;
    const text = value.trim();
    if (text === "" || omit[name] === text) continue;
    params.append(name, text);
  }
  return params.toString();
}

export function FilterForm({
  action,
  current,
  label,
  omit,
  className,
  children,
}: {
  /** The list's path. */
  action: string;
  /** The query string the page was rendered for (normalised as `filterQuery` writes it). */
  current: string;
  label: string;
  /** Values that are the defaults: left out of the URL. */
  omit?: Readonly<Record<string, string>>;
  className?: string;
  children: ReactNode;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The URLs this form navigated to, and a generation that re-creates the fields after any other navigation.
  const shown = canonicalQuery(current);
  const [own, setOwn] = useState<readonly string[]>([shown]);
  const [seen, setSeen] = useState(shown);
  const [generation, setGeneration] = useState(0);
  if (seen !== shown) {
    setSeen(shown);
    if (!own.includes(shown)) setGeneration(generation + 1);
  }

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  function apply(form: HTMLFormElement) {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const query = filterQuery(form, omit);
    const canonical = canonicalQuery(query);
    if (canonical === shown) return;
    setOwn((urls) => [...urls.slice(-(OWN_URLS_KEPT - 1)), canonical]);
    startTransition(() => router.replace(query ? `${action}?${query}` : action, { scroll: false }));
  }

  function onChange(event: ChangeEvent<HTMLFormElement>) {
    const form = event.currentTarget;
    const target = event.target as HTMLElement;
    const typing = target instanceof HTMLInputElement && (target.type === "search" || target.type === "text");
    if (!typing) return apply(form);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => apply(form), TYPING_DEBOUNCE_MS);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    apply(event.currentTarget);
  }

  return (
    <form
      action={action}
      method="get"
      role="search"
      aria-label={label}
      aria-busy={pending || undefined}
      onChange={onChange}
      onSubmit={onSubmit}
      className={className}
    >
      <div key={generation} className="contents">
        {children}
      </div>
      <span aria-live="polite" className="inline-flex h-8 items-center self-end text-xs text-muted">
        {pending && (
          <>
            <Spinner size={12} /> <span className="ml-1">Updating…</span>
          </>
        )}
      </span>
    </form>
  );
}
