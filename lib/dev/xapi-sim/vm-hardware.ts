/**
 * What a VM has, and how xapi lets it change (xapi_vm.ml, vm_memory_constraints.ml, message_forwarding):
 * vCPUs (`VCPUs_max` while halted; `VCPUs_at_startup` at any time, for the next boot; `set_VCPUs_number_live`
 * while running, up to `VCPUs_max`, which also becomes the startup count), memory (static range and limits
 * while halted, dynamic range halted or running; every change keeps static_min <= dynamic_min <= dynamic_max
 * <= static_max, else MEMORY_CONSTRAINT_VIOLATION_ORDER, and control domains keep their memory pinned),
 * the free VBD and VIF device numbers, and `VM.provision`: the disks a template's `other_config.disks`
 * describes. The memory overhead follows vCPUs and memory.
 */
import type { HostRecord, SrRecord, VbdRecord, VifRecord, VmMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { allowedVbdDevices, allowedVifDevices } from "./device-numbers";
import { XapiError } from "./errors";
import { hostMemory, memoryOverhead } from "./objects";
import type { SimPool } from "./pool";
import type { CallContext, MessageRegistry } from "./registry";
import type { StoredObject } from "./store";
import { createVbdChecked } from "./vbds";
import { createDisk } from "./vdis";
import { withVmOperation } from "./vm-lifecycle";
import { refreshAllowedOperations } from "./vm-rules";

type Vm = StoredObject<VmRecord>;

const vmOf = (ctx: CallContext, ref: unknown): Vm => ctx.pool.need<VmRecord>("VM", String(ref));

function updateOverhead(pool: SimPool, vm: Vm): void {
  const overhead = memoryOverhead(vm.rec.memory_static_max, vm.rec.VCPUs_max);
  if (overhead !== vm.rec.memory_overhead) pool.store.update(vm, { memory_overhead: overhead });
}

const isDomainZero = (vm: VmRecord) => vm.is_control_domain && vm.domid === 0;

const VCPU_RULE = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max";

// ---------------------------------------------------------------------------------------------------------
// Memory

interface MemoryConstraints {
  static_min: number;
  dynamic_min: number;
  target: number;
  dynamic_max: number;
  static_max: number;
}

const constraintsOf = (vm: VmRecord): MemoryConstraints => ({
  static_min: vm.memory_static_min,
  dynamic_min: vm.memory_dynamic_min,
  target: vm.memory_target,
  dynamic_max: vm.memory_dynamic_max,
  static_max: vm.memory_static_max,
});

/** Vm_memory_constraints.assert_valid_for_current_context (XCP-ng has dynamic memory control). */
function assertMemoryConstraints(pool: SimPool, vm: Vm, c: MemoryConstraints): void {
  const ordered = c.static_min <= c.dynamic_min && c.dynamic_min <= c.dynamic_max && c.dynamic_max <= c.static_max;
  const pinned = c.static_min <= c.dynamic_min && c.dynamic_min === c.dynamic_max && c.dynamic_max === c.static_max;
  if (vm.rec.is_control_domain) {
    if (!pinned) throw new XapiError("MEMORY_CONSTRAINT_VIOLATION_MAXPIN", ["control domain"]);
    return;
  }
  if (pool.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics)?.rec.nested_virt) {
    if (!pinned) throw new XapiError("MEMORY_CONSTRAINT_VIOLATION_MAXPIN", ["nested virt"]);
    return;
  }
  if (!ordered) throw new XapiError("MEMORY_CONSTRAINT_VIOLATION_ORDER", []);
}

function setStaticRange(ctx: CallContext, vm: Vm, min: number, max: number): Promise<void> {
  return withVmOperation(ctx, vm, "changing_static_range", () => {
    assertMemoryConstraints(ctx.pool, vm, { ...constraintsOf(vm.rec), static_min: min, static_max: max });
    ctx.pool.store.update(vm, { memory_static_min: min, memory_static_max: max });
    updateOverhead(ctx.pool, vm);
  });
}

function setLimits(ctx: CallContext, vm: Vm, staticMin: number, staticMax: number, dynamicMin: number, dynamicMax: number): Promise<void> {
  return withVmOperation(ctx, vm, "changing_memory_limits", () => {
    const c = { static_min: staticMin, dynamic_min: dynamicMin, target: dynamicMin, dynamic_max: dynamicMax, static_max: staticMax };
    assertMemoryConstraints(ctx.pool, vm, c);
    ctx.pool.store.update(vm, {
      memory_static_min: c.static_min,
      memory_dynamic_min: c.dynamic_min,
      memory_target: c.target,
      memory_dynamic_max: c.dynamic_max,
      memory_static_max: c.static_max,
    });
    updateOverhead(ctx.pool, vm);
  });
}

/**
 * Memory the host could still give if every running guest shrank to its dynamic_min
 * (Memory_check.host_compute_free_memory_with_maximum_compression).
 */
