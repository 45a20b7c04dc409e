/**
 * The cloud-init NoCloud config drive: a small FAT disk labelled `cidata` holding `meta-data`, `user-data` and,
 * optionally, `network-config` at its root (cloud-init's NoCloud datasource reads any vfat or iso9660 filesystem
 * with that label). Built in memory with ChaN's FatFs (npm js-fatfs, WebAssembly), then uploaded raw into a VDI.
 */
import createFatFs, * as FatFs from "js-fatfs";

/** What the drive holds: each file's text, as cloud-init reads it. */
export interface ConfigDriveFiles {
  metaData: string;
  userData: string;
  networkConfig?: string | null;
}

/** 4 MiB: FAT12, room for generous user data, and a multiple of the 2 MiB VHD granularity (no rounding). */
export const CONFIG_DRIVE_BYTES = 4 * 1024 * 1024;
const SECTOR = 512;
/** The boot sector's volume label (BS_VolLab, FAT12/16), which libblkid reports when the root holds no label entry. */
const LABEL_OFFSET = 43;
export const CONFIG_DRIVE_LABEL = "cidata";

class MemoryDisk implements FatFs.DiskIO {
  constructor(readonly image: Uint8Array) {}
  initialize() {
    return 0;
  }
  status() {
    return 0;
  }
  read(ff: FatFs.FatFs, _drive: number, buffer: number, sector: number, count: number) {
    ff.HEAPU8.set(this.image.subarray(sector * SECTOR, (sector + count) * SECTOR), buffer);
    return FatFs.RES_OK;
  }
  write(ff: FatFs.FatFs, _drive: number, buffer: number, sector: number, count: number) {
    this.image.set(ff.HEAPU8.subarray(buffer, buffer + count * SECTOR), sector * SECTOR);
    return FatFs.RES_OK;
  }
  ioctl(ff: FatFs.FatFs, _drive: number, command: number, buffer: number) {
    if (command === FatFs.CTRL_SYNC) return FatFs.RES_OK;
    if (command === FatFs.GET_SECTOR_COUNT) return (ff.setValue(buffer, this.image.byteLength / SECTOR, "i32"), FatFs.RES_OK);
    if (command === FatFs.GET_SECTOR_SIZE) return (ff.setValue(buffer, SECTOR, "i16"), FatFs.RES_OK);
    if (command === FatFs.GET_BLOCK_SIZE) return (ff.setValue(buffer, 1, "i32"), FatFs.RES_OK);
    return FatFs.RES_PARERR;
  }
}

function check(result: number, what: string): void {
  if (result !== FatFs.FR_OK) throw new Error(`config drive: ${what} failed (FatFs error ${result})`);
}

function writeFile(ff: FatFs.FatFs, name: string, text: string): void {
  const bytes = new TextEncoder().encode(text);
  const file = ff.malloc(FatFs.sizeof_FIL);
  const data = ff.malloc(Math.max(1, bytes.byteLength));
  const written = ff.malloc(4);
  try {
    check(ff.f_open(file, name, FatFs.FA_WRITE | FatFs.FA_CREATE_NEW), `creating ${name}`);
    ff.HEAPU8.set(bytes, data);
    check(ff.f_write(file, data, bytes.byteLength, written), `writing ${name}`);
    if (ff.getValue(written, "i32") !== bytes.byteLength) throw new Error(`config drive: ${name} does not fit`);
    check(ff.f_close(file), `closing ${name}`);
  } finally {
    ff.free(written);
    ff.free(data);
    ff.free(file);
  }
}

/** The raw image of a NoCloud config drive holding `files`. */
export async function buildConfigDrive(files: ConfigDriveFiles): Promise<Buffer> {
  const image = new Uint8Array(CONFIG_DRIVE_BYTES);
  const ff = await createFatFs({ diskio: new MemoryDisk(image) });
  const work = ff.malloc(FatFs.FF_MAX_SS);
  const volume = ff.malloc(FatFs.sizeof_FATFS);
  try {
    check(ff.f_mkfs("", { fmt: FatFs.FM_FAT | FatFs.FM_SFD, n_fat: 1, align: 0, n_root: 512, au_size: 0 }, work, FatFs.FF_MAX_SS), "formatting");
    check(ff.f_mount(volume, "", 1), "mounting");
    writeFile(ff, "meta-data", files.metaData);
    writeFile(ff, "user-data", files.userData);
    if (files.networkConfig) writeFile(ff, "network-config", files.networkConfig);
    check(ff.f_unmount(""), "unmounting");
  } finally {
    ff.free(volume);
    ff.free(work);
  }
  // This FatFs build has no f_setlabel: the label goes into the boot sector, padded with spaces as FAT wants it.
  image.set(new TextEncoder().encode(CONFIG_DRIVE_LABEL.toUpperCase().padEnd(11, " ")), LABEL_OFFSET);
  return Buffer.from(image.buffer, image.byteOffset, image.byteLength);
}

/** Reads the files back from a drive image (tests, and a check before the upload): name → text. */
export async function readConfigDrive(image: Uint8Array): Promise<Record<string, string>> {
  const copy = new Uint8Array(image);
  const ff = await createFatFs({ diskio: new MemoryDisk(copy) });
  const volume = ff.malloc(FatFs.sizeof_FATFS);
  const dir = ff.malloc(FatFs.sizeof_DIR);
  const info = ff.malloc(FatFs.sizeof_FILINFO);
  const files: Record<string, string> = {};
  try {
    check(ff.f_mount(volume, "", 1), "mounting");
    check(ff.f_opendir(dir, "/"), "listing");
    for (;;) {
      check(ff.f_readdir(dir, info), "listing");
      const name = ff.FILINFO_fname(info);
      if (!name) break;
      const file = ff.malloc(FatFs.sizeof_FIL);
      const size = ff.FILINFO_fsize(info);
      const data = ff.malloc(Math.max(1, size));
      const read = ff.malloc(4);
      check(ff.f_open(file, name, FatFs.FA_READ), `opening ${name}`);
      check(ff.f_read(file, data, size, read), `reading ${name}`);
      files[name] = new TextDecoder().decode(ff.HEAPU8.slice(data, data + size));
      check(ff.f_close(file), `closing ${name}`);
      ff.free(read);
      ff.free(data);
      ff.free(file);
    }
    check(ff.f_closedir(dir), "listing");
  } finally {
    ff.free(info);
    ff.free(dir);
    ff.free(volume);
  }
  return files;
}

/** The label a drive image carries in its boot sector (what libblkid reports), trimmed. */
export function configDriveLabel(image: Uint8Array): string {
  return new TextDecoder().decode(image.subarray(LABEL_OFFSET, LABEL_OFFSET + 11)).trim();
}
