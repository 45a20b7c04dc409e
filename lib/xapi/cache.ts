/**
 * `PoolCache`: the in-memory picture of one pool, kept current by its `PoolConnection`.
 *
 * Records hold the fields of `cached-fields.ts` plus `$ref`; they are frozen and replaced on every change,
 * never mutated, so a page may keep one. Every read is synchronous and O(1) or O(result). `version` grows
 * on every applied batch, so read models can memoise on it. Lists are built once per change of their class.
 */
import { CACHED_CLASSES, type CachedClass, type CachedRecord } from "./cached-fields";
import { NULL_REF } from "./codec";
import type { Ref } from "./model/records.generated";

/** A cached record with its reference. */
export type XapiObject<C extends CachedClass> = CachedRecord<C> & { readonly $ref: Ref };

export type ChangeOperation = "add" | "mod" | "del";

export interface CacheChange {
  class: CachedClass;
  ref: Ref;
  uuid: string;
  operation: ChangeOperation;
}

/** One decoded event: `record` is absent for `del`. */
export interface CacheUpdate {
  class: CachedClass;
  ref: Ref;
  operation: ChangeOperation;
  record?: Record<string, unknown>;
}

/** The secondary indexes the pages need: name → [class, ref field]. */
const INDEXES = {
  vmsByHost: ["VM", "resident_on"],
  snapshotsByVm: ["VM", "snapshot_of"],
  vbdsByVm: ["VBD", "VM"],
  vbdsByVdi: ["VBD", "VDI"],
  vifsByVm: ["VIF", "VM"],
  vifsByNetwork: ["VIF", "network"],
  consolesByVm: ["console", "VM"],
  vdisBySr: ["VDI", "SR"],
  pbdsBySr: ["PBD", "SR"],
  pbdsByHost: ["PBD", "host"],
  pifsByHost: ["PIF", "host"],
  pifsByNetwork: ["PIF", "network"],
} as const satisfies Record<string, readonly [CachedClass, string]>;

type IndexName = keyof typeof INDEXES;
type IndexClass<I extends IndexName> = (typeof INDEXES)[I][0];

/** How records are held internally; the public methods give them their class's type. */
type StoredRecord = { readonly $ref: Ref; readonly [field: string]: unknown };

interface ClassStore {
  byRef: Map<Ref, StoredRecord>;
  byUuid: Map<string, Ref>;
  list: readonly StoredRecord[] | null;
}

export class PoolCache {
  private stores = new Map<CachedClass, ClassStore>();
  private indexes = new Map<IndexName, Map<Ref, Set<Ref>>>();
  private indexesOfClass = new Map<CachedClass, IndexName[]>();
  private versionNumber = 0;

  constructor() {
    for (const cls of CACHED_CLASSES) this.stores.set(cls, { byRef: new Map(), byUuid: new Map(), list: null });
    for (const name of Object.keys(INDEXES) as IndexName[]) {
      this.indexes.set(name, new Map());
      const cls = INDEXES[name][0];
      this.indexesOfClass.set(cls, [...(this.indexesOfClass.get(cls) ?? []), name]);
    }
  }

  /** Grows by one on every batch that changed something (and on every full load). */
  get version(): number {
    return this.versionNumber;
  }

  get<C extends CachedClass>(cls: C, ref: Ref | null | undefined): XapiObject<C> | undefined {
    if (!ref) return undefined;
    return this.store(cls).byRef.get(ref) as unknown as XapiObject<C> | undefined;
  }

  getByUuid<C extends CachedClass>(cls: C, uuid: string): XapiObject<C> | undefined {
    const store = this.store(cls);
    const ref = store.byUuid.get(uuid);
    return ref === undefined ? undefined : (store.byRef.get(ref) as unknown as XapiObject<C>);
  }

  /** Every record of a class (the same frozen array until the class changes). */
  list<C extends CachedClass>(cls: C): readonly XapiObject<C>[] {
    const store = this.store(cls);
    store.list ??= Object.freeze([...store.byRef.values()]);
    return store.list as unknown as readonly XapiObject<C>[];
  }

  count(cls: CachedClass): number {
    return this.store(cls).byRef.size;
  }

  /** The pool record (there is exactly one per pool once loaded). */
  pool(): XapiObject<"pool"> | undefined {
    return this.list("pool")[0];
  }

  /** Records of the index's class whose indexed ref field equals `ref`. */
  lookup<I extends IndexName>(index: I, ref: Ref): XapiObject<IndexClass<I>>[] {
    const refs = this.indexes.get(index)!.get(ref);
    if (!refs) return [];
    const store = this.store(INDEXES[index][0]);
    const out: XapiObject<IndexClass<I>>[] = [];
    for (const r of refs) {
      const record = store.byRef.get(r);
      if (record) out.push(record as unknown as XapiObject<IndexClass<I>>);
    }
    return out;
  }

