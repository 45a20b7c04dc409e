/**
 * The VM list's query language and its pure evaluation: URL search params → typed `VmQuery` → one page of rows,
 * and back to URL params for links. No I/O here; the read model hands in the rows the user may see.
 *
 * URL parameters (all optional; defaults are omitted from generated links so URLs stay short):
 *   q        search text: free words plus `field:value` terms (see `parseVmSearch`)
 *   power    power-state filter, repeatable or comma separated: `power=Running&power=Paused`
 *   pool     pool-id filter, repeatable
 *   sort     one of VM_SORT_COLUMNS (default `name`)
 *   dir      `asc` | `desc` (default `asc`)
 *   page     1-based page number (default 1; clamped to the last page)
 *   perPage  one of PER_PAGE_OPTIONS (default 50)
 */
import { z } from "zod";
import { LruMap, memoPerObject } from "@/lib/memo";
import type { VmPowerState } from "@/lib/xapi/model/records.generated";

export type PowerState = VmPowerState;

/** Canonical order: also the sort order of the power-state column (most "alive" first). */
export const POWER_STATES = ["Running", "Paused", "Suspended", "Halted"] as const satisfies readonly PowerState[];
// Compile-time check that POWER_STATES lists every state of the XAPI enum.
type MissingPowerState = Exclude<PowerState, (typeof POWER_STATES)[number]>;
const _allPowerStatesListed: MissingPowerState extends never ? true : never = true;
void _allPowerStatesListed;

/** One VM as the list page shows it: a DTO built by the read model from the live cache. Treat as immutable. */
export interface VmRow {
  uuid: string;
  name: string;
  powerState: PowerState;
  /** Id of the registered pool (database id), used by the `pool` filter and links. */
  poolId: string;
  poolLabel: string;
  hostUuid: string | null;
  hostName: string | null;
  vcpus: number;
  memoryBytes: number;
  /** Primary IP address reported by the guest tools, if any. */
  ip: string | null;
  /** Guest OS name reported by the guest tools, if any. */
  os: string | null;
  tags: string[];
  /** True when the VM's pool is disconnected and this is the last known state. */
  stale: boolean;
  /** The operation XAPI is running on it now, in words ("Starting…"); null when none. */
  busy: string | null;
}

export const VM_SORT_COLUMNS = ["name", "power_state", "pool", "host", "vcpus", "memory", "ip", "os"] as const;
export type VmSortColumn = (typeof VM_SORT_COLUMNS)[number];
export type SortDir = "asc" | "desc";

export const PER_PAGE_OPTIONS = [25, 50, 100, 200] as const;
export const DEFAULT_PER_PAGE = 50;
export const DEFAULT_SORT: VmSortColumn = "name";
export const DEFAULT_DIR: SortDir = "asc";

/** Longest search text we look at; the rest is ignored (a URL is not a place for essays). */
export const MAX_SEARCH_LENGTH = 500;
const MAX_TERMS = 20;
const MAX_POOL_FILTERS = 50;
const MAX_ID_LENGTH = 200;

export const SEARCH_FIELDS = ["text", "name", "uuid", "power_state", "pool", "host", "os", "ip", "tag"] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Field names accepted before the colon, lower case, with their aliases. */
const FIELD_ALIASES: Record<string, Exclude<SearchField, "text">> = {
  name: "name",
  uuid: "uuid",
  id: "uuid",
  power_state: "power_state",
  power: "power_state",
  state: "power_state",
  pool: "pool",
  host: "host",
  os: "os",
  ip: "ip",
  tag: "tag",
  tags: "tag",
};

export interface SearchTerm {
  field: SearchField;
  /** Lower-cased, trimmed, never empty. */
  value: string;
  negate: boolean;
}

export interface VmQuery {
  /** The search text as typed (trimmed, capped at MAX_SEARCH_LENGTH). */
  q: string;
  /** `q` parsed; derived, never read back from the URL on its own. */
  terms: SearchTerm[];
  /** Power-state filter; empty = all. Canonical order, no duplicates. */
  power: PowerState[];
  /** Pool-id filter; empty = all. No duplicates. */
  pool: string[];
  sort: VmSortColumn;
  dir: SortDir;
  page: number;
  perPage: number;
}

