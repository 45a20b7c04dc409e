/**
 * Creating a VM from a template, in the order Xen Orchestra calls XAPI: `VM.clone` (or `VM.copy` to the chosen
 * SR) → the provision spec removed (the disks are created here, one by one) → `VM.provision` → vCPUs, memory,
 * boot order, home host → CD drive → disks → cloud-init config drive → network interfaces → optional start.
 *
 * Everything the request names is checked first, on the server: each SR, network, ISO and host must be of the
 * template's pool and visible to the user, sizes within the template's limits. Each step publishes its progress
 * (progress.ts). A failure removes what was made (the VM, which takes its VBDs and VIFs, then every disk it had
 * or was given) and the answer names the step; a failed start leaves the finished VM and says why it did not start.
 */
import "server-only";
import { can, type Securable } from "@/lib/access/can";
import { hostSecurable, networkSecurable, srSecurable, vdiSecurable } from "@/lib/access/securables";
import type { ActionContext } from "@/lib/actions/define";
import { INTERNAL_ERROR } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import type { PoolView } from "@/lib/pools/views";
import { failure, refusal, type ActionFailure, type ActionResult } from "@/lib/result";
import { describeXapiError, importRawVdi, isXapiError, type PoolConnection, type XapiObject } from "@/lib/xapi";
import { attachVdi, createCdDrive, createVdi, createVif } from "@/lib/vm/devices";
import { sizeText } from "@/lib/vm/sizes";
import { cloudInitMetaData, fillCloudInitVariables } from "./cloud-init";
import { buildConfigDrive, CONFIG_DRIVE_BYTES } from "./config-drive";
import { CLOUD_INIT_TAG, templateLimits, type ParsedVmCreationInput, type TemplateLimits } from "./input";
import { publishProgress } from "./progress";
import { CREATION_STEP_IDS, CREATION_STEP_LABELS, type CreationStep, type CreationStepId } from "./steps";

export const TEMPLATE_NOT_FOUND = "This template does not exist, or you do not have access to it.";
export const SR_NOT_VISIBLE = "Choose a storage repository of the template's pool that you have access to.";
export const NETWORK_NOT_VISIBLE = "Choose a network of the template's pool that you have access to.";
export const ISO_NOT_VISIBLE = "Choose an ISO of the template's pool that you have access to.";
export const HOST_NOT_VISIBLE = "Choose a host of the template's pool that you have access to.";

/** The template as the action found it. */
export interface CreationTarget {
  view: PoolView;
  connection: PoolConnection;
  template: XapiObject<"VM">;
}

export type VmCreationResult = ActionResult<{
  vm: { uuid: string; name: string };
  message: string;
  /** False when the start was asked for and failed (the VM stays, halted). */
  started: boolean;
  steps: CreationStep[];
}>;

/** The request with every uuid turned into a ref the user may use. */
interface Plan {
  limits: TemplateLimits;
  copyToSr: string | null;
  resizes: { position: string; sizeBytes: number }[];
  disks: { sizeBytes: number; srRef: string; name: string }[];
  interfaces: { networkRef: string; mac: string }[];
  isoRef: string | null;
  hostRef: string | null;
  cloudInit: { userData: string; networkConfig: string; srRef: string } | null;
}

const isCloudTemplate = (template: XapiObject<"VM">) => template.tags.includes(CLOUD_INIT_TAG);

/** The template's own disks: its Disk VBDs with their VDIs. */
function templateDisks(connection: PoolConnection, template: XapiObject<"VM">) {
  return connection.cache
    .vbdsByVm(template.$ref)
    .filter((vbd) => vbd.type === "Disk" && !vbd.empty)
    .map((vbd) => ({ vbd, vdi: connection.cache.get("VDI", vbd.VDI) }))
    .filter((disk): disk is { vbd: typeof disk.vbd; vdi: XapiObject<"VDI"> } => disk.vdi !== undefined);
}

