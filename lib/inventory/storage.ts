/** Storage repositories as pages show them (a local SR named with its host: lib/pools/names.ts). */
import { srHost, srLabel } from "@/lib/pools/names";
import type { PoolCache, XapiObject } from "@/lib/xapi/cache";

export interface SrDto {
  uuid: string;
  /** As XenDeck names it: "Local storage on xcp-lab-02" for a host's local SR. */
  name: string;
  type: string;
  shared: boolean;
  /** The host a local SR belongs to. */
  host: { uuid: string; name: string } | null;
  size: number;
  used: number;
}

export function srDto(cache: PoolCache, sr: XapiObject<"SR">): SrDto {
  const host = srHost(cache, sr);
  return {
    uuid: sr.uuid,
    name: srLabel(cache, sr),
    type: sr.type,
    shared: sr.shared,
    host: host ? { uuid: host.uuid, name: host.name_label } : null,
    size: sr.physical_size,
    used: sr.physical_utilisation,
  };
}
