/**
 * The VM hardware action: the server side of the Hardware tab. The pipeline authorizes on the VM (hardware:
 * admins; CD and tags: operators); here each edit adds its own checks (the disk, interface, SR, network or ISO it
 * names must be this VM's or visible to the user), then makes XAPI's calls. A device added to a running VM is
 * plugged at once (XAPI creates it unplugged); one removed from a running VM is unplugged first. XAPI's own
 * refusals (limits, power states, disks in use) come back in words.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { networkSecurable, srSecurable, vdiSecurable } from "@/lib/access/securables";
import { defineAction, type ActionContext } from "@/lib/actions/define";
import type { LocatedVm } from "@/lib/pools/locate";
import { failure, refusal, type ActionResult } from "@/lib/result";
import { XapiError } from "@/lib/xapi";
import { attachVdi, createCdDrive, createVdi, createVif } from "./devices";
import { VM_HARDWARE, vmHardwareInputSchema, type ParsedVmHardwareInput, type VmHardwareId } from "./hardware";
import { locateVmFor, VM_NOT_FOUND } from "./locate";
import { sizeText } from "./sizes";

export const DISK_NOT_FOUND = "Choose a disk of this VM.";
export const INTERFACE_NOT_FOUND = "Choose a network interface of this VM.";
export const SR_NOT_USABLE = "Choose a storage repository of this VM's pool that you have access to.";
export const NETWORK_NOT_USABLE = "Choose a network of this VM's pool that you have access to.";
export const ISO_NOT_USABLE = "Choose an ISO of this VM's pool that you have access to.";
export const VDI_NOT_USABLE = "Choose a detached disk of this VM's pool that you manage.";

export type VmHardwareResult = ActionResult<{ operation: VmHardwareId; message: string }>;

type Context = ActionContext<ParsedVmHardwareInput, LocatedVm>;

function auditParams(input: ParsedVmHardwareInput): Record<string, unknown> {
  const { vm: _vm, ...rest } = input;
  return rest;
}

export const vmHardware = defineAction({
  name: "vm.hardware",
  input: vmHardwareInputSchema,
  authorize: {
    action: (input) => VM_HARDWARE[input.operation].permission,
    locate: (input) => locateVmFor(input.vm),
    notFound: VM_NOT_FOUND,
    requestedUuid: (input) => input.vm,
  },
  auditAction: (input) => `vm.hardware.${input.operation}`,
  auditParams,
  describe: ({ input, target }) => ({ action: VM_HARDWARE[input.operation].verb, objectName: target.vm.name_label }),
  run: runHardware,
});

async function runHardware(context: Context): Promise<VmHardwareResult> {
  const { input } = context;
  const message = await edit(context);
  if (typeof message !== "string") return message;
  await context.target.connection.catchUp();
  return { ok: true, operation: input.operation, message };
}

/** Performs the edit; answers the success message, or a failure. */
async function edit(context: Context): Promise<string | ReturnType<typeof failure>> {
  const { actor, input, task, params } = context;
  const { connection, vm, view } = context.target;
  const cache = connection.cache;
  const client = connection.client;
  const name = vm.name_label;
  const running = vm.power_state === "Running";
  const vbdOfVm = (uuid: string) => {
    const vbd = cache.getByUuid("VBD", uuid);
    return vbd && vbd.VM === vm.$ref ? vbd : undefined;
  };
  const vifOfVm = (uuid: string) => {
    const vif = cache.getByUuid("VIF", uuid);
    return vif && vif.VM === vm.$ref ? vif : undefined;
  };

  switch (input.operation) {
    case "resources":
      return resources(context);
    case "disk.create": {
      const sr = cache.getByUuid("SR", input.sr);
      if (!sr || sr.content_type === "iso" || !can(actor, "sr.view", srSecurable(view.uuid, sr)))
        return refusal("SR_NOT_FOUND", SR_NOT_USABLE, { sr: [SR_NOT_USABLE] });
      const vdi = await createVdi(connection, { name: input.name, sizeBytes: input.size, srRef: sr.$ref }, task);
      params.vdi = await client.call<string>("VDI.get_uuid", vdi);
      const vbd = await attachVdi(connection, vm.$ref, vdi, { bootable: false }, task);
      if (running) await connection.callAsync("VBD.plug", [vbd], task);
      return `Disk “${input.name}” (${sizeText(input.size)}) added to ${name}`;
    }
    case "disk.attach": {
      const vdi = cache.getByUuid("VDI", input.vdi);
      const sr = vdi && cache.get("SR", vdi.SR);
      const inUse = vdi ? cache.vbdsByVdi(vdi.$ref).some((vbd) => !cache.get("VM", vbd.VM)?.is_control_domain) : true;
      if (!vdi || !sr || sr.content_type === "iso" || vdi.is_a_snapshot || inUse || !can(actor, "vdi.manage", vdiSecurable(view.uuid, cache, vdi))) {
        return refusal("VDI_NOT_FOUND", VDI_NOT_USABLE, { vdi: [VDI_NOT_USABLE] });
      }
      const vbd = await attachVdi(connection, vm.$ref, vdi.$ref, { bootable: false }, task);
      if (running) await connection.callAsync("VBD.plug", [vbd], task);
      return `Disk “${vdi.name_label}” attached to ${name}`;
    }
    case "disk.detach": {
      const vbd = vbdOfVm(input.vbd);
      if (!vbd || vbd.type !== "Disk") return failure(DISK_NOT_FOUND, { vbd: [DISK_NOT_FOUND] }, "NOT_FOUND");
      const label = cache.get("VDI", vbd.VDI)?.name_label ?? "The disk";
      if (vbd.currently_attached) await connection.callAsync("VBD.unplug", [vbd.$ref], task);
      await connection.callAsync("VBD.destroy", [vbd.$ref], task);
      return `“${label}” detached from ${name}; the disk is kept`;
    }
    case "disk.resize": {
      const vbd = vbdOfVm(input.vbd);
      const vdi = vbd && vbd.type === "Disk" ? cache.get("VDI", vbd.VDI) : undefined;
      if (!vdi) return failure(DISK_NOT_FOUND, { vbd: [DISK_NOT_FOUND] }, "NOT_FOUND");
      if (input.size < vdi.virtual_size) {
        const message = `A disk can only grow: enter at least ${sizeText(vdi.virtual_size)}`;
        return failure(message, { size: [message] }, "INVALID_INPUT");
      }
      if (input.size === vdi.virtual_size) return `“${vdi.name_label}” keeps its size`;
      await connection.callAsync("VDI.resize", [vdi.$ref, input.size], task);
      return `“${vdi.name_label}” grown to ${sizeText(input.size)}`;
    }
    case "disk.delete": {
      const vbd = vbdOfVm(input.vbd);
      const vdi = vbd && vbd.type === "Disk" ? cache.get("VDI", vbd.VDI) : undefined;
      if (!vdi) return failure(DISK_NOT_FOUND, { vbd: [DISK_NOT_FOUND] }, "NOT_FOUND");
      const others = cache.vbdsByVdi(vdi.$ref).filter((other) => other.VM !== vm.$ref && !cache.get("VM", other.VM)?.is_control_domain);
      if (others.length > 0) {
        const message = `“${vdi.name_label}” is also used by another VM: detach it instead`;
        return failure(message, undefined, "VDI_SHARED");
      }
      if (vbd!.currently_attached) throw new XapiError("VDI_IN_USE", [vdi.$ref, "destroy"]);
      params.vdi = vdi.uuid;
      await connection.callAsync("VDI.destroy", [vdi.$ref], task);
      return `“${vdi.name_label}” deleted`;
    }
    case "cd.insert": {
      const iso = cache.getByUuid("VDI", input.iso);
      if (!iso || cache.get("SR", iso.SR)?.content_type !== "iso" || !can(actor, "vdi.view", vdiSecurable(view.uuid, cache, iso))) {
        return refusal("ISO_NOT_FOUND", ISO_NOT_USABLE, { iso: [ISO_NOT_USABLE] });
      }
      const drive = cache.vbdsByVm(vm.$ref).find((vbd) => vbd.type === "CD");
      if (!drive) {
        if (vm.power_state !== "Halted") {
          return failure(`${name} has no CD drive; halt it to add one (a CD drive cannot be added while the VM runs)`, undefined, "NO_CD_DRIVE");
        }
        await createCdDrive(connection, vm.$ref, iso.$ref, false, task);
      } else {
        if (!drive.empty) await connection.callAsync("VBD.eject", [drive.$ref], task);
        await connection.callAsync("VBD.insert", [drive.$ref, iso.$ref], task);
      }
      return `${iso.name_label} inserted into ${name}`;
    }
    case "cd.eject": {
      const drive = cache.vbdsByVm(vm.$ref).find((vbd) => vbd.type === "CD" && !vbd.empty);
      if (!drive) return failure(`The CD drive of ${name} is empty`, undefined, "VBD_IS_EMPTY");
      await connection.callAsync("VBD.eject", [drive.$ref], task);
      return `CD ejected from ${name}`;
    }
    case "vif.create": {
      const network = cache.getByUuid("network", input.network);
      if (!network || !can(actor, "network.view", networkSecurable(view.uuid, network))) {
        return refusal("NETWORK_NOT_FOUND", NETWORK_NOT_USABLE, { network: [NETWORK_NOT_USABLE] });
      }
      const vif = await createVif(connection, vm.$ref, network.$ref, input.mac, task);
      params.vif = await client.call<string>("VIF.get_uuid", vif);
      if (running) await connection.callAsync("VIF.plug", [vif], task);
      return `Network interface on ${network.name_label} added to ${name}`;
    }
    case "vif.remove": {
      const vif = vifOfVm(input.vif);
      if (!vif) return failure(INTERFACE_NOT_FOUND, { vif: [INTERFACE_NOT_FOUND] }, "NOT_FOUND");
      if (vif.currently_attached && running) await connection.callAsync("VIF.unplug", [vif.$ref], task);
      await connection.callAsync("VIF.destroy", [vif.$ref], task);
      return `Network interface eth${vif.device} removed from ${name}`;
    }
    case "vif.plug":
    case "vif.unplug": {
      const vif = vifOfVm(input.vif);
      if (!vif) return failure(INTERFACE_NOT_FOUND, { vif: [INTERFACE_NOT_FOUND] }, "NOT_FOUND");
      const plug = input.operation === "vif.plug";
      await connection.callAsync(plug ? "VIF.plug" : "VIF.unplug", [vif.$ref], task);
      return `Network interface eth${vif.device} ${plug ? "plugged" : "unplugged"}`;
    }
    case "tags.add":
      if (vm.tags.includes(input.tag)) return `${name} already has the tag “${input.tag}”`;
      await client.call("VM.add_tags", vm.$ref, input.tag);
      return `Tag “${input.tag}” added to ${name}`;
    case "tags.remove":
      await client.call("VM.remove_tags", vm.$ref, input.tag);
      return `Tag “${input.tag}” removed from ${name}`;
  }
}

