/**
 * How SR pickers name an SR: a local SR (not shared, plugged on one host) by its host too, "Local storage on
 * xcp-lab-02", since every host's local SR has the same name.
 */
import type { PoolCache, XapiObject } from "@/lib/xapi/cache";

export function srLabel(cache: PoolCache, sr: XapiObject<"SR">): string {
  if (sr.shared) return sr.name_label;
  const hosts = new Set(cache.pbdsBySr(sr.$ref).map((pbd) => pbd.host));
  const host = hosts.size === 1 ? cache.get("host", [...hosts][0]!) : undefined;
  return host ? `${sr.name_label} on ${host.name_label}` : sr.name_label;
}
