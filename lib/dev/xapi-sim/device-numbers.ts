/**
 * Device names of VBDs and VIFs as xapi reads them (xapi-idl's Device_number): a VBD `userdevice` is a disk
 * number ("0", "3") or a Linux name ("xvda", "hdd", "sdb", "d2p1"); "3" means IDE disk 3 to an HVM guest and
 * Xen disk 3 to a PV one, so two names clash when any reading of one equals any reading of the other. HVM
 * guests may use disks 0-254, VIFs 0-15.
 */
import type { VbdRecord, VifRecord, VmRecord } from "@/lib/xapi/model/records.generated";

type Bus = "Xen" | "Scsi" | "Floppy" | "Ide";
/** bus, disk, partition */
export type DeviceNumber = readonly [Bus, number, number];

const MAX: Record<Bus, [number, number]> = { Xen: [(1 << 20) - 1, 15], Scsi: [15, 15], Floppy: [2, 0], Ide: [19, 63] };

function make(bus: Bus, disk: number, partition: number): DeviceNumber | undefined {
  const [diskMax, partitionMax] = MAX[bus];
  return disk >= 0 && disk <= diskMax && partition >= 0 && partition <= partitionMax ? [bus, disk, partition] : undefined;
}

function ofDiskNumber(hvm: boolean, n: number): DeviceNumber | undefined {
  return make(hvm && n < 4 ? "Ide" : "Xen", n, 0);
}

/** "abc" in base 26 with a = 1, minus one: a -> 0, z -> 25, aa -> 26. */
function base26(letters: string): number {
  return [...letters].reduce((acc, c) => acc * 26 + (c.charCodeAt(0) - 96), 0) - 1;
}

function ofLinuxDevice(name: string): DeviceNumber | undefined {
  const lettered = /^(xvd|sd|fd|hd)([a-z]+)(\d*)$/.exec(name);
  if (lettered) {
    const bus: Bus = { xvd: "Xen", sd: "Scsi", fd: "Floppy", hd: "Ide" }[lettered[1] as "xvd" | "sd" | "fd" | "hd"] as Bus;
    return make(bus, base26(lettered[2]), lettered[3] === "" ? 0 : Number(lettered[3]));
  }
  const numbered = /^d(\d+)(?:p(\d+))?$/.exec(name);
  if (numbered) return make("Xen", Number(numbered[1]), numbered[2] === undefined ? 0 : Number(numbered[2]));
  return undefined;
}

const INTEGER = /^[+-]?\d+$/;

export function parseDevice(name: string, hvm: boolean): DeviceNumber | undefined {
  if (INTEGER.test(name)) return ofDiskNumber(hvm, Number(name));
  return ofLinuxDevice(name);
}

/** Xapi_vbd_helpers.valid_device: "autodetect", a device name, or any integer. */
export function validVbdDevice(name: string): boolean {
  return name === "autodetect" || parseDevice(name, false) !== undefined || INTEGER.test(name);
}

/** Xapi_vif_helpers.valid_device: an unsigned decimal integer. */
export function validVifDevice(name: string): boolean {
  return /^\d+$/.test(name);
}

const same = (a: DeviceNumber, b: DeviceNumber) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/** Every reading of `name` (as HVM and as PV). */
export function possibleDevices(name: string): DeviceNumber[] {
  return [parseDevice(name, true), parseDevice(name, false)].filter((d): d is DeviceNumber => d !== undefined);
}

/** What the VM's VBDs already use, by their `device` and their `userdevice`. */
export function usedVbdDevices(vbds: readonly VbdRecord[]): DeviceNumber[] {
  return vbds.flatMap((vbd) => [...possibleDevices(vbd.device), ...possibleDevices(vbd.userdevice)]);
}

export function clashes(name: string, used: readonly DeviceNumber[]): boolean {
  return possibleDevices(name).some((d) => used.some((u) => same(d, u)));
}

/** Helpers.will_have_qemu: HVM guests get an emulated IDE bus. */
export function isHvm(vm: VmRecord): boolean {
  return vm.domain_type === "hvm" || (vm.domain_type === "unspecified" && vm.HVM_boot_policy !== "");
}

/** VM.get_allowed_VBD_devices: the free disk numbers, "0".."254" (control domains up to 255). */
export function allowedVbdDevices(vm: VmRecord, vbds: readonly VbdRecord[]): string[] {
  const hvm = isHvm(vm);
  const last = !hvm && vm.is_control_domain ? 255 : 254;
  const used = usedVbdDevices(vbds);
  const free: string[] = [];
  for (let n = 0; n <= last; n++) {
    const device = ofDiskNumber(hvm, n);
    if (device && !used.some((u) => same(u, device))) free.push(String(n));
  }
  return free;
}

/** VM.get_allowed_VIF_devices: "0".."15" not taken. */
export function allowedVifDevices(vifs: readonly VifRecord[]): string[] {
  const used = new Set(vifs.map((v) => v.device));
  return Array.from({ length: 16 }, (_, i) => String(i)).filter((d) => !used.has(d));
}
