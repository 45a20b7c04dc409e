/**
 * The hosts list's search and sort, from the URL: `?q=&sort=&dir=`. Pure: the read model hands in the hosts the
 * user may view. Every word of `q` must appear in the host's name, address, pool or CPU model; the sort is total
 * (then by pool and name), so the order never depends on the order the pools answered in.
 */
import { z } from "zod";

export const HOST_SORT_COLUMNS = ["name", "pool", "address", "state", "memory", "cpus", "vms"] as const;
export type HostSortColumn = (typeof HOST_SORT_COLUMNS)[number];
type SortDir = "asc" | "desc";

export interface HostQuery {
  q: string;
  sort: HostSortColumn;
  dir: SortDir;
}

/** What the search and the sort read of a host (lib/inventory/hosts.ts's HostRow has all of it). */
export interface SortableHost {
  name: string;
  poolLabel: string;
  address: string;
  cpuModel: string | null;
  enabled: boolean;
  live: boolean;
  memoryUsed: number;
  memoryTotal: number;
  cpuCount: number;
  residentVmCount: number;
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";
const NUMERIC: ReadonlySet<HostSortColumn> = new Set(["memory", "cpus", "vms"]);

/** The query from the page's search params; anything unknown falls back to the default (by name). */
export function parseHostQuery(params: Record<string, string | string[] | undefined>): HostQuery {
  return {
    q: first(params.q)
      .replace(/[\u0000-\u001f\u007f]/g, " ")
      .trim()
      .slice(0, 200),
    sort: z.enum(HOST_SORT_COLUMNS).catch("name").parse(first(params.sort)),
    dir: z.enum(["asc", "desc"]).catch("asc").parse(first(params.dir)),
  };
}

/** `/hosts?…` with `overrides` applied, defaults left out. */
export function hostQueryHref(query: HostQuery, overrides: Partial<HostQuery> = {}): string {
  const next = { ...query, ...overrides };
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  if (next.sort !== "name" || next.dir !== "asc") params.set("sort", next.sort);
  if (next.dir !== "asc") params.set("dir", next.dir);
  const text = params.toString();
  return text ? `/hosts?${text}` : "/hosts";
}

/** The sort a header links to: the same column flips; a numeric column starts with the biggest. */
export function toggleHostSort(query: HostQuery, column: HostSortColumn): Pick<HostQuery, "sort" | "dir"> {
  if (query.sort === column) return { sort: column, dir: query.dir === "asc" ? "desc" : "asc" };
  return { sort: column, dir: NUMERIC.has(column) ? "desc" : "asc" };
}

const text = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
/** Down first, then disabled, then enabled: what needs attention sorts first in ascending order. */
const stateRank = (host: SortableHost) => (!host.live ? 0 : !host.enabled ? 1 : 2);
const memoryShare = (host: SortableHost) => (host.memoryTotal > 0 ? host.memoryUsed / host.memoryTotal : 0);

function compare(column: HostSortColumn, a: SortableHost, b: SortableHost): number {
  switch (column) {
    case "name":
      return text(a.name, b.name);
    case "pool":
      return text(a.poolLabel, b.poolLabel);
    case "address":
      return text(a.address, b.address);
    case "state":
      return stateRank(a) - stateRank(b);
    case "memory":
      return memoryShare(a) - memoryShare(b);
    case "cpus":
      return a.cpuCount - b.cpuCount;
    case "vms":
      return a.residentVmCount - b.residentVmCount;
  }
}

/** The hosts matching `query.q`, sorted. */
export function applyHostQuery<T extends SortableHost>(hosts: readonly T[], query: HostQuery): T[] {
  const words = query.q.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = hosts.filter((host) => {
    const haystack = `${host.name}\n${host.address}\n${host.poolLabel}\n${host.cpuModel ?? ""}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  const sign = query.dir === "asc" ? 1 : -1;
  return matching.sort((a, b) => sign * compare(query.sort, a, b) || text(a.poolLabel, b.poolLabel) || text(a.name, b.name));
}
