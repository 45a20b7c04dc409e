/**
 * The VM lifecycle operations XenDeck offers: for each, its words, the `can()` action that authorizes it, the
 * XAPI method and parameters, the XAPI operation name that `allowed_operations` lists, and whether it asks for
 * confirmation. Also: why an operation is currently unavailable, in words for a disabled button. Pure data and
 * pure functions, shared by the read models (which buttons to show) and the actions (what to run).
 */
import { z } from "zod";
import type { ObjectAction } from "@/lib/access/can";
import type { PoolView } from "@/lib/pools/views";
import type { XapiObject } from "@/lib/xapi";
import type { VmPowerState } from "@/lib/xapi/model/records.generated";

export const VM_OPERATION_IDS = [
  "start",
  "start_on",
  "clean_shutdown",
  "hard_shutdown",
  "clean_reboot",
  "hard_reboot",
  "suspend",
  "resume",
  "pause",
  "unpause",
] as const;

export type VmOperationId = (typeof VM_OPERATION_IDS)[number];

export const vmOperationIdSchema = z.enum(VM_OPERATION_IDS, { error: "Unknown operation" });

export interface VmOperationSpec {
  id: VmOperationId;
  /** Button label. */
  label: string;
  /** While it runs: "Starting". */
  progressive: string;
  /** Once done: "started" ("web-01 started"). */
  past: string;
  /** One-word verb for XAPI error messages: "The VM is running; it must be halted to start it". */
  verb: string;
  permission: ObjectAction;
  /** XAPI method, run as `Async.<method>`. */
  method: string;
  /** The name `VM.allowed_operations` uses for it. */
  xapiOperation: string;
  /** Power states XAPI accepts it from. */
  from: readonly VmPowerState[];
  /** The power state the VM is in once it is done (null: the same as before, a reboot). */
  to: VmPowerState | null;
  /** Interrupts what the guest is doing (a shutdown, a reboot, pulling the plug): the UI asks first. */
  confirm: boolean;
  /** Like pulling the plug: anything the guest had not saved is lost (a red button, a stronger warning). */
  drastic: boolean;
  /** Seldom needed: offered in the toolbar's "More" menu rather than as a button of its own. */
  rare: boolean;
  /** Needs a host chosen by the user. */
  needsHost: boolean;
}

type Defaulted = "confirm" | "drastic" | "rare" | "needsHost";
const op = (spec: Omit<VmOperationSpec, Defaulted> & Partial<Pick<VmOperationSpec, Defaulted>>): VmOperationSpec => ({
  confirm: false,
  drastic: false,
  rare: false,
  needsHost: false,
  ...spec,
});

export const VM_OPERATIONS: Record<VmOperationId, VmOperationSpec> = {
  start: op({
    id: "start",
    label: "Start",
    progressive: "Starting",
    past: "started",
    verb: "start",
    permission: "vm.start",
    method: "VM.start",
    xapiOperation: "start",
    from: ["Halted"],
    to: "Running",
  }),
  start_on: op({
    id: "start_on",
    label: "Start on…",
    progressive: "Starting",
    past: "started",
    verb: "start",
    permission: "vm.start_on",
    method: "VM.start_on",
    xapiOperation: "start_on",
    from: ["Halted"],
    to: "Running",
    rare: true,
    needsHost: true,
  }),
  clean_shutdown: op({
    id: "clean_shutdown",
    label: "Shut down",
    progressive: "Shutting down",
    past: "shut down",
    verb: "stop",
    permission: "vm.shutdown.clean",
    method: "VM.clean_shutdown",
    xapiOperation: "clean_shutdown",
    from: ["Running"],
    to: "Halted",
    confirm: true,
  }),
  hard_shutdown: op({
    id: "hard_shutdown",
    label: "Force shutdown",
    progressive: "Forcing shutdown of",
    past: "powered off",
    verb: "stop",
    permission: "vm.shutdown.hard",
    method: "VM.hard_shutdown",
    xapiOperation: "hard_shutdown",
    from: ["Running", "Paused", "Suspended"],
    to: "Halted",
    confirm: true,
    drastic: true,
    rare: true,
  }),
  clean_reboot: op({
    id: "clean_reboot",
    label: "Reboot",
    progressive: "Rebooting",
    past: "rebooted",
    verb: "reboot",
    permission: "vm.reboot.clean",
    method: "VM.clean_reboot",
    xapiOperation: "clean_reboot",
    from: ["Running"],
    to: null,
    confirm: true,
  }),
  hard_reboot: op({
    id: "hard_reboot",
    label: "Force reboot",
    progressive: "Forcing reboot of",
    past: "rebooted",
    verb: "reboot",
    permission: "vm.reboot.hard",
    method: "VM.hard_reboot",
    xapiOperation: "hard_reboot",
    from: ["Running", "Paused"],
    to: null,
    confirm: true,
    drastic: true,
    rare: true,
  }),
  suspend: op({
    id: "suspend",
    label: "Suspend",
    progressive: "Suspending",
    past: "suspended",
    verb: "suspend",
    permission: "vm.suspend",
    method: "VM.suspend",
    xapiOperation: "suspend",
    from: ["Running"],
    to: "Suspended",
  }),
  resume: op({
    id: "resume",
    label: "Resume",
    progressive: "Resuming",
    past: "resumed",
    verb: "resume",
    permission: "vm.resume",
    method: "VM.resume",
    xapiOperation: "resume",
    from: ["Suspended"],
    to: "Running",
  }),
  pause: op({
    id: "pause",
    label: "Pause",
    progressive: "Pausing",
    past: "paused",
    verb: "pause",
    permission: "vm.pause",
    method: "VM.pause",
    xapiOperation: "pause",
    from: ["Running"],
    to: "Paused",
    rare: true,
  }),
  unpause: op({
    id: "unpause",
    label: "Unpause",
    progressive: "Unpausing",
    past: "unpaused",
    verb: "unpause",
    permission: "vm.unpause",
    method: "VM.unpause",
    xapiOperation: "unpause",
    from: ["Paused"],
    to: "Running",
    rare: true,
  }),
};

