/**
 * Errors of the XAPI client. Everything the client throws is an `XapiError`:
 *
 * - kind `xapi`: the pool answered `{Status: "Failure", ErrorDescription: [code, ...params]}`;
 * - the other kinds are raised on our side (`transport`, `timeout`, `protocol`, `certificate`, `read-only`,
 *   `closed`, `aborted`) with a code of our own so that callers can switch on `code` in every case.
 *
 * Messages never carry passwords or full session refs: the parameters that echo a session ref
 * (`SESSION_INVALID [ref]`, `HANDLE_INVALID ["session", ref]`) are shortened on construction.
 */

export type XapiErrorKind = "xapi" | "transport" | "timeout" | "protocol" | "certificate" | "read-only" | "closed" | "aborted";

/** Codes raised by the client itself (XAPI's own codes never collide with these). */
export const CLIENT_CODES = {
  transport: "XENDECK_TRANSPORT_ERROR",
  timeout: "XENDECK_TIMEOUT",
  protocol: "XENDECK_PROTOCOL_ERROR",
  tooLarge: "XENDECK_RESPONSE_TOO_LARGE",
  certificateMismatch: "XENDECK_CERTIFICATE_MISMATCH",
  certificateUntrusted: "XENDECK_CERTIFICATE_UNTRUSTED",
  readOnly: "XENDECK_READ_ONLY",
  closed: "XENDECK_CLIENT_CLOSED",
  aborted: "XENDECK_ABORTED",
} as const;

/**
 * Next.js bundles `lib/xapi` more than once (the instrumentation bundle that owns the pool connections, and the
 * server-component/action bundles that catch their errors), so one error can meet a different copy of its class.
 * A process-wide brand makes `instanceof` work across those copies.
 */
const XAPI_ERROR_BRAND = Symbol.for("xendeck.XapiError");

export class XapiError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null || !(XAPI_ERROR_BRAND in value)) return false;
    // A copy from another bundle: the base class accepts every XAPI error, a subclass the errors of its own name
    // (compared on the instance's `name` field: class names themselves may be renamed by bundlers).
    if (Object.getPrototypeOf(this) === Error) return true;
    return (value as { name?: unknown }).name === (this.prototype as Error).name;
  }

  static {
    this.prototype.name = "XapiError";
    Object.defineProperty(this.prototype, XAPI_ERROR_BRAND, { value: true });
  }
  readonly kind: XapiErrorKind;
  readonly code: string;
  readonly params: readonly string[];
  /** The method that failed, when known (never its parameters). */
  method?: string;

  constructor(code: string, params: readonly string[] = [], options: { kind?: XapiErrorKind; message?: string; cause?: unknown; method?: string } = {}) {
    const safeParams = redactSessionParams(code, params);
    super(options.message ?? (safeParams.length ? `${code}(${safeParams.join(", ")})` : code), { cause: options.cause });
    this.kind = options.kind ?? "xapi";
    this.code = code;
    this.params = Object.freeze(safeParams);
    this.method = options.method;
  }

  /** Builds the error from an XAPI `ErrorDescription` or task `error_info` (`[code, ...params]`). */
  static fromDescription(description: readonly unknown[], method?: string): XapiError {
    const [code, ...params] = description.map((item) => (typeof item === "string" ? item : String(item)));
    return new XapiError(code || "UNKNOWN_ERROR", params, { method });
  }
}

/** The connection could not be made or broke (refused, reset, unreachable, DNS...). */
export class XapiTransportError extends XapiError {
  static {
    this.prototype.name = "XapiTransportError";
  }
  /** The system error code (`ECONNREFUSED`, `ECONNRESET`...), when there is one. */
  readonly errno?: string;
  /** True when the request surely never reached the server (safe to retry any call). */
  readonly notSent: boolean;
  constructor(message: string, options: { errno?: string; notSent?: boolean; cause?: unknown; method?: string } = {}) {
    super(CLIENT_CODES.transport, options.errno ? [options.errno] : [], { kind: "transport", message, cause: options.cause, method: options.method });
    this.errno = options.errno;
    this.notSent = options.notSent ?? false;
  }
}

