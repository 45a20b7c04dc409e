import { describe, expect, it } from "vitest";
import { PoolCache, type CacheUpdate } from "@/lib/xapi/cache";
import { refNamer, srLabel } from "./names";

const add = (cls: CacheUpdate["class"], ref: string, record: Record<string, unknown>): CacheUpdate => ({ class: cls, ref, operation: "add", record });

function pool() {
  const cache = new PoolCache();
  cache.apply([
    add("host", "h1", { uuid: "h1", name_label: "xcp-lab-01" }),
    add("host", "h2", { uuid: "h2", name_label: "xcp-lab-02" }),
    add("SR", "local1", { uuid: "l1", name_label: "Local storage", shared: false }),
    add("SR", "local2", { uuid: "l2", name_label: "Local storage", shared: false }),
    add("SR", "nfs", { uuid: "n", name_label: "NFS storage", shared: true }),
    add("SR", "lost", { uuid: "x", name_label: "Detached", shared: false }),
    add("PBD", "p1", { uuid: "p1", SR: "local1", host: "h1" }),
    add("PBD", "p2", { uuid: "p2", SR: "local2", host: "h2" }),
    add("PBD", "p3", { uuid: "p3", SR: "nfs", host: "h1" }),
    add("PBD", "p4", { uuid: "p4", SR: "nfs", host: "h2" }),
    add("VM", "vm", { uuid: "v", name_label: "web-01" }),
    add("network", "net", { uuid: "n1", name_label: "DMZ" }),
  ]);
  return cache;
}

describe("object names", () => {
  it("names a local SR with its host, so that every host's “Local storage” can be told apart", () => {
    const cache = pool();
    expect(srLabel(cache, cache.get("SR", "local1")!)).toBe("Local storage on xcp-lab-01");
    expect(srLabel(cache, cache.get("SR", "local2")!)).toBe("Local storage on xcp-lab-02");
    expect(srLabel(cache, cache.get("SR", "nfs")!)).toBe("NFS storage");
    expect(srLabel(cache, cache.get("SR", "lost")!)).toBe("Detached");
  });

  it("names the object behind any ref of the pool, for error messages", () => {
    const nameOf = refNamer(pool());
    expect(["local2", "vm", "h1", "net", "OpaqueRef:unknown"].map(nameOf)).toEqual(["Local storage on xcp-lab-02", "web-01", "xcp-lab-01", "DMZ", undefined]);
  });
});