export interface VmQueryResult {
  /** The rows of the requested page, sorted. */
  rows: VmRow[];
  /** Number of rows matching the filters, over all pages. */
  total: number;
  /** The page actually shown (the requested one, clamped to 1..pages). */
  page: number;
  /** Number of pages, at least 1 (an empty result still has one empty page). */
  pages: number;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Search language                                                                                               */
/* ------------------------------------------------------------------------------------------------------------ */

// One token: optional "-", optional "field:", then a "quoted value" (closing quote optional) or a bare word.
const TOKEN = /(-)?(?:([A-Za-z_]+):)?(?:"([^"]*)"?|(\S+))/g;

/**
 * Parses search text into terms. Every term must match (AND). Never throws.
 *   web                 free text: name, IP, OS, host, pool or tag contains "web", or the uuid starts with it
 *   "web 01"            free text with a space
 *   name:web            name contains      uuid:3f2a   uuid starts with     ip:10.0.   IP starts with
 *   power_state:running exact power state (aliases power:, state:)
 *   pool:lab            pool label contains, or pool id equals
 *   host:xcp-1          host name contains, or host uuid equals
 *   os:debian           OS contains        tag:prod    has the tag (exact, case-insensitive)
 *   -power_state:halted negation of any term; an unknown field ("http://x") is searched as plain text.
 */
export function parseVmSearch(input: string): SearchTerm[] {
  const text = stripControlChars(input).slice(0, MAX_SEARCH_LENGTH);
  const terms: SearchTerm[] = [];
  for (const match of text.matchAll(TOKEN)) {
    if (terms.length >= MAX_TERMS) break;
    const [raw, minus, fieldName, quoted, bare] = match;
    const negate = minus === "-";
    const value = (quoted ?? bare ?? "").trim().toLowerCase();
    const field = fieldName === undefined ? undefined : FIELD_ALIASES[fieldName.toLowerCase()];

    if (fieldName !== undefined && field === undefined) {
      // Not a field we know: search the whole token literally.
      const literal = (negate ? raw.slice(1) : raw).replaceAll('"', "").trim().toLowerCase();
      if (literal) terms.push({ field: "text", value: literal, negate });
      continue;
    }
    if (!value || value === "-") continue; // `""`, a lone "-": nothing to match
    if (field === undefined && bare !== undefined && isEmptyFieldTerm(value)) continue;
    terms.push({ field: field ?? "text", value, negate });
  }
  return terms;
}

/** A term of the search text that XenDeck did not understand, and what it probably meant. */
export interface SearchProblem {
  /** The term as typed (`power_state:runing`). */
  term: string;
  /** What is wrong, and what was done with it, in words. */
  message: string;
  /** The term it probably meant (`power_state:running`), or null when nothing is close. */
  suggestion: string | null;
}

/** What the search can be checked against besides its own grammar. */
export interface SearchVocabulary {
  /** Labels of the pools the user sees (a `pool:` value that matches none is suspect). */
  pools?: readonly string[];
}

/** Levenshtein distance, for "did you mean" (short strings only: field names, states, labels). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate closest to `typed`, if close enough to be a typo (at most 2 edits, and fewer than its length). */
export function nearest(typed: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= 2 && bestDistance < typed.length ? best : null;
}

/** The fields as the hint lists them (aliases are accepted too). */
const FIELD_NAMES = ["name", "power_state", "pool", "host", "os", "ip", "tag", "uuid"];
const STATE_VALUES: readonly string[] = POWER_STATES.map((state) => state.toLowerCase());
/** A `pool:` value that is a pool's id rather than part of its label. */
const LOOKS_LIKE_ID = /^[0-9a-f]{8}-[0-9a-f-]+$/;

const quoteIfSpaced = (value: string) => (/\s/.test(value) ? `"${value}"` : value);