/** No complete answer within the time allowed. */
export class XapiTimeoutError extends XapiError {
  static {
    this.prototype.name = "XapiTimeoutError";
  }
  constructor(message: string, options: { method?: string } = {}) {
    super(CLIENT_CODES.timeout, [], { kind: "timeout", message, ...options });
  }
}

/** The server answered something that is not a valid XAPI answer (bad XML, wrong envelope, wrong types, truncated, too big). */
export class XapiProtocolError extends XapiError {
  static {
    this.prototype.name = "XapiProtocolError";
  }
  constructor(message: string, options: { code?: string; method?: string; cause?: unknown } = {}) {
    super(options.code ?? CLIENT_CODES.protocol, [], { kind: "protocol", message, ...options });
  }
}

/** A host answered with another HTTP status than 200 (`location`: where a redirection points). */
export class XapiHttpError extends XapiProtocolError {
  static {
    this.prototype.name = "XapiHttpError";
  }
  readonly status: number;
  readonly location?: string;
  constructor(message: string, options: { status: number; location?: string; method?: string }) {
    super(message, { method: options.method });
    this.status = options.status;
    this.location = options.location;
  }
}

/** The server's TLS certificate is not the pinned one, or cannot be verified and none is pinned. */
export class XapiCertificateError extends XapiError {
  static {
    this.prototype.name = "XapiCertificateError";
  }
  /** SHA-256 fingerprint the server presented (colon-separated upper-case hex). */
  readonly presented?: string;
  constructor(code: typeof CLIENT_CODES.certificateMismatch | typeof CLIENT_CODES.certificateUntrusted, message: string, presented?: string) {
    super(code, presented ? [presented] : [], { kind: "certificate", message });
    this.presented = presented;
  }
}

/** A call with side effects on a pool registered read-only; nothing was sent. */
export class XapiReadOnlyError extends XapiError {
  static {
    this.prototype.name = "XapiReadOnlyError";
  }
  constructor(method: string) {
    super(CLIENT_CODES.readOnly, [method], {
      kind: "read-only",
      method,
      message: `This pool is registered read-only: ${method} was not sent`,
    });
  }
}

export function isXapiError(error: unknown, code?: string): error is XapiError {
  return error instanceof XapiError && (code === undefined || error.code === code);
}

/** `OpaqueRef:1234abcd-...` → `OpaqueRef:1234…` so that logs and messages never carry a usable session ref. */
export function redactSession(value: string): string {
  return value.replace(/OpaqueRef:([0-9a-f]{4})[0-9a-f-]{8,}/gi, "OpaqueRef:$1…");
}

function redactSessionParams(code: string, params: readonly string[]): string[] {
  if (code === "SESSION_INVALID") return params.map(redactSession);
  if (code === "HANDLE_INVALID" && params[0]?.toLowerCase() === "session") return [params[0], ...params.slice(1).map(redactSession)];
  return [...params];
}

// ---------------------------------------------------------------------------------------------------------
// Human messages

export interface DescribeContext {
  /** The operation the user asked for, as a verb: "start", "shut down", "migrate"... */
  action?: string;
  /** A name for the object, e.g. the VM's name label, used instead of its ref. */
  objectName?: string;
  /**
   * Names an object an error's parameters refer to by ref (a VM, host, SR, network...), from the pool's cache;
   * undefined when unknown. SRs local to a host are named with it ("Local storage on xcp-lab-02").
   */
  nameOf?: (ref: string) => string | undefined;
}

type Describer = (p: string[], ctx: DescribeContext) => string;