/** Checks the request against the pool, the user's rights and the template's limits. */
function plan(actor: CurrentUser, target: CreationTarget, input: ParsedVmCreationInput, limits: TemplateLimits): Plan | ActionFailure {
  const { connection, template, view } = target;
  const cache = connection.cache;
  const sees = (action: "sr.view" | "network.view" | "host.view" | "vdi.view", securable: Securable) => can(actor, action, securable);
  const usableSr = (uuid: string) => {
    const sr = cache.getByUuid("SR", uuid);
    const attached = sr && cache.pbdsBySr(sr.$ref).some((pbd) => pbd.currently_attached);
    return sr && attached && sr.content_type !== "iso" && sees("sr.view", srSecurable(view.uuid, sr)) ? sr.$ref : null;
  };

  const fieldErrors: Record<string, string[]> = {};
  const add = (field: string, message: string) => (fieldErrors[field] ??= []).push(message);
  if (input.vcpus > limits.vcpusMax) add("vcpus", `This template allows at most ${limits.vcpusMax} vCPUs`);
  if (input.memory < limits.memoryMin) add("memory", `This template needs at least ${sizeText(limits.memoryMin)}`);
  if (input.memory > limits.memoryMax) add("memory", `This template allows at most ${sizeText(limits.memoryMax)}`);
  if (input.interfaces.length > limits.interfacesMax) add("interfaces", `This template allows at most ${limits.interfacesMax} network interfaces`);
  if (input.cloudInit && !isCloudTemplate(template)) add("cloudInit", "This template does not read a cloud-init config drive");
  const own = templateDisks(connection, template);
  for (const resize of input.templateDisks) {
    const disk = own.find((candidate) => candidate.vbd.userdevice === resize.position);
    if (!disk) add("templateDisks", `The template has no disk at position ${resize.position}`);
    else if (resize.size < disk.vdi.virtual_size) add("templateDisks", `A disk of the template can only grow (at least ${sizeText(disk.vdi.virtual_size)})`);
  }
  if (Object.keys(fieldErrors).length > 0) return failure(Object.values(fieldErrors)[0]![0]!, fieldErrors, "INVALID_INPUT");

  const copyToSr = input.templateDisksSr ? usableSr(input.templateDisksSr) : null;
  if (input.templateDisksSr && !copyToSr) return refusal("SR_NOT_FOUND", SR_NOT_VISIBLE, { templateDisksSr: [SR_NOT_VISIBLE] });
  const disks: Plan["disks"] = [];
  for (const disk of input.disks) {
    const srRef = usableSr(disk.sr);
    if (!srRef) return refusal("SR_NOT_FOUND", SR_NOT_VISIBLE, { disks: [SR_NOT_VISIBLE] });
    disks.push({ sizeBytes: disk.size, srRef, name: disk.name });
  }
  const interfaces: Plan["interfaces"] = [];
  for (const vif of input.interfaces) {
    const network = cache.getByUuid("network", vif.network);
    if (!network || !sees("network.view", networkSecurable(view.uuid, network))) {
      return refusal("NETWORK_NOT_FOUND", NETWORK_NOT_VISIBLE, { interfaces: [NETWORK_NOT_VISIBLE] });
    }
    interfaces.push({ networkRef: network.$ref, mac: vif.mac });
  }
  let isoRef: string | null = null;
  if (input.iso) {
    const iso = cache.getByUuid("VDI", input.iso);
    const isoSr = iso && cache.get("SR", iso.SR);
    if (!iso || isoSr?.content_type !== "iso" || !sees("vdi.view", vdiSecurable(view.uuid, cache, iso))) {
      return refusal("ISO_NOT_FOUND", ISO_NOT_VISIBLE, { iso: [ISO_NOT_VISIBLE] });
    }
    isoRef = iso.$ref;
  }
  let hostRef: string | null = null;
  if (input.affinity) {
    const host = cache.getByUuid("host", input.affinity);
    if (!host || !sees("host.view", hostSecurable(view.uuid, host))) return refusal("HOST_NOT_FOUND", HOST_NOT_VISIBLE, { affinity: [HOST_NOT_VISIBLE] });
    hostRef = host.$ref;
  }
  let cloudInit: Plan["cloudInit"] = null;
  if (input.cloudInit) {
    // Beside the system disk: where the template's disks go, else the first new disk's SR, else the default SR.
    const usableRef = (ref: string | undefined) => {
      const sr = ref ? cache.get("SR", ref) : undefined;
      return sr ? usableSr(sr.uuid) : null;
    };
    const srRef = copyToSr ?? own.map((disk) => usableRef(disk.vdi.SR)).find(Boolean) ?? disks[0]?.srRef ?? usableRef(cache.pool()?.default_SR);
    if (!srRef) {
      const message = "Add a disk: the config drive goes on the same storage";
      return failure(message, { cloudInit: [message] }, "INVALID_INPUT");
    }
    cloudInit = { userData: input.cloudInit.userData, networkConfig: input.cloudInit.networkConfig, srRef };
  }
  return {
    limits,
    copyToSr,
    resizes: input.templateDisks.map((disk) => ({ position: disk.position, sizeBytes: disk.size })),
    disks,
    interfaces,
    isoRef,
    hostRef,
    cloudInit,
  };
}

