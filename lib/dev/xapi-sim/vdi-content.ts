/**
 * What was written into a VDI through `PUT /import_raw_vdi`, kept so that tests can check what a client
 * uploaded (a cloud-init config drive, say): how many bytes, their SHA-256, and the first bytes (1 MiB by
 * default: enough to hold a small FAT or ISO 9660 image's directory and files). Held by the VDI object itself,
 * so a destroyed VDI's content goes with it.
 */
import { createHash, type Hash } from "node:crypto";
import type { VdiRecord } from "@/lib/xapi/model/records.generated";
import type { StoredObject } from "./store";

export const KEPT_BYTES = 1024 * 1024;

export interface VdiContent {
  /** Bytes written by the last upload. */
  size: number;
  sha256: string;
  /** The first bytes (at most KEPT_BYTES). */
  head: Buffer;
  /** Number of uploads into this VDI so far. */
  uploads: number;
}

const contents = new WeakMap<object, VdiContent>();

export function vdiContent(vdi: StoredObject<VdiRecord>): VdiContent | undefined {
  const content = contents.get(vdi);
  return content && { ...content, head: Buffer.from(content.head) };
}

export function forgetVdiContent(vdi: StoredObject<VdiRecord>): void {
  contents.delete(vdi);
}

/** Collects one upload; `finish` records it as the VDI's content. */
export class ContentWriter {
  private readonly hash: Hash = createHash("sha256");
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  size = 0;

  write(chunk: Buffer): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.keptBytes < KEPT_BYTES) {
      const part = chunk.subarray(0, KEPT_BYTES - this.keptBytes);
      this.kept.push(Buffer.from(part));
      this.keptBytes += part.length;
    }
  }

  finish(vdi: StoredObject<VdiRecord>): VdiContent {
    const content: VdiContent = {
      size: this.size,
      sha256: this.hash.digest("hex"),
      head: Buffer.concat(this.kept),
      uploads: (contents.get(vdi)?.uploads ?? 0) + 1,
    };
    contents.set(vdi, content);
    return content;
  }
}
