/**
 * MAC addresses as xapi makes them (Xapi_vif_helpers.gen_mac): a VM's `other_config.mac_seed` hashed with MD5
 * 2 x device + 1 times, then once more, six bytes taken from the two digests, locally administered and
 * unicast. The same VM and device always get the same MAC; clones get a new seed, hence new MACs.
 */
import { createHash } from "node:crypto";

const md5 = (data: Buffer) => createHash("md5").update(data).digest();

export function macFromSeed(device: number, seed: string): string {
  let hashed = Buffer.from(seed, "latin1");
  for (let i = 0; i <= device * 2; i++) hashed = md5(hashed);
  const second = md5(hashed);
  const bytes = [hashed[0], hashed[1], hashed[2], hashed[3], second[1], second[2]];
  bytes[0] = (bytes[0] | 0x2) & ~0x1;
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** Helpers.is_valid_MAC: six pairs of hex digits separated by colons. */
export function isValidMac(mac: string): boolean {
  return /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac);
}
