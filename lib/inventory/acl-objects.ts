/**
 * The objects an ACL can name (pools, hosts, VMs, SRs and networks) across every connected pool, read from the
 * XAPI client's live caches: the ACL page's object picker searches them, and the access pages show their current
 * names. Global admins only (`acl.manage`): everyone else gets nothing, since these lists ignore ACLs.
 *
 * The pure functions take the pools as `AclObjectSource`s, so they are tested on hand-built caches; the
 * admin-facing functions read the process's pool registry.
 */
import "server-only";
import { ACL_OBJECT_KINDS, can, type AccessSubject, type AclObjectKind, type Securable } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { PoolCache } from "@/lib/xapi/cache";
import { getPoolRegistry } from "@/lib/xapi/registry";

/** One pool's cache, as the search sees it. */
export interface AclObjectSource {
  /** XenDeck's id of the registered pool. */
  poolId: string;
  poolLabel: string;
  cache: PoolCache;
}

/** An object an ACL can name, shaped for the picker and the access pages. */
export interface AclObjectDto {
  kind: AclObjectKind;
  uuid: string;
  name: string;
  poolId: string;
  poolLabel: string;
  /** The XAPI uuid of the pool it is in (its own uuid for a pool). */
  poolUuid: string;
}

export const DEFAULT_SEARCH_LIMIT = 30;
export const MAX_SEARCH_LIMIT = 100;
const MAX_QUERY_LENGTH = 200;
const MAX_TERMS = 10;

/** The XAPI class of each kind an ACL can name, pools apart (a pool's cache holds exactly one pool). */
const CLASS_OF = { host: "host", vm: "VM", sr: "SR", network: "network" } as const;

type NamedRecord = { uuid: string; name_label: string; is_a_template?: boolean; is_a_snapshot?: boolean; is_control_domain?: boolean };

/** Real VMs only: templates, snapshots (they follow their VM) and control domains cannot be named by an ACL. */
const isNameable = (record: NamedRecord) => !record.is_a_template && !record.is_a_snapshot && !record.is_control_domain;

/**
 * Calls `visit` for every object of `source` an ACL can name, pools first. Nothing is listed before the pool
 * record has loaded.
 */
function visitObjects(source: AclObjectSource, kinds: ReadonlySet<AclObjectKind>, visit: (object: AclObjectDto) => void): void {
  const pool = source.cache.pool();
  if (!pool) return;
  const base = { poolId: source.poolId, poolLabel: source.poolLabel, poolUuid: pool.uuid };
  if (kinds.has("pool")) visit({ ...base, kind: "pool", uuid: pool.uuid, name: pool.name_label || source.poolLabel });
  for (const kind of ["host", "vm", "sr", "network"] as const) {
    if (!kinds.has(kind)) continue;
    for (const record of source.cache.list(CLASS_OF[kind]) as readonly NamedRecord[]) {
      if (isNameable(record)) visit({ ...base, kind, uuid: record.uuid, name: record.name_label });
    }
  }
}

/** `ACL_OBJECT_KINDS` is in order of scope, widest first: results are listed in that order. */
const ALL_KINDS: ReadonlySet<AclObjectKind> = new Set(ACL_OBJECT_KINDS);

/** Every object an ACL can name in `sources` (optionally only some kinds). */
export function listAclObjectsIn(sources: readonly AclObjectSource[], kinds: ReadonlySet<AclObjectKind> = ALL_KINDS): AclObjectDto[] {
  const objects: AclObjectDto[] = [];
  for (const source of sources) visitObjects(source, kinds, (object) => objects.push(object));
  return objects;
}

export interface AclObjectSearch {
  /** Free text: every word must appear in the name, the uuid or the pool's label (case-insensitive). */
  query?: string;
  /** Only these kinds (all when absent or empty). */
  kinds?: readonly AclObjectKind[];
  limit?: number;
}

export interface AclObjectSearchResult {
  objects: AclObjectDto[];
  /** How many objects matched in all (more than `objects.length` when the limit cut the list). */
  total: number;
}

/** The search words, lower-cased and bounded (a query is typed, not pasted from a book). */
export function searchTerms(query: string | undefined): string[] {
  return (query ?? "").slice(0, MAX_QUERY_LENGTH).toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_TERMS);
}