/**
 * vCPUs and memory. Halted: XAPI keeps 0 < VCPUs_at_startup <= VCPUs_max and the memory order at every call, so
 * the maximum rises first and falls last, and the memory goes in one `set_memory_limits`. Running: the live vCPU
 * count (which XAPI also keeps for the next start) and the dynamic range; the maxima wait for a halt.
 */
async function resources(context: Context): Promise<string | ReturnType<typeof failure>> {
  const { input, task } = context;
  if (input.operation !== "resources") throw new Error("not a resources edit");
  const { connection, vm } = context.target;
  const client = connection.client;
  const name = vm.name_label;
  if (vm.power_state === "Halted") {
    const vcpusMax = input.vcpusMax ?? vm.VCPUs_max;
    const staticMax = input.memory ?? vm.memory_static_max;
    if (input.vcpus > vcpusMax) {
      const message = "The vCPUs at start cannot exceed the maximum";
      return failure(message, { vcpus: [message] }, "INVALID_INPUT");
    }
    if (vcpusMax > vm.VCPUs_max) {
      await client.call("VM.set_VCPUs_max", vm.$ref, vcpusMax);
      await client.call("VM.set_VCPUs_at_startup", vm.$ref, input.vcpus);
    } else {
      if (input.vcpus !== vm.VCPUs_at_startup) await client.call("VM.set_VCPUs_at_startup", vm.$ref, input.vcpus);
      if (vcpusMax !== vm.VCPUs_max) await client.call("VM.set_VCPUs_max", vm.$ref, vcpusMax);
    }
    const memoryChanged = staticMax !== vm.memory_static_max || input.dynamicMin !== vm.memory_dynamic_min || input.dynamicMax !== vm.memory_dynamic_max;
    if (memoryChanged) {
      await client.call("VM.set_memory_limits", vm.$ref, Math.min(vm.memory_static_min, input.dynamicMin), staticMax, input.dynamicMin, input.dynamicMax);
    }
    return `${name}: ${input.vcpus} vCPUs (at most ${vcpusMax}), ${sizeText(staticMax)} of memory`;
  }
  if (vm.power_state !== "Running") throw new XapiError("VM_BAD_POWER_STATE", [vm.$ref, "halted, running", vm.power_state.toLowerCase()]);
  const fieldErrors: Record<string, string[]> = {};
  if (input.vcpusMax !== undefined && input.vcpusMax !== vm.VCPUs_max) fieldErrors.vcpusMax = ["Halt the VM to change its maximum vCPUs"];
  if (input.memory !== undefined && input.memory !== vm.memory_static_max) fieldErrors.memory = ["Halt the VM to change its maximum memory"];
  if (Object.keys(fieldErrors).length > 0) return failure(Object.values(fieldErrors)[0]![0]!, fieldErrors, "VM_BAD_POWER_STATE");
  const metrics = connection.cache.get("VM_metrics", vm.metrics);
  if (input.vcpus !== (metrics?.VCPUs_number ?? vm.VCPUs_at_startup)) await connection.callAsync("VM.set_VCPUs_number_live", [vm.$ref, input.vcpus], task);
  if (input.dynamicMin !== vm.memory_dynamic_min || input.dynamicMax !== vm.memory_dynamic_max) {
    await connection.callAsync("VM.set_memory_dynamic_range", [vm.$ref, input.dynamicMin, input.dynamicMax], task);
  }
  return `${name}: ${input.vcpus} vCPUs, memory ${sizeText(input.dynamicMin)}–${sizeText(input.dynamicMax)}`;
}