/**
 * The terms of `input` that match nothing by construction: an unknown field (`foo:bar`, searched as plain text),
 * a power state that does not exist (`power_state:runing`), a pool no visible pool is named like. Each with the
 * nearest field or value, when one is close. Never throws.
 */
export function searchProblems(input: string, vocabulary: SearchVocabulary = {}): SearchProblem[] {
  const text = stripControlChars(input).slice(0, MAX_SEARCH_LENGTH);
  const problems: SearchProblem[] = [];
  let count = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (count++ >= MAX_TERMS) break;
    const [raw, minus = "", fieldName, quoted, bare] = match;
    if (fieldName === undefined) continue;
    const value = (quoted ?? bare ?? "").trim();
    const typedValue = quoted !== undefined ? `"${quoted}"` : (bare ?? "");
    const field = FIELD_ALIASES[fieldName.toLowerCase()];
    if (field === undefined) {
      const closest = nearest(fieldName.toLowerCase(), [...FIELD_NAMES, ...Object.keys(FIELD_ALIASES)]);
      const suggestion = closest ? `${minus}${closest}:${typedValue}` : null;
      problems.push({
        term: raw,
        message: `“${fieldName}” is not a search field, so “${raw.replace(/^-/, "").replaceAll('"', "")}” was searched as plain text. Fields: ${FIELD_NAMES.join(", ")}.`,
        suggestion,
      });
      continue;
    }
    if (!value) continue;
    const lower = value.toLowerCase();
    if (field === "power_state" && !STATE_VALUES.includes(lower)) {
      const closest = nearest(lower, STATE_VALUES);
      problems.push({
        term: raw,
        message: `“${value}” is not a power state (${STATE_VALUES.join(", ")}), so no VM matches “${raw}”.`,
        suggestion: closest ? `${minus}${fieldName}:${closest}` : null,
      });
    } else if (field === "pool" && vocabulary.pools && vocabulary.pools.length > 0 && !LOOKS_LIKE_ID.test(lower)) {
      const labels = vocabulary.pools.map((label) => label.toLowerCase());
      if (labels.some((label) => label.includes(lower))) continue;
      const closest = nearest(lower, labels);
      problems.push({
        term: raw,
        message: `No pool you can see is named like “${value}”.`,
        suggestion: closest ? `${minus}${fieldName}:${quoteIfSpaced(vocabulary.pools[labels.indexOf(closest)]!)}` : null,
      });
    }
  }
  return problems;
}

/** `q` with `term` replaced by `replacement` (its first occurrence). */
export function replaceSearchTerm(q: string, term: string, replacement: string): string {
  const at = q.indexOf(term);
  return at < 0 ? q : `${q.slice(0, at)}${replacement}${q.slice(at + term.length)}`;
}

/** `name:` typed without a value is ignored rather than searched for literally. */
function isEmptyFieldTerm(value: string): boolean {
  return value.endsWith(":") && value.slice(0, -1) in FIELD_ALIASES;
}

