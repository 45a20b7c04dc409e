/**
 * THE cache mechanism: every memo of the app is one of these three, and says beside it why it cannot serve a
 * stale value. Pure and client-safe (no I/O, no clock).
 *
 * - `memoPerObject(compute)`: a value derived from an object that never changes (a frozen grants array, a row
 *   DTO, a frozen XAPI record). Held weakly: it lives as long as its key, and cannot go stale since its key
 *   cannot change.
 * - `VersionedMemo`: the value for (key, version), computed again when the version the caller passes differs
 *   from the one it was computed at. The version names explicitly everything the value depends on besides the
 *   key (a cache's version number, a label, the records it was built from...). Weak (object keys) or bounded.
 * - `LruMap`: at most `capacity` entries, the least recently used dropped first; for keys that come from data
 *   (tokens, user ids, filters), so that no input can grow it without bound.
 *
 * Values are never `undefined` (that is how a miss reads).
 */

/** A map of at most `capacity` entries; a read or a write makes an entry the most recently used. */
export class LruMap<K, V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`an LruMap holds at least one entry, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores `value` (dropping the least recently used entry when full) and returns it. */
  set(key: K, value: V): V {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  /** The value for `key`, computed and stored first when missing. */
  resolve(key: K, compute: () => V): V {
    const hit = this.get(key);
    return hit !== undefined ? hit : this.set(key, compute());
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Drops every entry `expired` says is over (time-limited entries: the caller owns the clock). */
  deleteWhere(expired: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.entries) if (expired(value, key)) this.entries.delete(key);
  }
}

/** A value derived from `key` alone, computed once per key object and held as long as the key lives. */
export function memoPerObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const values = new WeakMap<K, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) values.set(key, (value = compute(key)));
    return value;
  };
}

/** What a value depends on besides its key; two versions are the same when their items are (`Object.is`), one by one. */
export type Version = readonly unknown[];

function sameVersion(a: Version, b: Version): boolean {
  return a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
}

interface Slots<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The value for (key, version): one value per key, replaced when asked for at another version. */
export class VersionedMemo<K, V> {
  private constructor(private readonly slots: Slots<K, { version: Version; value: V }>) {}

  /** Entries held as long as their key object lives (keys: pool connections, cached XAPI records). */
  static weak<K extends object, V>(): VersionedMemo<K, V> {
    return new VersionedMemo<K, V>(new WeakMap<K, { version: Version; value: V }>());
  }

  /** At most `capacity` keys, the least recently used dropped first (keys that come from data). */
  static bounded<K, V>(capacity: number): VersionedMemo<K, V> {
    return new VersionedMemo<K, V>(new LruMap<K, { version: Version; value: V }>(capacity));
  }

  /** The value remembered for `key` if it was computed at `version`. */
  find(key: K, version: Version): V | undefined {
    const entry = this.slots.get(key);
    return entry && sameVersion(entry.version, version) ? entry.value : undefined;
  }

  /** Remembers `value` as `key`'s at `version` (replacing any other version's) and returns it. */
  remember(key: K, version: Version, value: V): V {
    this.slots.set(key, { version, value });
    return value;
  }

  /** `find`, or `compute` and `remember`. */
  get(key: K, version: Version, compute: () => V): V {
    const hit = this.find(key, version);
    return hit !== undefined ? hit : this.remember(key, version, compute());
  }
}