/** XAPI parameters of an operation: `start`/`resume` take (start_paused=false, force=false). */
export function operationParams(id: VmOperationId, vmRef: string, hostRef?: string): unknown[] {
  switch (id) {
    case "start":
    case "resume":
      return [vmRef, false, false];
    case "start_on":
      return [vmRef, hostRef, false, false];
    default:
      return [vmRef];
  }
}

/** What decides whether XAPI would accept an operation now, from the cached VM and its pool. */
export interface VmOperationContext {
  powerState: VmPowerState;
  allowedOperations: readonly string[];
  /** Values of `current_operations` (operations running now). */
  currentOperations: readonly string[];
  blockedOperations: Readonly<Record<string, string>>;
  /** The pool is not connected: the state shown may be outdated and nothing can be sent. */
  stale: boolean;
  readOnly: boolean;
}

const joinOr = (states: readonly string[]) => (states.length <= 1 ? (states[0] ?? "") : `${states.slice(0, -1).join(", ")} or ${states.at(-1)}`);

/** What `operationUnavailableReason` needs of an operation (lifecycle or management). */
export interface XapiOperationRule {
  /** The name `allowed_operations` uses; null when XAPI lists none (e.g. renaming): only the pool state matters. */
  xapiOperation: string | null;
  /** Power states XAPI accepts it from. */
  from: readonly VmPowerState[];
  /** Once done, for "only a halted VM can be <past>". */
  past: string;
  /** What the object is called in the reason: "VM" (default) or "snapshot". */
  noun?: string;
}

/**
 * Why an operation cannot run now on a VM (or snapshot), or null when XAPI allows it. The reason is a sentence
 * for a disabled button's tooltip; XAPI's `allowed_operations` decides, the rest only explains.
 */
export function operationUnavailableReason(rule: XapiOperationRule, context: VmOperationContext): string | null {
  const noun = rule.noun ?? "VM";
  if (context.stale) return `The pool is not connected: the ${noun}'s state is not known`;
  if (context.readOnly) return "This pool is registered read-only";
  if (rule.xapiOperation === null || context.allowedOperations.includes(rule.xapiOperation)) return null;
  if (rule.xapiOperation in context.blockedOperations) return `An administrator blocked this operation on this ${noun}`;
  if (context.currentOperations.length > 0) {
    return `Another operation is in progress (${context.currentOperations.map((o) => o.replace(/_/g, " ")).join(", ")})`;
  }
  if (!rule.from.includes(context.powerState)) {
    return `The ${noun} is ${context.powerState.toLowerCase()}; only a ${joinOr(rule.from.map((s) => s.toLowerCase()))} ${noun} can be ${rule.past}`;
  }
  return `XAPI does not allow this operation on this ${noun} right now`;
}

/** Why lifecycle operation `id` cannot run now, or null when XAPI allows it. */
export function unavailableReason(id: VmOperationId, context: VmOperationContext): string | null {
  return operationUnavailableReason(VM_OPERATIONS[id], context);
}

/** What decides whether XAPI would accept an operation on a cached VM (or snapshot) now. */
export function vmOperationContext(vm: XapiObject<"VM">, view: PoolView): VmOperationContext {
  return {
    powerState: vm.power_state,
    allowedOperations: vm.allowed_operations,
    currentOperations: Object.values(vm.current_operations),
    blockedOperations: vm.blocked_operations,
    stale: view.stale,
    readOnly: view.readOnly,
  };
}
