/**
 * What the storage manager (SM) drivers behind each SR type decide, as xapi-project/sm does it: which VDI
 * operations a type supports (its capabilities), how a new or resized VHD volume is sized (rounded up to 2 MiB
 * blocks, at most 2040 GiB), whether space is reserved up front (LVM: thick, so a volume that does not fit in the
 * volume group fails with "There is insufficient space") or not at all (NFS and EXT keep VHD files, thin:
 * creating a disk bigger than the free space succeeds), and that a volume never shrinks. Driver failures reach
 * the client as `SR_BACKEND_FAILURE_<code> ["", reason, ""]`, the way xapi wraps an SM fault.
 */
import type { SrRecord, VdiOperations } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** vhdutil: VHD block size, smallest and largest virtual size. */
export const VHD_BLOCK_SIZE = 2 * MiB;
export const MIN_VHD_SIZE = 2 * MiB;
export const MAX_VHD_SIZE = 2040 * GiB;
/** lvutil: logical volumes grow in 4 MiB extents; lvhdutil: metadata preallocated for a 2 TiB disk. */
const LVM_SIZE_INCREMENT = 4 * MiB;
const LVHD_MSIZE = 2 * 1024 * 1024 * MiB;

type Provisioning = "thin" | "thick" | "iso";

interface Driver {
  provisioning: Provisioning;
  /** The SM capabilities that decide VDI operations (see `VDI_FEATURE`). */
  capabilities: readonly string[];
}