function stripControlChars(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/* ------------------------------------------------------------------------------------------------------------ */
/* URL ⇄ VmQuery                                                                                                 */
/* ------------------------------------------------------------------------------------------------------------ */

/** What Next.js hands a page as `await props.searchParams`, or a URLSearchParams. */
export type SearchParamsInput = URLSearchParams | Record<string, string | string[] | undefined>;

const sortSchema = z.enum(VM_SORT_COLUMNS).catch(DEFAULT_SORT);
const dirSchema = z.enum(["asc", "desc"]).catch(DEFAULT_DIR);
const pageSchema = z.coerce.number().int().min(1).max(1_000_000).catch(1);
const perPageSchema = z.coerce
  .number()
  .refine((n) => (PER_PAGE_OPTIONS as readonly number[]).includes(n))
  .catch(DEFAULT_PER_PAGE);

const POWER_BY_LOWER = new Map<string, PowerState>(POWER_STATES.map((s) => [s.toLowerCase(), s]));

/** Reads the VM list state from URL search params. Bad or unknown values fall back to defaults; never throws. */
export function parseVmQuery(input: SearchParamsInput): VmQuery {
  const all = (key: string) => readAll(input, key);
  const first = (key: string) => all(key)[0];

  const q = stripControlChars(first("q") ?? "")
    .trim()
    .slice(0, MAX_SEARCH_LENGTH);

  const requestedPower = new Set(
    all("power")
      .flatMap((v) => v.split(","))
      .map((v) => POWER_BY_LOWER.get(v.trim().toLowerCase()))
      .filter((v): v is PowerState => v !== undefined),
  );
  const power = POWER_STATES.filter((s) => requestedPower.has(s));

  const pool = [...new Set(all("pool").map((v) => v.trim()))].filter((v) => v.length > 0 && v.length <= MAX_ID_LENGTH).slice(0, MAX_POOL_FILTERS);

  return {
    q,
    terms: parseVmSearch(q),
    power,
    pool,
    sort: sortSchema.parse(first("sort")),
    dir: dirSchema.parse(first("dir")),
    page: pageSchema.parse(first("page")),
    perPage: perPageSchema.parse(first("perPage")),
  };
}

function readAll(input: SearchParamsInput, key: string): string[] {
  if (input instanceof URLSearchParams) return input.getAll(key);
  const value = input[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** The parts of a query a link may change. `terms` follow `q`. */
export type VmQueryOverrides = Partial<Pick<VmQuery, "q" | "power" | "pool" | "sort" | "dir" | "page" | "perPage">>;

/**
 * Search params for a link to the VM list: the current query with `overrides` applied, defaults omitted.
 * Changing anything but the page (filter, search, sort, page size) goes back to page 1 unless `page` is given,
 * so a new sort never lands on an empty page 7.
 */
export function vmQueryToSearchParams(query: VmQuery, overrides: VmQueryOverrides = {}): URLSearchParams {
  const next = { ...query, ...overrides };
  const changesView = (["q", "power", "pool", "sort", "dir", "perPage"] as const).some((k) => k in overrides);
  if (changesView && overrides.page === undefined) next.page = 1;

  const params = new URLSearchParams();
  const q = next.q.trim();
  if (q) params.set("q", q);
  for (const state of POWER_STATES) if (next.power.includes(state)) params.append("power", state);
  for (const id of new Set(next.pool)) params.append("pool", id);
  if (next.sort !== DEFAULT_SORT || next.dir !== DEFAULT_DIR) params.set("sort", next.sort);
  if (next.dir !== DEFAULT_DIR) params.set("dir", next.dir);
  if (next.page > 1) params.set("page", String(next.page));
  if (next.perPage !== DEFAULT_PER_PAGE) params.set("perPage", String(next.perPage));
  return params;
}

/** `pathname?params` for a link, or just `pathname` when everything is at its default. */
export function vmQueryHref(pathname: string, query: VmQuery, overrides: VmQueryOverrides = {}): string {
  const params = vmQueryToSearchParams(query, overrides).toString();
  return params ? `${pathname}?${params}` : pathname;
}

const NUMERIC_COLUMNS: ReadonlySet<VmSortColumn> = new Set(["vcpus", "memory"]);

/** The sort a column header links to: same column flips the direction; a new column starts in its natural one. */
export function toggleSort(query: VmQuery, column: VmSortColumn): { sort: VmSortColumn; dir: SortDir } {
  if (query.sort === column) return { sort: column, dir: query.dir === "asc" ? "desc" : "asc" };
  // Biggest first is what one wants from a numeric column; A→Z from a text column.
  return { sort: column, dir: NUMERIC_COLUMNS.has(column) ? "desc" : "asc" };
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                                    */
/* ------------------------------------------------------------------------------------------------------------ */

/**
 * Everything the filter and the sort compare, lower-cased and precomputed once per row, so that filtering and
 * sorting 10,000 rows never lower-cases or parses numbers inside a comparison.
 */
export interface VmSearchKey {
  /** name, IP, OS, host, pool label and tags, lower-cased, newline-separated: what free text searches. */
  haystack: string;
  name: string;
  uuid: string;
  power: string;
  pool: string;
  /** Lower-cased, for `pool:<id>`; the `pool` filter compares `VmRow.poolId` as is. */
  poolId: string;
  host: string;
  hostUuid: string;
  os: string;
  ip: string;
  tags: string[];
  /** Natural-order sort keys ("web-2" before "web-10"); null when the value is missing (sorted last). */
  sortName: string;
  sortPool: string;
  sortHost: string | null;
  sortOs: string | null;
  sortIp: string | null;
}

/** Computes a row's search key. Pure; see `cachedVmSearchKey` for the memoised version. */
export function vmSearchKey(row: VmRow): VmSearchKey {
  const name = row.name.toLowerCase();
  const pool = row.poolLabel.toLowerCase();
  const host = (row.hostName ?? "").toLowerCase();
  const os = (row.os ?? "").toLowerCase();
  const ip = (row.ip ?? "").toLowerCase();
  const tags = row.tags.map((t) => t.toLowerCase());
  return {
    haystack: [name, ip, os, host, pool, ...tags].join("\n"),
    name,
    uuid: row.uuid.toLowerCase(),
    power: row.powerState.toLowerCase(),
    pool,
    poolId: row.poolId.toLowerCase(),
    host,
    hostUuid: (row.hostUuid ?? "").toLowerCase(),
    os,
    ip,
    tags,
    sortName: naturalKey(name),
    sortPool: naturalKey(pool),
    sortHost: row.hostName ? naturalKey(host) : null,
    sortOs: row.os ? naturalKey(os) : null,
    sortIp: row.ip ? naturalKey(ip) : null,
  };
}

/**
 * `vmSearchKey` memoised per row object. Rows are immutable DTOs: the read model builds a new object when a VM
 * changes, and the old key is garbage-collected with the old row.
 */
export const cachedVmSearchKey: (row: VmRow) => VmSearchKey = memoPerObject(vmSearchKey);

const DIGIT_RUN = /\d+/g;
const NATURAL_PAD = 16;

/** Lower-cased string whose plain `<` order is the natural order: digit runs are zero-padded to equal width. */
export function naturalKey(s: string): string {
  return s.toLowerCase().replace(DIGIT_RUN, (d) => (d.length >= NATURAL_PAD ? d : d.padStart(NATURAL_PAD, "0")));
}

interface CompiledTerm {
  test: (key: VmSearchKey) => boolean;
  negate: boolean;
}

function compileTerm(term: SearchTerm): CompiledTerm {
  const v = term.value;
  const tests: Record<SearchField, (k: VmSearchKey) => boolean> = {
    text: (k) => k.haystack.includes(v) || k.uuid.startsWith(v),
    name: (k) => k.name.includes(v),
    uuid: (k) => k.uuid.startsWith(v),
    power_state: (k) => k.power === v,
    pool: (k) => k.pool.includes(v) || k.poolId === v,
    host: (k) => k.host.includes(v) || k.hostUuid === v,
    os: (k) => k.os.includes(v),
    ip: (k) => k.ip.startsWith(v),
    tag: (k) => k.tags.includes(v),
  };
  return { test: tests[term.field], negate: term.negate };
}

const POWER_RANK: Record<PowerState, number> = { Running: 0, Paused: 1, Suspended: 2, Halted: 3 };

type SortValue = string | number | null;

function sortValue(column: VmSortColumn, row: VmRow, key: VmSearchKey): SortValue {
  switch (column) {
    case "name":
      return key.sortName;
    case "power_state":
      return POWER_RANK[row.powerState];
    case "pool":
      return key.sortPool;
    case "host":
      return key.sortHost;
    case "vcpus":
      return row.vcpus;
    case "memory":
      return row.memoryBytes;
    case "ip":
      return key.sortIp;
    case "os":
      return key.sortOs;
  }
}

function compareValues(a: SortValue, b: SortValue): number {
  return a === b ? 0 : a! < b! ? -1 : 1;
}

interface SortedEntry {
  row: VmRow;
  key: VmSearchKey;
}

/** Orders entries by `sort`/`dir`, then name, then uuid; missing values last in both directions. */
function sortEntries(entries: SortedEntry[], sort: VmSortColumn, dir: SortDir): SortedEntry[] {
  const sign = dir === "asc" ? 1 : -1;
  const decorated = entries.map((entry) => ({ row: entry.row, key: entry.key, value: sortValue(sort, entry.row, entry.key) }));
  decorated.sort((a, b) => {
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return sign * compareValues(a.value, b.value);
    }
    return compareValues(a.key.sortName, b.key.sortName) || compareValues(a.row.uuid, b.row.uuid);
  });
  return decorated;
}

/**
 * The whole row list sorted once per (list, sort, direction): read models hand in the same array until
 * something changes (and never change an array handed in), so a request only filters the pre-sorted list (which
 * keeps its order) and slices a page. Every sort of a list fits; they go with the list.
 */
const sortsOf = memoPerObject((_rows: readonly VmRow[]) => new LruMap<string, SortedEntry[]>(VM_SORT_COLUMNS.length * 2));

function sortedList(rows: readonly VmRow[], sort: VmSortColumn, dir: SortDir): SortedEntry[] {
  return sortsOf(rows).resolve(`${sort}:${dir}`, () =>
    sortEntries(
      rows.map((row) => ({ row, key: cachedVmSearchKey(row) })),
      sort,
      dir,
    ),
  );
}

/**
 * Filter results per sorted list (itself per rows array, so as immutable), by filter: paging through a search,
 * or live refreshes of an open search, repeat the same filter over the same list. A few recent filters per list;
 * they go with the list.
 */
const filtersOf = memoPerObject((_sorted: SortedEntry[]) => new LruMap<string, SortedEntry[]>(16));

function filteredList(sorted: SortedEntry[], query: VmQuery, keep: (entry: SortedEntry) => boolean): SortedEntry[] {
  return filtersOf(sorted).resolve(JSON.stringify([query.power, query.pool, query.terms]), () => sorted.filter(keep));
}

/**
 * Filters, sorts and pages `rows`. Sorting is total and deterministic: by the chosen column, then by name, then by
 * uuid, so paging never repeats or skips a row. Missing values (no host, no IP, no OS) sort last in both directions.
 * `keyOf` lets a read model supply its own memoised keys; with the default (keys memoised per row object), the
 * sorted order of a given `rows` array is also memoised, so that only the filter runs per request: like the
 * rows themselves, the array must not be changed once handed in (build a new one).
 */
export function applyVmQuery(rows: readonly VmRow[], query: VmQuery, keyOf: (row: VmRow) => VmSearchKey = cachedVmSearchKey): VmQueryResult {
  const powerFilter = query.power.length > 0 ? new Set<string>(query.power) : null;
  const poolFilter = query.pool.length > 0 ? new Set(query.pool) : null;
  const terms = query.terms.map(compileTerm);
  const keep = (row: VmRow, key: VmSearchKey) =>
    (!powerFilter || powerFilter.has(row.powerState)) && (!poolFilter || poolFilter.has(row.poolId)) && terms.every((t) => t.test(key) !== t.negate);

  let matched: SortedEntry[];
  if (keyOf === cachedVmSearchKey) {
    const sorted = sortedList(rows, query.sort, query.dir);
    matched = powerFilter || poolFilter || terms.length > 0 ? filteredList(sorted, query, (entry) => keep(entry.row, entry.key)) : sorted;
  } else {
    const entries: SortedEntry[] = [];
    for (const row of rows) {
      if (powerFilter && !powerFilter.has(row.powerState)) continue;
      if (poolFilter && !poolFilter.has(row.poolId)) continue;
      const key = keyOf(row);
      if (keep(row, key)) entries.push({ row, key });
    }
    matched = sortEntries(entries, query.sort, query.dir);
  }

  const total = matched.length;
  const pages = Math.max(1, Math.ceil(total / query.perPage));
  const page = Math.min(Math.max(1, query.page), pages);
  const start = (page - 1) * query.perPage;
  return { rows: matched.slice(start, start + query.perPage).map((m) => m.row), total, page, pages };
}