function freeMemoryWithMaximumCompression(pool: SimPool, hostRef: string): number {
  const { total } = hostMemory(pool, hostRef);
  let used = pool.need<HostRecord>("host", hostRef).rec.memory_overhead;
  for (const vm of pool.store.all<VmRecord>("VM")) {
    if (vm.rec.resident_on === hostRef || vm.rec.scheduled_to_be_resident_on === hostRef) used += vm.rec.memory_dynamic_min + vm.rec.memory_overhead;
  }
  return total - used;
}

function setDynamicRange(ctx: CallContext, vm: Vm, min: number, max: number): Promise<void> {
  return withVmOperation(ctx, vm, "changing_dynamic_range", () => {
    const running = vm.rec.power_state === "Running";
    if (running) {
      // message_forwarding's reserve_memory_for_dynamic_change (figures in KiB).
      const available = freeMemoryWithMaximumCompression(ctx.pool, vm.rec.resident_on);
      const change = vm.rec.memory_dynamic_min - min;
      if (available + change < 0)
        throw new XapiError("HOST_NOT_ENOUGH_FREE_MEMORY", [String(Math.trunc(-change / 1024)), String(Math.trunc(available / 1024))]);
    }
    assertMemoryConstraints(ctx.pool, vm, { ...constraintsOf(vm.rec), dynamic_min: min, target: min, dynamic_max: max });
    ctx.pool.store.update(vm, { memory_target: min, memory_dynamic_min: min, memory_dynamic_max: max });
    const metrics = ctx.pool.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
    // With memory to spare, the balloon driver settles at dynamic_max.
    if (running && metrics) ctx.pool.store.update(metrics, { memory_actual: max, last_updated: new Date() });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Provisioning

interface ProvisionDisk {
  device: string;
  size: number;
  sr: string;
  bootable: boolean;
  type: "system" | "user" | "ephemeral" | "suspend" | "crashdump";
}

class ParseFailure extends XapiError {
  constructor() {
    super("INTERNAL_ERROR", ["Xapi_templates.Parse_failure"]);
  }
}

const VDI_TYPES = ["system", "user", "ephemeral", "suspend", "crashdump"];

/** Xapi_templates.disks_of_xml: `<provision>` without attributes, holding `<disk .../>` elements. */
export function parseProvisionSpec(xml: string): ProvisionDisk[] {
  const root = /^\s*<provision\s*>([\s\S]*)<\/provision>\s*$|^\s*<provision\s*\/>\s*$/.exec(xml);
  if (!root) throw new ParseFailure();
  const body = root[1] ?? "";
  const disks: ProvisionDisk[] = [];
  const element = /<disk\b((?:\s+[\w-]+\s*=\s*"[^"]*")*)\s*\/>|<disk\b((?:\s+[\w-]+\s*=\s*"[^"]*")*)\s*>\s*<\/disk>/g;
  let rest = body;
  for (const m of body.matchAll(element)) {
    rest = rest.replace(m[0], "");
    const attrs = Object.fromEntries([...(m[1] ?? m[2] ?? "").matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)].map((a) => [a[1], a[2]]));
    const { device, size, sr, bootable } = attrs;
    if (device === undefined || size === undefined || sr === undefined || bootable === undefined || !/^[+-]?\d+$/.test(size)) throw new ParseFailure();
    // xapi falls back to "system" for a missing or unknown type.
    const type = VDI_TYPES.includes(attrs.type) ? (attrs.type as ProvisionDisk["type"]) : "system";
    disks.push({ device, size: Number(size), sr, bootable: bootable === "true", type });
  }
  if (rest.trim() !== "") throw new ParseFailure();
  return disks;
}

/**
 * VM.provision (xapi_vm.ml): the VM stops being a template, then each disk of the spec is created in order
 * (VDI.create on the SR named by uuid, VBD.create, the VDI named after its device) and the spec removed. A
 * failure part-way leaves the disks made so far, as xapi does.
 */
async function provision(ctx: CallContext, vm: Vm): Promise<void> {
  const { pool } = ctx;
  // "set_is_a_template false" is install time.
  pool.store.update(vm, { is_a_template: false });
  refreshAllowedOperations(pool, vm);
  const metrics = pool.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
  if (metrics) pool.store.update(metrics, { install_time: new Date() });
  const spec = vm.rec.other_config.disks;
  const disks = spec === undefined ? [] : parseProvisionSpec(spec);
  if (disks.length === 0 && vm.rec.other_config.postinstall === undefined) return;
  if (ctx.op.task) pool.store.update(ctx.op.task, { progress: 0.1 });
  await ctx.op.work(ctx.core.duration("provision"), 0.2);
  for (const [i, disk] of disks.entries()) {
    const sr = pool.store.byUuidOf<SrRecord>("SR", disk.sr);
    if (!sr) throw new XapiError("UUID_INVALID", ["sr", disk.sr]);
    const vdi = await createDisk(
      ctx,
      {
        SR: sr.ref,
        name_label: "",
        name_description: "Created by template provisioner",
        virtual_size: disk.size,
        type: disk.type,
        sharable: false,
        read_only: false,
        other_config: {},
        sm_config: { vmhint: vm.uuid },
      },
      0.2 + (0.75 * (i + 1)) / disks.length,
    );
    const vbd = createVbdChecked(ctx, {
      VM: vm.ref,
      VDI: vdi.ref,
      userdevice: disk.device,
      bootable: disk.bootable,
      mode: "RW",
      type: "Disk",
      unpluggable: disk.type !== "system",
      empty: false,
      qos_algorithm_type: "",
      qos_algorithm_params: {},
      other_config: { owner: "" },
      device: "",
      currently_attached: false,
    });
    pool.store.update(vdi, { name_label: vbd.rec.userdevice });
  }
  const otherConfig = { ...vm.rec.other_config };
  delete otherConfig.disks;
  delete otherConfig.postinstall;
  pool.store.update(vm, { other_config: otherConfig });
}

// ---------------------------------------------------------------------------------------------------------

export function vmHardwareMessages(r: MessageRegistry): void {
  r.define("VM.set_VCPUs_max", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "changing_VCPUs", () => {
      const n = Number(value);
      if (n < 1 || n < vm.rec.VCPUs_at_startup) throw new XapiError("INVALID_VALUE", [VCPU_RULE, String(n)]);
      ctx.pool.store.update(vm, { VCPUs_max: n });
      updateOverhead(ctx.pool, vm);
    });
  });
  // Not an operation of the VM: xapi allows it in any power state (it takes effect at the next boot).
  r.define("VM.set_VCPUs_at_startup", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    if (isDomainZero(vm.rec)) throw new XapiError("OPERATION_NOT_ALLOWED", ["set_VCPUs_at_startup is not allowed on dom0"]);
    const n = Number(value);
    if (n < 1 || n > vm.rec.VCPUs_max) throw new XapiError("INVALID_VALUE", [VCPU_RULE, String(n)]);
    ctx.pool.store.update(vm, { VCPUs_at_startup: n });
    updateOverhead(ctx.pool, vm);
  });
  r.define("VM.set_VCPUs_number_live", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "changing_VCPUs_live", () => {
      const n = Number(value);
      // xenopsd refuses with Invalid_vcpus carrying VCPUs_max, which xapi reports as the value.
      if (n <= 0 || n > vm.rec.VCPUs_max) throw new XapiError("INVALID_VALUE", ["VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max", String(vm.rec.VCPUs_max)]);
      ctx.pool.store.update(vm, { VCPUs_at_startup: n });
      const metrics = ctx.pool.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
      if (metrics) ctx.pool.store.update(metrics, { VCPUs_number: n, last_updated: new Date() });
      updateOverhead(ctx.pool, vm);
    });
  });

  r.define("VM.set_memory_static_range", (ctx, [ref, min, max]) => setStaticRange(ctx, vmOf(ctx, ref), Number(min), Number(max)));
  r.define("VM.set_memory_static_max", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    return setStaticRange(ctx, vm, vm.rec.memory_static_min, Number(value));
  });
  r.define("VM.set_memory_static_min", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    return setStaticRange(ctx, vm, Number(value), vm.rec.memory_static_max);
  });
  r.define("VM.set_memory_dynamic_range", (ctx, [ref, min, max]) => setDynamicRange(ctx, vmOf(ctx, ref), Number(min), Number(max)));
  r.define("VM.set_memory_dynamic_max", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    return setDynamicRange(ctx, vm, vm.rec.memory_dynamic_min, Number(value));
  });
  r.define("VM.set_memory_dynamic_min", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    return setDynamicRange(ctx, vm, Number(value), vm.rec.memory_dynamic_max);
  });
  r.define("VM.set_memory_limits", (ctx, [ref, smin, smax, dmin, dmax]) =>
    setLimits(ctx, vmOf(ctx, ref), Number(smin), Number(smax), Number(dmin), Number(dmax)),
  );
  r.define("VM.set_memory", (ctx, [ref, value]) => {
    const vm = vmOf(ctx, ref);
    const v = Number(value);
    return setLimits(ctx, vm, vm.rec.memory_static_min, v, v, v);
  });
  r.define("VM.compute_memory_overhead", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref).rec;
    return memoryOverhead(vm.memory_static_max, vm.VCPUs_max);
  });

  r.define("VM.get_allowed_VBD_devices", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref);
    const vbds = vm.rec.VBDs.map((v) => ctx.pool.store.getOf<VbdRecord>("VBD", v)?.rec).filter((v) => v !== undefined);
    return allowedVbdDevices(vm.rec, vbds);
  });
  r.define("VM.get_allowed_VIF_devices", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref);
    return allowedVifDevices(vm.rec.VIFs.map((v) => ctx.pool.store.getOf<VifRecord>("VIF", v)?.rec).filter((v) => v !== undefined));
  });

  r.define("VM.provision", (ctx, [ref]) => {
    const vm = vmOf(ctx, ref);
    return withVmOperation(ctx, vm, "provision", () => provision(ctx, vm));
  });
}