const powerState = (s: string | undefined) => (s ?? "in another state").toLowerCase();
const orList = (list: string) => {
  const items = list.split(/,\s*/).filter(Boolean).map(powerState);
  return items.length <= 1 ? (items[0] ?? "in another state") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
};
const theVm = (ctx: DescribeContext) => (ctx.objectName ? `The VM “${ctx.objectName}”` : "The VM");
/** "The VM “web-01”" when the cache knows what `ref` (an error's parameter) names, else just "The VM". */
const called = (ctx: DescribeContext, ref: string | undefined, words: string) => {
  const name = ref ? ctx.nameOf?.(ref) : undefined;
  return name ? `${words} “${name}”` : words;
};
const isRef = (value: string | undefined) => typeof value === "string" && value.startsWith("OpaqueRef:");
const toAction = (ctx: DescribeContext, fallback = "for this operation") => (ctx.action ? `to ${ctx.action} it` : fallback);
const bytes = (value: string | undefined) => {
  const n = Number(value);
  if (!Number.isFinite(n)) return value ?? "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
};

/** Human messages for the codes an admin meets most; parameters named as in XAPI's errors.json. */
const MESSAGES: Record<string, Describer> = {
  VM_BAD_POWER_STATE: ([vm, expected, actual], ctx) =>
    `${ctx.nameOf?.(vm ?? "") ? called(ctx, vm, "The VM") : theVm(ctx)} is ${powerState(actual)}; it must be ${orList(expected ?? "")} ${toAction(ctx)}`,
  OPERATION_BLOCKED: ([, code], ctx) =>
    `This operation is blocked on ${ctx.objectName ? `“${ctx.objectName}”` : "this object"}${code ? ` (${code})` : ""}; an administrator set it in blocked_operations`,
  OTHER_OPERATION_IN_PROGRESS: ([cls, , op]) =>
    `Another operation${op ? ` (${op.replace(/_/g, " ")})` : ""} is in progress on this ${cls === "VM" ? "VM" : (cls ?? "object").toLowerCase()}; try again when it has finished`,
  VM_IS_TEMPLATE: () => "This is a template, not a VM: templates cannot be started or stopped",
  VM_IS_SNAPSHOT: () => "This is a snapshot, not a VM: revert to it or clone it instead",
  OPERATION_NOT_ALLOWED: ([reason]) => `This operation is not allowed${reason ? `: ${reason}` : ""}`,
  // Placement gives [needed, available]; an evacuation plan gives [vm].
  HOST_NOT_ENOUGH_FREE_MEMORY: ([first, available], ctx) =>
    isRef(first)
      ? `The other hosts do not have enough free memory for ${called(ctx, first, "the VM")}`
      : `The host does not have enough free memory: ${bytes(first)} needed, ${bytes(available)} available`,
  HOST_NOT_ENOUGH_PCPUS: ([vcpus, pcpus]) => `The host has ${pcpus ?? "too few"} physical CPUs, fewer than the VM's vCPUs (${vcpus ?? "?"})`,
  HOST_OFFLINE: ([host], ctx) => `${called(ctx, host, "The host")} is offline`,
  HOST_DISABLED: () => "The host is disabled (maintenance mode); enable it first",
  HOST_NOT_LIVE: () => "The host is not live",
  HOST_NOT_DISABLED: () => "The host must be disabled first: put it in maintenance mode (or disable it), then reboot or shut it down",
  HOST_DISABLED_UNTIL_REBOOT: () => "The host is going down for a reboot or shutdown; it can be enabled once it is back",
  HOST_IS_LIVE: () => "The host is already running",
  HOST_POWER_ON_MODE_DISABLED: () => "This host has no remote power-on configured; power it on at the machine",
  HOST_EVACUATE_VM_NOT_HA_PROTECTED: ([vm], ctx) => `${called(ctx, vm, "The VM")} is not protected by HA, so it may not leave the host while HA is on`,
  CANNOT_EVACUATE_HOST: () => "Some VMs cannot leave the host: check the maintenance pre-flight list",
  NO_HOSTS_AVAILABLE: ([vm], ctx) =>
    vm && ctx.nameOf?.(vm)
      ? `No other host of the pool can take ${called(ctx, vm, "the VM")} now (the others are disabled, full, or lack its storage or network)`
      : "No host in the pool can run this VM right now (memory, storage or network missing)",
  VM_REQUIRES_SR: ([vm, sr], ctx) =>
    `${ctx.nameOf?.(vm ?? "") ? called(ctx, vm, "The VM") : "This VM"} needs ${ctx.nameOf?.(sr ?? "") ? called(ctx, sr, "the storage") : "a storage repository"}, which the host cannot reach`,
  VM_REQUIRES_NETWORK: ([vm, network], ctx) =>
    `${ctx.nameOf?.(vm ?? "") ? called(ctx, vm, "The VM") : "This VM"} needs ${ctx.nameOf?.(network ?? "") ? called(ctx, network, "the network") : "a network"}, which the host has no interface on`,
  PIF_NOT_PRESENT: () => "The migration network has no interface on one of the destination hosts",
  REQUIRED_PIF_IS_UNPLUGGED: () => "The migration network's interface is unplugged on one of the destination hosts",
  INTERFACE_HAS_NO_IP: () => "The migration network's interface has no IP address on one of the destination hosts",
  SR_OPERATION_NOT_SUPPORTED: () => "This storage repository does not support this operation",
  VM_MISSING_PV_DRIVERS: () => "The VM's guest tools (PV drivers) are not running; use the hard variant of this operation",
  VM_LACKS_FEATURE: () => "The VM's guest tools do not support this operation; use the hard variant",
  VM_NO_SUSPEND_SR: () => "The VM has no storage repository for its suspend image",
  VM_SHUTDOWN_TIMEOUT: () => "The VM did not shut down in time; try a hard shutdown",
  VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT: () => "The VM did not acknowledge the shutdown request; try a hard shutdown",
  VM_NOT_RESIDENT_HERE: () => "The VM is not running on that host",
  VM_HOST_INCOMPATIBLE_VERSION: () => "That host runs an older version; this VM cannot run there during the upgrade",
  VM_MIGRATE_FAILED: ([, , , msg]) => `The migration failed${msg ? `: ${msg}` : ""}`,
  VM_HAS_TOO_MANY_SNAPSHOTS: () => "The VM has too many snapshots; delete some first",
  SR_FULL: ([requested, maximum]) => `The storage repository is full (${bytes(requested)} requested, ${bytes(maximum)} maximum)`,
  SR_HAS_NO_PBDS: () => "The storage repository is not attached to any host",
  VDI_IN_USE: ([, operation]) =>
    operation
      ? `The disk is attached to a running VM; detach it (or halt the VM) to ${operation} it`
      : "The disk is in use by a running VM or another operation",
  SR_BACKEND_FAILURE_44: () => "There is not enough free space on the storage repository",
  SR_BACKEND_FAILURE_79: ([, message]) => `The storage repository refused this disk size${message ? ` (${message})` : ""}`,
  MEMORY_CONSTRAINT_VIOLATION: () => "The memory settings must satisfy: static minimum ≤ dynamic minimum ≤ dynamic maximum ≤ static maximum",
  MEMORY_CONSTRAINT_VIOLATION_ORDER: () => "The memory settings must satisfy: static minimum ≤ dynamic minimum ≤ dynamic maximum ≤ static maximum",
  MEMORY_CONSTRAINT_VIOLATION_MAXPIN: () => "A control domain's memory cannot be changed this way",
  INVALID_VALUE: ([rule, value]) => `Invalid value${value ? ` ${value}` : ""}${rule ? `: ${rule}` : ""}`,
  VCPU_MAX_NOT_CORES_PER_SOCKET_MULTIPLE: ([vcpus, cores]) =>
    `The maximum number of vCPUs (${vcpus ?? "?"}) must be a multiple of the cores per socket (${cores ?? "?"})`,
  DEVICE_ALREADY_EXISTS: ([device]) => `A device already uses position ${device ?? "this position"}`,
  DEVICE_ALREADY_ATTACHED: () => "The device is already attached",
  DEVICE_ALREADY_DETACHED: () => "The device is already detached",
  DEVICE_DETACH_REJECTED: () => "The guest refused to release the device",
  VBD_NOT_UNPLUGGABLE: () => "This disk cannot be detached while the VM runs (it is marked not unpluggable)",
  VBD_NOT_EMPTY: () => "The CD drive already holds a disc; eject it first",
  VBD_IS_EMPTY: () => "The CD drive is empty",
  VBD_NOT_REMOVABLE_MEDIA: () => "This drive is not a CD drive",
  VDI_IO_ERROR: () => "The disk could not be written (I/O error)",
  VDI_READONLY: () => "The disk is read-only",
  MAC_INVALID: ([mac]) => `${mac ? `“${mac}” is not` : "This is not"} a valid MAC address`,
  INVALID_DEVICE: ([device]) => `Invalid device position ${device ?? ""}`.trim(),
  UNKNOWN_BOOTLOADER: () => "The VM's boot loader is unknown",
  TASK_CANCELLED: () => "The operation was cancelled",
  HANDLE_INVALID: ([cls]) => `The ${cls ? cls.toLowerCase().replace(/_/g, " ") : "object"} no longer exists (it may have just been deleted)`,
  UUID_INVALID: ([cls]) => `No ${cls ? cls.toLowerCase() : "object"} with this UUID exists`,
  SESSION_AUTHENTICATION_FAILED: () => "The pool refused the username or password",
  SESSION_INVALID: () => "The session with the pool expired; it will be renewed",
  HOST_IS_SLAVE: ([master]) => `This host is a pool member, not the master${master ? ` (the master is ${master})` : ""}`,
  PERMISSION_DENIED: ([message]) => `The pool refused the operation${message ? `: ${message}` : ""}`,
  RBAC_PERMISSION_DENIED: ([permission]) => `The pool account lacks the permission${permission ? ` ${permission}` : ""} for this operation`,
  LICENCE_RESTRICTION: ([feature]) => `The pool's licence does not include this feature${feature ? ` (${feature})` : ""}`,
  TOO_BUSY: () => "The pool is too busy; try again in a moment",
  MESSAGE_METHOD_UNKNOWN: ([method]) => `This pool does not know the operation ${method ?? ""}`.trim(),
  MESSAGE_PARAMETER_COUNT_MISMATCH: ([method]) => `This pool's version expects other parameters for ${method ?? "this operation"}`,
  INTERNAL_ERROR: ([message]) => `The pool reported an internal error${message ? `: ${message}` : ""}`,
  EVENTS_LOST: () => "Some events were lost; the pool view is being reloaded",
  EVENT_FROM_TOKEN_PARSE_FAILURE: () => "The pool refused the event token; the pool view is being reloaded",
  [CLIENT_CODES.readOnly]: () => "This pool is registered read-only: the operation was not sent",
  [CLIENT_CODES.closed]: () => "The connection to the pool was closed",
  [CLIENT_CODES.aborted]: () => "The request was cancelled",
};

/**
 * A sentence for the user. XAPI codes without an entry in the table read as "CODE (param, param)";
 * client-side errors (transport, timeout, protocol, certificate) already carry a readable message.
 */
export function describeXapiError(error: unknown, ctx: DescribeContext = {}): string {
  if (!(error instanceof XapiError)) return "Unexpected error while talking to the pool";
  const describe = MESSAGES[error.code];
  if (describe) return describe([...error.params], ctx);
  if (error.kind !== "xapi") return error.message;
  return error.params.length ? `The pool refused the operation: ${error.code} (${error.params.join(", ")})` : `The pool refused the operation: ${error.code}`;
}
