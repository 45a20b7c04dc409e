/**
 * The XAPI calls that give a VM a device, shared by the VM creation and the hardware edits: a new disk (VDI +
 * VBD), an existing disk attached, a CD drive, a network interface. Records are written as Xen Orchestra writes
 * them; positions come from `VM.get_allowed_VBD_devices` / `get_allowed_VIF_devices`. A new device starts
 * unplugged even on a running VM (XAPI's rule): `plug` says whether to plug it at once.
 */
import "server-only";
import { NULL_REF, type CallAsyncOptions, type PoolConnection } from "@/lib/xapi";

/** The CD drive's usual position on HVM guests (the secondary master, hdd). */
const CD_POSITION = "3";

export async function allowedVbdDevices(connection: PoolConnection, vmRef: string): Promise<string[]> {
  return connection.client.call<string[]>("VM.get_allowed_VBD_devices", vmRef);
}

async function firstAllowed(connection: PoolConnection, method: "VM.get_allowed_VBD_devices" | "VM.get_allowed_VIF_devices", vmRef: string) {
  const allowed = await connection.client.call<string[]>(method, vmRef);
  const sorted = [...allowed].sort((a, b) => Number(a) - Number(b));
  if (sorted.length === 0) throw new RangeError("no free device position");
  return sorted;
}

export interface NewDisk {
  name: string;
  description?: string;
  sizeBytes: number;
  srRef: string;
  /** XAPI's VDI type: "system" for a boot disk, "user" otherwise. */
  type?: "system" | "user";
}

/** `VDI.create` of an empty disk; resolves with its ref. */
export function createVdi(connection: PoolConnection, disk: NewDisk, task: CallAsyncOptions): Promise<string> {
  return connection.callAsync<string>(
    "VDI.create",
    [
      {
        name_label: disk.name,
        name_description: disk.description ?? "",
        SR: disk.srRef,
        virtual_size: disk.sizeBytes,
        type: disk.type ?? "user",
        sharable: false,
        read_only: false,
        other_config: {},
        xenstore_data: {},
        sm_config: {},
        tags: [],
      },
    ],
    task,
  );
}

/** `VBD.create` of a disk at the first free position; resolves with the VBD's ref. */
export async function attachVdi(
  connection: PoolConnection,
  vmRef: string,
  vdiRef: string,
  options: { bootable: boolean; mode?: "RW" | "RO" },
  task: CallAsyncOptions,
): Promise<string> {
  const [device] = await firstAllowed(connection, "VM.get_allowed_VBD_devices", vmRef);
  return connection.callAsync<string>(
    "VBD.create",
    [
      {
        VM: vmRef,
        VDI: vdiRef,
        userdevice: device,
        bootable: options.bootable,
        mode: options.mode ?? "RW",
        type: "Disk",
        unpluggable: true,
        empty: false,
        other_config: { owner: "" },
        qos_algorithm_type: "",
        qos_algorithm_params: {},
      },
    ],
    task,
  );
}

/** A CD drive at position 3 (or the first free one), holding `isoRef` or empty. */
export async function createCdDrive(connection: PoolConnection, vmRef: string, isoRef: string | null, bootable: boolean, task: CallAsyncOptions) {
  const allowed = await firstAllowed(connection, "VM.get_allowed_VBD_devices", vmRef);
  return connection.callAsync<string>(
    "VBD.create",
    [
      {
        VM: vmRef,
        VDI: isoRef ?? NULL_REF,
        userdevice: allowed.includes(CD_POSITION) ? CD_POSITION : allowed[0],
        bootable,
        mode: "RO",
        type: "CD",
        unpluggable: true,
        empty: isoRef === null,
        other_config: {},
        qos_algorithm_type: "",
        qos_algorithm_params: {},
      },
    ],
    task,
  );
}

/** `VIF.create` at the first free position; an empty MAC lets XAPI derive one from the VM's mac_seed. */
export async function createVif(connection: PoolConnection, vmRef: string, networkRef: string, mac: string, task: CallAsyncOptions): Promise<string> {
  const [device] = await firstAllowed(connection, "VM.get_allowed_VIF_devices", vmRef);
  const mtu = connection.cache.get("network", networkRef)?.MTU ?? 1500;
  return connection.callAsync<string>(
    "VIF.create",
    [
      {
        device,
        network: networkRef,
        VM: vmRef,
        MAC: mac,
        MTU: mtu,
        other_config: {},
        qos_algorithm_type: "",
        qos_algorithm_params: {},
        locking_mode: "network_default",
      },
    ],
    task,
  );
}
