/**
 * The call pipeline, protocol-independent, in XAPI's order: method name (`Class.method`, `Class_method`,
 * `Async.Class.method`; else MESSAGE_METHOD_UNKNOWN), parameter count (optional trailing parameters may be
 * omitted; else MESSAGE_PARAMETER_COUNT_MISMATCH), parameter types (FIELD_TYPE_ERROR), session
 * (SESSION_INVALID), pool role (HOST_IS_SLAVE on members), then the handler, synchronously or as a task.
 * Injected latency and failures apply here too.
 */
import type { SessionRecord } from "@/lib/xapi/model/records.generated";
import type { MessageSpec } from "@/lib/xapi/model/spec";
import { alertMessages } from "./alerts";
import type { SimCore } from "./core";
import { toXapiError, XapiError } from "./errors";
import { eventMessages } from "./events";
import type { CallTarget } from "./faults";
import { genericMessages } from "./generic-messages";
import { hostOperationMessages } from "./host-operations";
import { hostMessages } from "./hosts";
import type { SimPool } from "./pool";
import { decodeParam, type RpcValue } from "./protocol/values";
import { parseType, type XType } from "./protocol/xapi-types";
import { xmlValue } from "./protocol/xmlrpc";
import { classInfo, SERVED_CLASSES } from "./records";
import { MessageRegistry, type CallContext, type MessageDef } from "./registry";
import { sessionMessages } from "./sessions";
import { srOperationMessages } from "./sr-operations";
import { storageMessages } from "./storage-messages";
import type { StoredObject } from "./store";
import { taskMessages } from "./tasks";
import { vbdMessages } from "./vbds";
import { vdiMessages } from "./vdis";
import { vifMessages } from "./vifs";
import { vmHardwareMessages } from "./vm-hardware";
import { vmMessages } from "./vm-lifecycle";

export interface IncomingCall {
  pool: SimPool;
  /** The host that received the call. */
  hostRef: string;
  method: string;
  params: RpcValue[];
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export type CallOutcome = { ok: true; type: XType; value: unknown; bare: boolean; truncate: boolean } | { ok: false; error: XapiError; truncate: boolean };

interface Resolved {
  qualified: string;
  spec: MessageSpec;
  def: MessageDef | undefined;
  async: boolean;
}

const STRING_SET = parseType("string set");
const TASK_REF = parseType("task ref");

export function buildRegistry(): MessageRegistry {
  const r = new MessageRegistry();
  genericMessages(r);
  sessionMessages(r);
  taskMessages(r);
  eventMessages(r);
  alertMessages(r);
  hostMessages(r);
  hostOperationMessages(r);
  storageMessages(r);
  srOperationMessages(r);
  vmMessages(r);
  vmHardwareMessages(r);
  vdiMessages(r);
  vbdMessages(r);
  vifMessages(r);
  r.define("host.list_methods", () => r.names());
  return r;
}

export class Dispatcher {
  private readonly registry = buildRegistry();
  /** `VM.start` and `VM_start` -> `VM.start`, for every message of the served classes. */
  private readonly wireNames = new Map<string, string>();

  constructor(private readonly core: SimCore) {
    for (const cls of [...SERVED_CLASSES, "event"]) {
      for (const name of classInfo(cls).spec.messages.keys()) {
        const qualified = `${cls}.${name}`;
        this.wireNames.set(qualified, qualified);
        if (!this.wireNames.has(`${cls}_${name}`)) this.wireNames.set(`${cls}_${name}`, qualified);
      }
    }
  }

  listMethods(): string[] {
    return ["system.listMethods", ...this.registry.names()];
  }

  async call(call: IncomingCall): Promise<CallOutcome> {
    const { pool } = call;
    const host = pool.host(call.hostRef);
    this.core.logCall({ time: Date.now(), pool: pool.index, host: host.rec.address, method: call.method });
    if (call.method === "system.listMethods") return { ok: true, type: STRING_SET, value: this.listMethods(), bare: true, truncate: false };
    const resolved = this.resolve(call.method);
    const target: CallTarget = {
      method: resolved ? `${resolved.async ? "Async." : ""}${resolved.qualified}` : call.method,
      hostUuid: host.uuid,
      hostAddress: host.rec.address,
      ...(resolved && this.core.faults.scopedByObject() ? callObject(pool, resolved, call.params) : {}),
    };
    const truncate = () => this.core.faults.takeTruncation(target);
    try {
      const delay = this.core.faults.delayFor(target);
      if (delay > 0) await this.core.timers.sleep(delay, call.signal);
      if (!resolved) throw new XapiError("MESSAGE_METHOD_UNKNOWN", [call.method]);
      const result = await this.run(call, resolved, target);
      return { ok: true, ...result, bare: false, truncate: truncate() };
    } catch (error) {
      const xapiError = toXapiError(error);
      if (xapiError.code === "INTERNAL_ERROR") this.core.options.log(`internal error in ${call.method}: ${(error as Error)?.stack ?? error}`);
      return { ok: false, error: xapiError, truncate: truncate() };
    }
  }