/** Lower is better: an exact uuid or name first, then names starting with the query, then the rest. */
function rank(object: AclObjectDto, query: string): number {
  const name = object.name.toLowerCase();
  if (object.uuid.toLowerCase() === query || name === query) return 0;
  if (name.startsWith(query)) return 1;
  return 2;
}

/**
 * Objects of `sources` matching `search`, best first: by rank, then kind (pools first), then name. Pure.
 */
export function searchAclObjectsIn(sources: readonly AclObjectSource[], search: AclObjectSearch = {}): AclObjectSearchResult {
  const terms = searchTerms(search.query);
  const kinds = search.kinds && search.kinds.length > 0 ? new Set(search.kinds) : ALL_KINDS;
  const limit = Math.min(Math.max(Math.trunc(search.limit ?? DEFAULT_SEARCH_LIMIT) || DEFAULT_SEARCH_LIMIT, 1), MAX_SEARCH_LIMIT);
  const matches: AclObjectDto[] = [];
  for (const source of sources) {
    visitObjects(source, kinds, (object) => {
      const haystack = `${object.name}\n${object.uuid}\n${object.poolLabel}`.toLowerCase();
      if (terms.every((term) => haystack.includes(term))) matches.push(object);
    });
  }
  const whole = terms.join(" ");
  matches.sort(
    (a, b) =>
      rank(a, whole) - rank(b, whole) ||
      ACL_OBJECT_KINDS.indexOf(a.kind) - ACL_OBJECT_KINDS.indexOf(b.kind) ||
      a.name.localeCompare(b.name, "en", { numeric: true, sensitivity: "base" }) ||
      a.uuid.localeCompare(b.uuid),
  );
  return { objects: matches.slice(0, limit), total: matches.length };
}

/** The object of `kind` with `uuid` in `sources`, or null (unknown, a template or snapshot, or its pool is not loaded). */
export function findAclObjectIn(sources: readonly AclObjectSource[], kind: AclObjectKind, uuid: string): AclObjectDto | null {
  for (const source of sources) {
    const pool = source.cache.pool();
    if (!pool) continue;
    const base = { poolId: source.poolId, poolLabel: source.poolLabel, poolUuid: pool.uuid, kind, uuid };
    if (kind === "pool") {
      if (pool.uuid === uuid) return { ...base, name: pool.name_label || source.poolLabel };
      continue;
    }
    const record = source.cache.getByUuid(CLASS_OF[kind], uuid) as NamedRecord | undefined;
    if (record && isNameable(record)) return { ...base, name: record.name_label };
  }
  return null;
}

/** What `can`/`explainAccess` need to decide access to an object found here. */
export function securableOf(object: AclObjectDto): Securable {
  return object.kind === "pool" ? { kind: "pool", uuid: object.uuid } : { kind: object.kind, uuid: object.uuid, poolUuid: object.poolUuid };
}

/** The registry's pools as sources (connected or showing their last known state). */
export function registrySources(): AclObjectSource[] {
  return getPoolRegistry()
    .all()
    .map((connection) => ({ poolId: connection.id, poolLabel: connection.config.label, cache: connection.cache }));
}

/** The picker's search over every connected pool; nothing for non-admins. */
export function searchAclObjects(actor: CurrentUser, search: AclObjectSearch): AclObjectSearchResult {
  if (!can(actor, "acl.manage")) return { objects: [], total: 0 };
  return searchAclObjectsIn(registrySources(), search);
}

/** One object by kind and uuid in any connected pool (its current name, its pool); null for non-admins. */
export function findAclObject(actor: CurrentUser, kind: AclObjectKind, uuid: string): AclObjectDto | null {
  if (!can(actor, "acl.manage")) return null;
  return findAclObjectIn(registrySources(), kind, uuid);
}

/**
 * The current name of an object one of the user's own ACLs names ("through pool lab" on their pages; an ACL
 * stores the label it had when granted, empty when granted by uuid). Only when the user may view the object
 * (an ACL gives at least viewer on what it names), so nothing leaks; otherwise null.
 */
export function grantedObjectName(user: AccessSubject, kind: AclObjectKind, uuid: string): string | null {
  const object = findAclObjectIn(registrySources(), kind, uuid);
  if (!object || !can(user, `${kind}.view`, securableOf(object))) return null;
  return object.name;
}
