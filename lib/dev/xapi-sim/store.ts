/**
 * One pool's database: objects by ref, class and uuid, a generation counter bumped by every change, and a
 * change log ordered by generation so that `event.from` finds what changed since a token without scanning
 * every object. Every mutation goes through `add` / `update` / `touch` / `remove`, which keeps the counter,
 * the log and the cached wire fragments right and tells the event hub.
 */
import { randomUUID } from "node:crypto";
import type { Encodable, Part } from "./protocol/encodable";
import { classInfo, newRecord, recordJson, recordXml, type ClassInfo } from "./records";

export class StoredObject<R = Record<string, unknown>> implements Encodable {
  /** Generation at which the object was created, last modified, deleted (0 while alive). */
  ctime: number;
  mtime: number;
  dtime = 0;
  /** Wire fragments, built on first use and dropped on every change. */
  private xmlCache: Buffer | undefined;
  private jsonCache: Buffer | undefined;

  constructor(
    readonly cls: ClassInfo,
    readonly ref: string,
    readonly rec: R,
    gen: number,
  ) {
    this.ctime = gen;
    this.mtime = gen;
  }

  get uuid(): string {
    return (this.rec as { uuid: string }).uuid;
  }

  /** Generation of the last thing that happened to the object. */
  get lastGen(): number {
    return this.dtime || this.mtime;
  }

  xml(): Buffer {
    return (this.xmlCache ??= recordXml(this.cls, this.rec as Record<string, unknown>));
  }

  json(): Buffer {
    return (this.jsonCache ??= recordJson(this.cls, this.rec as Record<string, unknown>));
  }

  xmlParts(out: Part[]): void {
    out.push(this.xml());
  }

  jsonParts(out: Part[]): void {
    out.push(this.json());
  }

  /** Whether the wire fragments are built (for inspection). */
  get cached(): { xml: boolean; json: boolean } {
    return { xml: this.xmlCache !== undefined, json: this.jsonCache !== undefined };
  }

  invalidate(): void {
    this.xmlCache = undefined;
    this.jsonCache = undefined;
  }
}

export type AnyObject = StoredObject<Record<string, unknown>>;

export interface IdSource {
  uuid(): string;
}

export const randomIds: IdSource = { uuid: () => randomUUID() };

/** Deleted objects stay in the log this long so that slow event clients still see the `del`. */
const TOMBSTONE_LIMIT = 50_000;

export class PoolStore {
  gen = 0;
  ids: IdSource = randomIds;
  private readonly byRef = new Map<string, AnyObject>();
  private readonly byClass = new Map<string, Map<string, AnyObject>>();
  private readonly byUuid = new Map<string, AnyObject>();
  private logObjs: AnyObject[] = [];
  private logGens: number[] = [];
  private tombstones = 0;
  private readonly listeners: ((obj: AnyObject) => void)[] = [];

  newRef(): string {
    return `OpaqueRef:${this.ids.uuid()}`;
  }

  /** Adds a complete record (model defaults filled in for every field not given). */
  add<R = Record<string, unknown>>(className: string, values: Partial<R>, ref = this.newRef()): StoredObject<R> {
    const cls = classInfo(className);
    const rec = newRecord<Record<string, unknown>>(cls, values as Record<string, unknown>);
    if (!rec.uuid) rec.uuid = this.ids.uuid();
    const obj = new StoredObject(cls, ref, rec, ++this.gen);
    this.byRef.set(ref, obj);
    this.classMap(cls.name).set(ref, obj);
    this.byUuid.set(obj.uuid, obj);
    this.record(obj);
    return obj as unknown as StoredObject<R>;
  }

  /** Changes fields and publishes the change. */
  update<R>(obj: StoredObject<R>, patch: Partial<R>): void {
    if (obj.dtime) throw new Error(`update of deleted ${obj.cls.name} ${obj.ref}`);
    Object.assign(obj.rec as object, patch);
    this.touch(obj);
  }

  /** Publishes a change made in place (or an `event.inject`). */
  touch<R>(obj: StoredObject<R>): void {
    if (obj.dtime) return;
    obj.mtime = ++this.gen;
    obj.invalidate();
    this.record(obj as unknown as AnyObject);
  }

  remove<R>(obj: StoredObject<R>): void {
    if (obj.dtime) return;
    const o = obj as unknown as AnyObject;
    obj.dtime = ++this.gen;
    this.byRef.delete(o.ref);
    this.classMap(o.cls.name).delete(o.ref);
    this.byUuid.delete(o.uuid);
    this.tombstones++;
    this.record(o);
  }

  get(ref: string): AnyObject | undefined {
    return this.byRef.get(ref);
  }

  /** The live object `ref` if it is of class `cls`. */
  getOf<R = Record<string, unknown>>(cls: string, ref: string): StoredObject<R> | undefined {
    const obj = this.byRef.get(ref);
    return obj && obj.cls.name === cls ? (obj as unknown as StoredObject<R>) : undefined;
  }

  byUuidOf<R = Record<string, unknown>>(cls: string, uuid: string): StoredObject<R> | undefined {
    const obj = this.byUuid.get(uuid);
    return obj && obj.cls.name === cls ? (obj as unknown as StoredObject<R>) : undefined;
  }

  all<R = Record<string, unknown>>(cls: string): IterableIterator<StoredObject<R>> {
    return this.classMap(cls).values() as unknown as IterableIterator<StoredObject<R>>;
  }

  count(cls: string): number {
    return this.byClass.get(cls)?.size ?? 0;
  }

  classNames(): string[] {
    return [...this.byClass.keys()];
  }

  /** Objects (live or deleted) whose last change is newer than `gen`, each once, oldest change first. */
  *changesSince(gen: number): Generator<AnyObject> {
    const gens = this.logGens;
    let lo = 0;
    let hi = gens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (gens[mid] <= gen) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < gens.length; i++) {
      const obj = this.logObjs[i];
      if (obj.lastGen === gens[i]) yield obj;
    }
  }

  onChange(listener: (obj: AnyObject) => void): void {
    this.listeners.push(listener);
  }

  private classMap(cls: string): Map<string, AnyObject> {
    let map = this.byClass.get(cls);
    if (!map) {
      map = new Map();
      this.byClass.set(cls, map);
    }
    return map;
  }

  private record(obj: AnyObject): void {
    this.logObjs.push(obj);
    this.logGens.push(obj.lastGen);
    if (this.logObjs.length > 2 * (this.byRef.size + this.tombstones) + 1024) this.compact();
    for (const listener of this.listeners) listener(obj);
  }

  /** Drops superseded log entries and the oldest tombstones; amortised O(1) per change. */
  private compact(): void {
    const objs: AnyObject[] = [];
    const gens: number[] = [];
    let dropTombstones = Math.max(0, this.tombstones - TOMBSTONE_LIMIT);
    for (let i = 0; i < this.logObjs.length; i++) {
      const obj = this.logObjs[i];
      if (obj.lastGen !== this.logGens[i]) continue;
      if (obj.dtime && dropTombstones > 0) {
        dropTombstones--;
        this.tombstones--;
        continue;
      }
      objs.push(obj);
      gens.push(this.logGens[i]);
    }
    this.logObjs = objs;
    this.logGens = gens;
  }
}