  private resolve(method: string): Resolved | undefined {
    const async = method.startsWith("Async.");
    const qualified = this.wireNames.get(async ? method.slice(6) : method);
    if (!qualified) return undefined;
    const def = this.registry.get(qualified);
    if (async && !def?.asyncCapable) return undefined;
    const dot = qualified.indexOf(".");
    const spec = classInfo(qualified.slice(0, dot)).spec.messages.get(qualified.slice(dot + 1))!;
    return { qualified, spec, def, async };
  }

  private async run(call: IncomingCall, resolved: Resolved, target: CallTarget): Promise<{ type: XType; value: unknown }> {
    const { pool } = call;
    const { spec } = resolved;
    const required = spec.params.filter((p) => p.required).length;
    if (call.params.length < required || call.params.length > spec.params.length) {
      throw new XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", [call.method, String(spec.params.length), String(call.params.length)]);
    }
    const failure = this.core.faults.takeFailure(target);
    if (failure) throw failure;
    const decoded = call.params.map((value, i) => decodeParam(parseType(spec.params[i].type), value, spec.params[i].name));
    let session: StoredObject<SessionRecord> | undefined;
    let args = decoded;
    if (spec.params[0]?.name === "session_id") {
      session = pool.sessions.validate(String(decoded[0]));
      args = decoded.slice(1);
    }
    if (call.hostRef !== pool.masterRef) throw new XapiError("HOST_IS_SLAVE", [pool.masterAddress()]);
    if (!resolved.def) throw new XapiError("NOT_IMPLEMENTED", [resolved.qualified]);
    const def = resolved.def;
    const resultType = parseType(spec.result);
    if (!resolved.async) {
      const ctx: CallContext = {
        core: this.core,
        pool,
        hostRef: call.hostRef,
        session,
        name: resolved.qualified,
        op: pool.tasks.transient(),
        signal: call.signal,
      };
      return { type: resultType, value: await def.handler(ctx, args) };
    }
    const task = pool.tasks.create(`Async.${resolved.qualified}`, "", session?.ref, true);
    const op = pool.tasks.operation(task);
    const ctx: CallContext = { core: this.core, pool, hostRef: call.hostRef, session, name: resolved.qualified, op, signal: op.signal };
    const syncTarget = { ...target, method: resolved.qualified };
    void (async () => {
      try {
        // A failure injected for the synchronous method makes the task fail, as a real operation would.
        const injected = this.core.faults.takeFailure(syncTarget);
        if (injected) throw injected;
        const value = await def.handler(ctx, args);
        pool.tasks.succeed(task, resultType.k === "void" ? "" : xmlValue(resultType, value));
      } catch (error) {
        const xapiError = toXapiError(error);
        if (xapiError.code === "INTERNAL_ERROR") this.core.options.log(`internal error in task ${resolved.qualified}: ${(error as Error)?.stack ?? error}`);
        pool.tasks.fail(task, xapiError);
      }
    })();
    return { type: TASK_REF, value: task.ref };
  }
}

/** The object a call is about, for faults scoped to one object: its first parameter after the session, when that is a ref. */
function callObject(pool: SimPool, resolved: Resolved, params: readonly RpcValue[]): { objectRef?: string; objectUuid?: string } {
  const offset = resolved.spec.params[0]?.name === "session_id" ? 1 : 0;
  const type = resolved.spec.params[offset]?.type;
  const param = params[offset];
  if (!type?.endsWith(" ref") || param?.t !== "str") return {};
  const ref = param.v;
  const uuid = pool.store.getOf<{ uuid?: unknown }>(type.slice(0, -" ref".length), ref)?.rec.uuid;
  return { objectRef: ref, objectUuid: typeof uuid === "string" ? uuid : undefined };
}
