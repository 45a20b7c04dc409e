/** Storage repositories as pages show them. */
import type { XapiObject } from "@/lib/xapi/cache";

export interface SrDto {
  uuid: string;
  name: string;
  type: string;
  shared: boolean;
  size: number;
  used: number;
}

export function srDto(sr: XapiObject<"SR">): SrDto {
  return { uuid: sr.uuid, name: sr.name_label, type: sr.type, shared: sr.shared, size: sr.physical_size, used: sr.physical_utilisation };
}
