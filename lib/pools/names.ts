/**
 * How XenDeck names the objects of a pool wherever it shows or offers them. Every host of a pool has its own
 * "Local storage" SR, all three named alike: an SR that is not shared and is attached to one host is named with
 * that host ("Local storage on xcp-lab-02"), so that pickers, tables and error messages tell them apart.
 */
import type { PoolCache, XapiObject } from "@/lib/xapi/cache";

/** The host a local SR belongs to: not shared, attached (plugged or not) to exactly one host. Null for shared SRs. */
export function srHost(cache: PoolCache, sr: XapiObject<"SR">): XapiObject<"host"> | null {
  if (sr.shared) return null;
  const hosts = new Set(cache.pbdsBySr(sr.$ref).map((pbd) => pbd.host));
  if (hosts.size !== 1) return null;
  return cache.get("host", [...hosts][0]) ?? null;
}

/** "Local storage on xcp-lab-02" for a local SR, the SR's own name otherwise. */
export function srLabel(cache: PoolCache, sr: XapiObject<"SR">): string {
  const host = srHost(cache, sr);
  return host ? `${sr.name_label} on ${host.name_label}` : sr.name_label;
}

/**
 * A function naming the object behind a ref of this pool (VM, host, SR, network, disk, pool), for the XAPI error
 * messages whose parameters are refs (lib/xapi describeXapiError's `nameOf`). Undefined for unknown refs.
 */
export function refNamer(cache: PoolCache): (ref: string) => string | undefined {
  return (ref) => {
    const sr = cache.get("SR", ref);
    if (sr) return srLabel(cache, sr);
    return (
      cache.get("VM", ref)?.name_label ??
      cache.get("host", ref)?.name_label ??
      cache.get("network", ref)?.name_label ??
      cache.get("VDI", ref)?.name_label ??
      cache.get("pool", ref)?.name_label
    );
  };
}
