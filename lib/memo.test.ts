import { describe, expect, it } from "vitest";
import { LruMap, memoPerObject, VersionedMemo } from "./memo";

describe("LruMap", () => {
  it("keeps at most its capacity, dropping the least recently used first", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("a")).toBe(1); // "b" is now the least recently used
    map.set("c", 3);
    expect(map.size).toBe(2);
    expect(map.get("b")).toBeUndefined();
    expect([map.get("a"), map.get("c")]).toEqual([1, 3]);
    expect(map.set("a", 10)).toBe(10); // a write refreshes as well
    map.set("d", 4);
    expect([map.get("a"), map.get("c"), map.get("d")]).toEqual([10, undefined, 4]);
    expect(map.delete("a")).toBe(true);
    expect(map.size).toBe(1);
  });

  it("computes a missing value once", () => {
    const map = new LruMap<string, string>(4);
    let computed = 0;
    const compute = () => `value ${++computed}`;
    expect(map.resolve("k", compute)).toBe("value 1");
    expect(map.resolve("k", compute)).toBe("value 1");
    expect(computed).toBe(1);
  });

  it("drops the entries the caller says are over, and only those", () => {
    const map = new LruMap<string, { expires: number }>(4);
    map.set("old", { expires: 10 });
    map.set("fresh", { expires: 30 });
    map.set("older", { expires: 5 });
    map.deleteWhere((entry) => entry.expires < 20);
    expect([map.size, map.get("fresh")?.expires, map.get("old"), map.get("older")]).toEqual([1, 30, undefined, undefined]);
  });

  it("refuses a capacity that holds nothing", () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow(RangeError);
  });
});

describe("memoPerObject", () => {
  it("computes once per key object", () => {
    let computed = 0;
    const size = memoPerObject((list: readonly number[]) => (computed++, list.length));
    const a = Object.freeze([1, 2]);
    expect([size(a), size(a), size(Object.freeze([1, 2, 3]))]).toEqual([2, 2, 3]);
    expect(computed).toBe(2);
  });
});

describe("VersionedMemo", () => {
  it.each([
    ["weak", () => VersionedMemo.weak<object, string>()],
    ["bounded", () => VersionedMemo.bounded<object, string>(8)],
  ])("(%s) serves a value only at the version it was computed at", (_, create) => {
    const memo = create();
    const key = {};
    const record = {};
    let computed = 0;
    const compute = () => `value ${++computed}`;
    expect(memo.get(key, [1, "label", record], compute)).toBe("value 1");
    expect(memo.get(key, [1, "label", record], compute)).toBe("value 1");
    // Any item of the version differing, by identity for objects, means another value.
    expect(memo.get(key, [1, "label", {}], compute)).toBe("value 2");
    expect(memo.get(key, [2, "label", {}], compute)).toBe("value 3");
    expect(memo.find(key, [2, "label"])).toBeUndefined();
    expect(memo.find({}, [])).toBeUndefined();
    expect(memo.remember(key, [NaN], "nan")).toBe("nan");
    expect(memo.find(key, [NaN])).toBe("nan");
  });

  it("(bounded) forgets the least recently used key", () => {
    const memo = VersionedMemo.bounded<string, number>(1);
    memo.remember("a", [1], 1);
    memo.remember("b", [1], 2);
    expect(memo.find("a", [1])).toBeUndefined();
    expect(memo.find("b", [1])).toBe(2);
  });
});