/** The steps this request goes through, published for the page that polls them. */
class StepTracker {
  readonly steps: CreationStep[];
  constructor(
    private readonly id: string | undefined,
    private readonly actorId: string,
    applies: (step: CreationStepId) => boolean,
  ) {
    this.steps = CREATION_STEP_IDS.map((step) => ({ id: step, label: CREATION_STEP_LABELS[step], state: applies(step) ? "pending" : "skipped" }));
    this.publish();
  }
  private step(id: CreationStepId): CreationStep {
    return this.steps.find((step) => step.id === id)!;
  }
  set(id: CreationStepId, state: CreationStep["state"], detail?: string): void {
    Object.assign(this.step(id), { state, detail });
    this.publish();
  }
  undoAll(): void {
    for (const step of this.steps) if (step.state === "done") step.state = "undone";
  }
  publish(done = false): void {
    publishProgress(this.id, this.actorId, this.steps, done);
  }
}

/** What a failure left behind. */
interface Made {
  vm: string | null;
  vdis: Set<string>;
}

/**
 * Removes a half-made VM: its disks are listed from XAPI (not the cache: a clone's copies may not be cached yet),
 * then the VM goes (with its VBDs and VIFs), then the disks (never an ISO: only Disk VBDs count). Returns what
 * could not be removed.
 */
async function rollBack(connection: PoolConnection, made: Made, task: ActionContext<unknown, unknown>["task"]): Promise<unknown[]> {
  const leftovers: unknown[] = [];
  if (made.vm) {
    try {
      for (const vbd of await connection.client.call<string[]>("VM.get_VBDs", made.vm)) {
        const record = await connection.client.call<{ type: string; empty: boolean; VDI: string }>("VBD.get_record", vbd);
        if (record.type === "Disk" && !record.empty) made.vdis.add(record.VDI);
      }
      await connection.callAsync("VM.destroy", [made.vm], task);
    } catch (error) {
      leftovers.push(error);
    }
  }
  for (const vdi of made.vdis) await connection.callAsync("VDI.destroy", [vdi], task).catch((error: unknown) => leftovers.push(error));
  return leftovers;
}

const FAILED_STEP: Record<CreationStepId, string> = {
  clone: "Copying the template failed",
  provision: "Turning the copy into a VM failed",
  settings: "Setting the vCPUs, memory, boot order or home host failed",
  cd: "Adding the CD drive failed",
  disks: "Creating the disks failed",
  "config-drive": "Writing the cloud-init config drive failed",
  interfaces: "Adding the network interfaces failed",
  start: "Starting the VM failed",
};

function inWords(error: unknown, name: string): string {
  if (isXapiError(error)) return describeXapiError(error, { action: "create", objectName: name });
  console.error("[xendeck] vm.create failed unexpectedly", error);
  return INTERNAL_ERROR;
}