const FILE_CAPABILITIES = ["VDI_CREATE", "VDI_DELETE", "VDI_UPDATE", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE", "VDI_GENERATE_CONFIG", "VDI_MIRROR"];
const FILE: Driver = { provisioning: "thin", capabilities: FILE_CAPABILITIES };
const LVHD: Driver = {
  provisioning: "thick",
  capabilities: ["VDI_CREATE", "VDI_DELETE", "VDI_MIRROR", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE", "VDI_UPDATE"],
};
const ISO: Driver = { provisioning: "iso", capabilities: ["VDI_CREATE", "VDI_DELETE"] };

const DRIVERS: Record<string, Driver> = {
  nfs: FILE,
  ext: FILE,
  file: FILE,
  smb: FILE,
  lvm: LVHD,
  lvmoiscsi: LVHD,
  lvmohba: LVHD,
  iso: ISO,
};

export function driverOf(sr: SrRecord): Driver {
  return DRIVERS[sr.type] ?? FILE;
}

/** The SM capability a VDI operation needs (xapi_vdi.ml's feature_of_op); operations absent need none. */
const VDI_FEATURE: Partial<Record<VdiOperations, string>> = {
  snapshot: "VDI_SNAPSHOT",
  destroy: "VDI_DELETE",
  resize: "VDI_RESIZE",
  update: "VDI_UPDATE",
  resize_online: "VDI_RESIZE_ONLINE",
  generate_config: "VDI_GENERATE_CONFIG",
  clone: "VDI_CLONE",
  revert_to: "VDI_CLONE",
  revert_from: "VDI_CLONE",
  mirror: "VDI_MIRROR",
};

export function supportsVdiOperation(sr: SrRecord, op: VdiOperations): boolean {
  const feature = VDI_FEATURE[op];
  return feature === undefined || driverOf(sr).capabilities.includes(feature);
}

export function supportsVdiCreate(sr: SrRecord): boolean {
  return driverOf(sr).capabilities.includes("VDI_CREATE");
}

/** `SR_BACKEND_FAILURE_<code> ["", "<description> [opterr=<detail>]", ""]`, as xapi reports an SM fault. */
function backendFailure(code: number, description: string, opterr?: string): XapiError {
  return new XapiError(`SR_BACKEND_FAILURE_${code}`, ["", opterr === undefined ? description : `${description} [opterr=${opterr}]`, ""]);
}

const roundUp = (unit: number, n: number) => Math.ceil(n / unit) * unit;

/** vhdutil.validate_and_round_vhd_size. */
function validVhdSize(size: number): number {
  if (size < 0 || size > MAX_VHD_SIZE) {
    throw backendFailure(79, "VDI Invalid size", `VDI size must be between 1 MB and ${MAX_VHD_SIZE / MiB} MB`);
  }
  return roundUp(VHD_BLOCK_SIZE, Math.max(size, MIN_VHD_SIZE));
}

/** vhdutil.calcOverheadEmpty: footers, header, block allocation table and its bitmap. */
function vhdOverheadEmpty(virtualSize: number): number {
  const blocks = Math.floor(Math.floor(virtualSize / MiB) / 2);
  let overhead = roundUp(512, 3 * 1024 + blocks * 4);
  overhead = roundUp(4096, overhead + Math.floor(blocks / 8));
  return overhead;
}

/** lvhdutil.calcSizeVHDLV: a thick LVHD volume holds the whole disk, its block bitmaps and 2 TiB of metadata. */
function lvhdVolumeSize(virtualSize: number): number {
  const bitmaps = Math.ceil(virtualSize / VHD_BLOCK_SIZE) * 4096;
  return roundUp(LVM_SIZE_INCREMENT, virtualSize + vhdOverheadEmpty(LVHD_MSIZE) + bitmaps);
}

export function srFreeSpace(sr: SrRecord): number {
  return Math.max(0, sr.physical_size - sr.physical_utilisation);
}

export interface Volume {
  virtualSize: number;
  physicalUtilisation: number;
  smConfig: Record<string, string>;
}

/** A new volume of (at least) `size` bytes on `sr`, or the driver's failure. */
export function createVolume(sr: SrRecord, size: number): Volume {
  const driver = driverOf(sr);
  if (driver.provisioning === "iso") {
    if (size < 0) throw backendFailure(78, "VDI Creation failed", "could not create file");
    return { virtualSize: size, physicalUtilisation: 0, smConfig: {} };
  }
  const virtualSize = validVhdSize(size);
  if (driver.provisioning === "thin") return { virtualSize, physicalUtilisation: vhdOverheadEmpty(virtualSize), smConfig: { vdi_type: "vhd" } };
  const volume = lvhdVolumeSize(virtualSize);
  if (volume > srFreeSpace(sr)) throw backendFailure(44, "There is insufficient space");
  return { virtualSize, physicalUtilisation: volume, smConfig: { vdi_type: "vhd" } };
}

/** The VHD volume grown to `size` (never shrunk; undefined when it keeps its size), or the driver's failure. */
export function resizeVolume(sr: SrRecord, current: { virtualSize: number; physicalUtilisation: number }, size: number): Volume | undefined {
  const driver = driverOf(sr);
  if (size < current.virtualSize) throw backendFailure(79, "VDI Invalid size", "shrinking not allowed");
  if (size === current.virtualSize) return undefined;
  const virtualSize = validVhdSize(size);
  if (virtualSize === current.virtualSize) return undefined;
  if (driver.provisioning === "thin") {
    const physicalUtilisation = current.physicalUtilisation + vhdOverheadEmpty(virtualSize) - vhdOverheadEmpty(current.virtualSize);
    return { virtualSize, physicalUtilisation, smConfig: { vdi_type: "vhd" } };
  }
  const volume = lvhdVolumeSize(virtualSize);
  if (volume - current.physicalUtilisation > srFreeSpace(sr)) throw backendFailure(44, "There is insufficient space");
  return { virtualSize, physicalUtilisation: Math.max(volume, current.physicalUtilisation), smConfig: { vdi_type: "vhd" } };
}

/** Bytes a thin VHD takes once `written` bytes of data are in it (whole 2 MiB blocks, with their bitmaps). */
export function vhdUtilisationAfterWrite(virtualSize: number, written: number): number {
  const blocks = Math.ceil(written / VHD_BLOCK_SIZE);
  return vhdOverheadEmpty(virtualSize) + blocks * (VHD_BLOCK_SIZE + 512);
}
