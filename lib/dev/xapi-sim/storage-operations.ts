/**
 * How xapi runs a storage operation (message_forwarding's with_sr_andor_vdi): the SR must support it
 * (SR_OPERATION_NOT_SUPPORTED), operations on one SR run one at a time (xapi retries a busy SR, so callers
 * queue rather than fail), the VDI must allow the operation (vdi-rules.ts), and both list the operation in
 * `current_operations` while it runs.
 */
import type { PbdRecord, SrRecord, StorageOperations, VdiOperations, VdiRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { CallContext } from "./registry";
import { driverOf } from "./sr-drivers";
import type { StoredObject } from "./store";
import { assertVdiOperation, refreshVdiOperations } from "./vdi-rules";

type Sr = StoredObject<SrRecord>;
type Vdi = StoredObject<VdiRecord>;

const SR_FEATURE: Partial<Record<StorageOperations, string>> = { vdi_create: "VDI_CREATE", vdi_destroy: "VDI_DELETE", vdi_resize: "VDI_RESIZE" };

function assertSrOperation(sr: Sr, op: StorageOperations): void {
  const feature = SR_FEATURE[op];
  const toolsRefused = sr.rec.is_tools_sr && (op === "vdi_create" || op === "vdi_destroy");
  if (toolsRefused || (feature && !driverOf(sr.rec).capabilities.includes(feature))) throw new XapiError("SR_OPERATION_NOT_SUPPORTED", [sr.ref]);
}

const queues = new WeakMap<object, Promise<void>>();

async function oneAtATime<T>(key: object, body: () => Promise<T>): Promise<T> {
  const before = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  queues.set(
    key,
    before.then(() => mine),
  );
  await before;
  try {
    return await body();
  } finally {
    release();
  }
}

function setCurrent<R extends { current_operations: Record<string, string> }>(ctx: CallContext, obj: StoredObject<R>, op: string | undefined): void {
  if (obj.dtime) return;
  const current = { ...obj.rec.current_operations };
  if (op === undefined) delete current[ctx.op.taskRef];
  else current[ctx.op.taskRef] = op;
  ctx.pool.store.update(obj, { current_operations: current } as Partial<R>);
}

/** Runs `body` as SR operation `op` (and, with `vdi`, as VDI operation `vdiOp`), checked first. */
export function withStorageOperation<T>(
  ctx: CallContext,
  sr: Sr,
  op: StorageOperations,
  body: () => Promise<T> | T,
  vdi?: { vdi: Vdi; op: VdiOperations },
): Promise<T> {
  assertSrOperation(sr, op);
  return oneAtATime(sr, async () => {
    if (vdi) assertVdiOperation(ctx.pool, vdi.vdi, vdi.op);
    setCurrent(ctx, sr, op);
    if (vdi) {
      setCurrent(ctx, vdi.vdi, vdi.op);
      refreshVdiOperations(ctx.pool, vdi.vdi);
    }
    try {
      return await body();
    } finally {
      setCurrent(ctx, sr, undefined);
      if (vdi) {
        setCurrent(ctx, vdi.vdi, undefined);
        refreshVdiOperations(ctx.pool, vdi.vdi);
      }
    }
  });
}

/** Sm.assert_pbd_is_plugged: some host has the SR attached. */
export function assertSrAttached(ctx: CallContext, sr: Sr): void {
  const attached = sr.rec.PBDs.some((ref) => ctx.pool.store.getOf<PbdRecord>("PBD", ref)?.rec.currently_attached);
  if (!attached) throw new XapiError("SR_HAS_NO_PBDS", [sr.ref]);
}

/** Xapi_vdi_helpers.assert_managed. */
export function assertManaged(vdi: Vdi): void {
  if (!vdi.rec.managed) throw new XapiError("VDI_NOT_MANAGED", [vdi.ref]);
}
