/**
 * The alerts pane's view, all of it in the URL (shareable, bookmarkable): priorities, pools, the object (name or
 * uuid), text (in the title, details or code), a time window, and the page. Parsing never throws: anything not
 * understood is left out. Pure: applied to the rows the read model built for the user.
 */
import { PRIORITIES, type Priority } from "./alert-text";

export const SINCE_OPTIONS = {
  "1h": { label: "Last hour", ms: 3600_000 },
  "24h": { label: "Last 24 hours", ms: 24 * 3600_000 },
  "7d": { label: "Last 7 days", ms: 7 * 24 * 3600_000 },
  "30d": { label: "Last 30 days", ms: 30 * 24 * 3600_000 },
} as const;
export type SinceOption = keyof typeof SINCE_OPTIONS;

export const ALERTS_PER_PAGE = 50;

export interface AlertQuery {
  priorities: Priority[];
  pools: string[];
  object: string;
  q: string;
  since: SinceOption | null;
  page: number;
}

/** What a row must offer to be filtered. */
export interface FilterableAlert {
  priority: Priority;
  pool: { id: string };
  object: { uuid: string; name: string | null };
  title: string;
  details: string | null;
  name: string;
  /** ISO time. */
  time: string;
}

type Params = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const text = (value: string | string[] | undefined) => (list(value)[0] ?? "").trim().slice(0, 200);

export function parseAlertQuery(params: Params): AlertQuery {
  const priorities = [...new Set(list(params.priority).map(Number))].filter((p): p is Priority => (PRIORITIES as readonly number[]).includes(p)).sort();
  const since = text(params.since);
  const page = Number.parseInt(text(params.page), 10);
  return {
    priorities,
    pools: [...new Set(list(params.pool).filter((id) => id.length > 0 && id.length <= 100))],
    object: text(params.object),
    q: text(params.q),
    since: Object.hasOwn(SINCE_OPTIONS, since) ? (since as SinceOption) : null,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

const contains = (haystack: string | null | undefined, needle: string) => !!haystack && haystack.toLowerCase().includes(needle);

/** The rows the query keeps, in their order; then the requested page of them. */
export function applyAlertQuery<T extends FilterableAlert>(
  rows: readonly T[],
  query: AlertQuery,
  now: number = Date.now(),
): { rows: T[]; total: number; page: number; pages: number } {
  const object = query.object.toLowerCase();
  const q = query.q.toLowerCase();
  const after = query.since ? now - SINCE_OPTIONS[query.since].ms : null;
  const kept = rows.filter(
    (row) =>
      (query.priorities.length === 0 || query.priorities.includes(row.priority)) &&
      (query.pools.length === 0 || query.pools.includes(row.pool.id)) &&
      (!object || contains(row.object.name, object) || row.object.uuid.toLowerCase().startsWith(object)) &&
      (!q || contains(row.title, q) || contains(row.details, q) || contains(row.name, q)) &&
      (after === null || Date.parse(row.time) >= after),
  );
  const pages = Math.max(1, Math.ceil(kept.length / ALERTS_PER_PAGE));
  const page = Math.min(query.page, pages);
  return { rows: kept.slice((page - 1) * ALERTS_PER_PAGE, page * ALERTS_PER_PAGE), total: kept.length, page, pages };
}

/** The pane's URL for `query` with `changes` (the page goes back to 1 unless given). */
export function alertQueryHref(query: AlertQuery, changes: Partial<AlertQuery> = {}): string {
  const next = { ...query, page: 1, ...changes };
  const params = new URLSearchParams();
  for (const priority of next.priorities) params.append("priority", String(priority));
  for (const pool of next.pools) params.append("pool", pool);
  if (next.object) params.set("object", next.object);
  if (next.q) params.set("q", next.q);
  if (next.since) params.set("since", next.since);
  if (next.page > 1) params.set("page", String(next.page));
  const search = params.toString();
  return search ? `/alerts?${search}` : "/alerts";
}