/** The action's run: checks, then the steps, then the answer (see the module comment). */
export async function createVmFrom(context: ActionContext<ParsedVmCreationInput, CreationTarget>): Promise<VmCreationResult> {
  const { actor, input, target, task, params } = context;
  const { connection, template } = target;
  const client = connection.client;
  const recommendations = await client.call<string>("VM.get_recommendations", template.$ref);
  const checked = plan(actor, target, input, templateLimits(recommendations, template.memory_static_min));
  if ("ok" in checked) return checked;

  const tracker = new StepTracker(input.progressId, actor.id, (step) => {
    if (step === "cd") return true;
    if (step === "disks") return checked.disks.length > 0 || checked.resizes.length > 0;
    if (step === "config-drive") return checked.cloudInit !== null;
    if (step === "start") return input.start;
    return true;
  });
  const made: Made = { vm: null, vdis: new Set() };
  let current: CreationStepId = "clone";
  const begin = (step: CreationStepId, detail?: string) => {
    current = step;
    tracker.set(step, "running", detail);
  };
  const finish = (step: CreationStepId) => tracker.set(step, "done");
  let uuid = "";

  try {
    begin("clone", checked.copyToSr ? "copying the disks" : undefined);
    made.vm = checked.copyToSr
      ? await connection.callAsync<string>("VM.copy", [template.$ref, input.name, checked.copyToSr], task)
      : await connection.callAsync<string>("VM.clone", [template.$ref, input.name], task);
    const vmRef = made.vm;
    uuid = await client.call<string>("VM.get_uuid", vmRef);
    params.vm = uuid;
    finish("clone");

    begin("provision");
    const otherConfig = await client.call<Record<string, string>>("VM.get_other_config", vmRef);
    if ("disks" in otherConfig) await client.call("VM.remove_from_other_config", vmRef, "disks");
    if (input.description) await client.call("VM.set_name_description", vmRef, input.description);
    await connection.callAsync("VM.provision", [vmRef], task);
    finish("provision");

    begin("settings");
    const record = await client.call<{ VCPUs_max: number; memory_static_min: number; HVM_boot_policy: string }>("VM.get_record", vmRef);
    // XAPI keeps 0 < VCPUs_at_startup <= VCPUs_max at every call: raise the maximum first, lower it last.
    if (input.vcpus > record.VCPUs_max) {
      await client.call("VM.set_VCPUs_max", vmRef, input.vcpus);
      await client.call("VM.set_VCPUs_at_startup", vmRef, input.vcpus);
    } else {
      await client.call("VM.set_VCPUs_at_startup", vmRef, input.vcpus);
      await client.call("VM.set_VCPUs_max", vmRef, input.vcpus);
    }
    await client.call("VM.set_memory_limits", vmRef, Math.min(record.memory_static_min, input.memory), input.memory, input.memory, input.memory);
    if (record.HVM_boot_policy === "BIOS order") {
      const boot = await client.call<Record<string, string>>("VM.get_HVM_boot_params", vmRef);
      await client.call("VM.set_HVM_boot_params", vmRef, { ...boot, order: input.boot === "cd" ? "dc" : input.boot === "network" ? "nc" : "cd" });
    }
    if (checked.hostRef) await client.call("VM.set_affinity", vmRef, checked.hostRef);
    finish("settings");

    begin("cd");
    // An empty drive too: an ISO can then be inserted later, even while the VM runs (HVM CD drives are not hotplugged).
    const cd = await existingCdDrive(connection, vmRef);
    if (cd) {
      if (checked.isoRef) await client.call("VBD.insert", cd, checked.isoRef);
    } else {
      await createCdDrive(connection, vmRef, checked.isoRef, input.boot === "cd", task);
    }
    finish("cd");

    if (checked.disks.length > 0 || checked.resizes.length > 0) {
      begin("disks");
      const existing = await diskVbds(connection, vmRef);
      for (const resize of checked.resizes) {
        const disk = existing.find((candidate) => candidate.userdevice === resize.position);
        if (disk && resize.sizeBytes > disk.size) await connection.callAsync("VDI.resize", [disk.vdi, resize.sizeBytes], task);
      }
      const bootableExists = existing.some((disk) => disk.bootable);
      for (const [index, disk] of checked.disks.entries()) {
        tracker.set("disks", "running", `disk ${index + 1} of ${checked.disks.length}`);
        const first = index === 0 && !bootableExists;
        const number = existing.length + index;
        const name = disk.name || (number === 0 ? `${input.name} system` : `${input.name} data ${number}`);
        const vdi = await createVdi(connection, { name, sizeBytes: disk.sizeBytes, srRef: disk.srRef, type: first ? "system" : "user" }, task);
        made.vdis.add(vdi);
        await attachVdi(connection, vmRef, vdi, { bootable: first }, task);
      }
      finish("disks");
    }

    if (checked.cloudInit) {
      begin("config-drive");
      const named = { name: input.name, uuid };
      const networkConfig = fillCloudInitVariables(checked.cloudInit.networkConfig, named).trim();
      const image = await buildConfigDrive({
        metaData: cloudInitMetaData(named),
        userData: fillCloudInitVariables(checked.cloudInit.userData, named),
        networkConfig: networkConfig ? `${networkConfig}\n` : null,
      });
      const drive = await createVdi(
        connection,
        { name: `${input.name} cloud-init config drive`, description: "NoCloud cidata", sizeBytes: CONFIG_DRIVE_BYTES, srRef: checked.cloudInit.srRef },
        task,
      );
      made.vdis.add(drive);
      await importRawVdi(client, drive, image, task);
      await attachVdi(connection, vmRef, drive, { bootable: false }, task);
      finish("config-drive");
    }

    begin("interfaces");
    // The template's interfaces give way to the ones asked for (the form starts from the template's).
    for (const vif of await client.call<string[]>("VM.get_VIFs", vmRef)) await client.call("VIF.destroy", vif);
    for (const [index, vif] of checked.interfaces.entries()) {
      tracker.set("interfaces", "running", `interface ${index + 1} of ${checked.interfaces.length}`);
      await createVif(connection, vmRef, vif.networkRef, vif.mac, task);
    }
    finish("interfaces");
  } catch (error) {
    tracker.set(current, "failed");
    const leftovers = await rollBack(connection, made, task);
    tracker.undoAll();
    tracker.publish(true);
    params.failedStep = current;
    const cleanup =
      leftovers.length === 0
        ? "Everything made so far was removed."
        : `${leftovers.length} of the objects made so far could not be removed (${inWords(leftovers[0], input.name)}); check the pool.`;
    return failure(`${FAILED_STEP[current]}: ${inWords(error, input.name)}. ${cleanup}`, undefined, isXapiError(error) ? error.code : "XENDECK_INTERNAL_ERROR");
  }

  const vm = { uuid, name: input.name };
  if (input.start) {
    begin("start");
    try {
      await connection.callAsync("VM.start", [made.vm, false, false], task);
      finish("start");
    } catch (error) {
      tracker.set("start", "failed");
      tracker.publish(true);
      params.startError = isXapiError(error) ? error.code : "XENDECK_INTERNAL_ERROR";
      const reason = isXapiError(error) ? describeXapiError(error, { action: "start", objectName: input.name }) : INTERNAL_ERROR;
      return { ok: true, vm, started: false, steps: tracker.steps, message: `${input.name} was created, but it could not be started: ${reason}` };
    }
  }
  await connection.catchUp();
  tracker.publish(true);
  return {
    ok: true,
    vm,
    started: input.start,
    steps: tracker.steps,
    message: input.start ? `${input.name} was created and started` : `${input.name} was created`,
  };
}

/** The VM's CD drive, if it has one (a clone of a template that had one). */
async function existingCdDrive(connection: PoolConnection, vmRef: string): Promise<string | null> {
  for (const vbd of await connection.client.call<string[]>("VM.get_VBDs", vmRef)) {
    if ((await connection.client.call<string>("VBD.get_type", vbd)) === "CD") return vbd;
  }
  return null;
}

/** The VM's disks as XAPI has them now: position, VDI, size, bootable. */
async function diskVbds(connection: PoolConnection, vmRef: string) {
  const disks: { userdevice: string; vdi: string; size: number; bootable: boolean }[] = [];
  for (const vbd of await connection.client.call<string[]>("VM.get_VBDs", vmRef)) {
    const record = await connection.client.call<{ type: string; empty: boolean; VDI: string; userdevice: string; bootable: boolean }>("VBD.get_record", vbd);
    if (record.type !== "Disk" || record.empty) continue;
    const size = await connection.client.call<number>("VDI.get_virtual_size", record.VDI);
    disks.push({ userdevice: record.userdevice, vdi: record.VDI, size, bootable: record.bootable });
  }
  return disks;
}