  vmsByHost = (host: Ref) => this.lookup("vmsByHost", host);
  snapshotsByVm = (vm: Ref) => this.lookup("snapshotsByVm", vm);
  vbdsByVm = (vm: Ref) => this.lookup("vbdsByVm", vm);
  vbdsByVdi = (vdi: Ref) => this.lookup("vbdsByVdi", vdi);
  vifsByVm = (vm: Ref) => this.lookup("vifsByVm", vm);
  vifsByNetwork = (network: Ref) => this.lookup("vifsByNetwork", network);
  consolesByVm = (vm: Ref) => this.lookup("consolesByVm", vm);
  vdisBySr = (sr: Ref) => this.lookup("vdisBySr", sr);
  pbdsBySr = (sr: Ref) => this.lookup("pbdsBySr", sr);
  pbdsByHost = (host: Ref) => this.lookup("pbdsByHost", host);
  pifsByHost = (host: Ref) => this.lookup("pifsByHost", host);
  pifsByNetwork = (network: Ref) => this.lookup("pifsByNetwork", network);

  /** Applies one batch of updates; returns what changed (empty: version unchanged). */
  apply(updates: Iterable<CacheUpdate>): CacheChange[] {
    const changes: CacheChange[] = [];
    for (const update of updates) {
      const change = update.operation === "del" ? this.remove(update.class, update.ref) : this.put(update.class, update.ref, update.record!);
      if (change) changes.push(change);
    }
    if (changes.length > 0) this.versionNumber++;
    return changes;
  }

  /**
   * Replaces the whole content with a fresh full load (a resync), in one step: readers never see a half
   * loaded or empty cache. Returns the number of records.
   */
  load(records: Iterable<{ class: CachedClass; ref: Ref; record: Record<string, unknown> }>): number {
    const fresh = new PoolCache();
    let count = 0;
    for (const { class: cls, ref, record } of records) {
      fresh.put(cls, ref, record);
      count++;
    }
    this.stores = fresh.stores;
    this.indexes = fresh.indexes;
    this.versionNumber++;
    return count;
  }

  // -------------------------------------------------------------------------------------------------------

  private store(cls: CachedClass): ClassStore {
    const store = this.stores.get(cls);
    if (!store) throw new Error(`class ${cls} is not cached (see lib/xapi/cached-fields.ts)`);
    return store;
  }

  private put(cls: CachedClass, ref: Ref, fields: Record<string, unknown>): CacheChange {
    const store = this.store(cls);
    const record = freezeRecord(fields, ref);
    const previous = store.byRef.get(ref);
    store.byRef.set(ref, record);
    store.list = null;
    const uuid = String(record.uuid ?? "");
    if (previous && previous.uuid !== uuid) store.byUuid.delete(String(previous.uuid));
    if (uuid) store.byUuid.set(uuid, ref);
    for (const name of this.indexesOfClass.get(cls) ?? []) {
      const field = INDEXES[name][1];
      const before = previous?.[field];
      const after = record[field];
      if (before === after) continue;
      if (typeof before === "string") this.unindex(name, before, ref);
      if (typeof after === "string" && after !== NULL_REF && after !== "") {
        const index = this.indexes.get(name)!;
        let refs = index.get(after);
        if (!refs) index.set(after, (refs = new Set()));
        refs.add(ref);
      }
    }
    return { class: cls, ref, uuid, operation: previous ? "mod" : "add" };
  }

  private remove(cls: CachedClass, ref: Ref): CacheChange | null {
    const store = this.store(cls);
    const previous = store.byRef.get(ref);
    if (!previous) return null;
    store.byRef.delete(ref);
    store.list = null;
    const uuid = String(previous.uuid ?? "");
    if (store.byUuid.get(uuid) === ref) store.byUuid.delete(uuid);
    for (const name of this.indexesOfClass.get(cls) ?? []) {
      const value = previous[INDEXES[name][1]];
      if (typeof value === "string") this.unindex(name, value, ref);
    }
    return { class: cls, ref, uuid, operation: "del" };
  }

  private unindex(name: IndexName, key: Ref, ref: Ref): void {
    const index = this.indexes.get(name)!;
    const refs = index.get(key);
    if (!refs) return;
    refs.delete(ref);
    if (refs.size === 0) index.delete(key);
  }
}

/** Freezes a decoded record and its arrays/maps, adding `$ref`. */
function freezeRecord(fields: Record<string, unknown>, ref: Ref): StoredRecord {
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === "object" && value !== null && !(value instanceof Date)) Object.freeze(value);
  }
  fields.$ref = ref;
  return Object.freeze(fields) as StoredRecord;
}
