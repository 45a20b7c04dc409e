/**
 * The table of messages the simulator implements. Each module (sessions, events, tasks, generic messages,
 * VM lifecycle...) defines its handlers here; the dispatcher looks them up. A message must exist in the data
 * model: its parameters, their types and its result type come from there, never from the handler.
 */
import type { MessageSpec } from "@/lib/xapi/model/spec";
import type { SimCore } from "./core";
import { classInfo } from "./records";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";
import type { Operation } from "./tasks";
import type { SessionRecord } from "@/lib/xapi/model/records.generated";

export interface CallContext {
  core: SimCore;
  pool: SimPool;
  /** The host that received the call. */
  hostRef: string;
  /** The session of the call (absent for the login calls). */
  session: StoredObject<SessionRecord> | undefined;
  /** Canonical name, e.g. `VM.start`. */
  name: string;
  /** The running operation: a task for `Async.` calls, a transient one for synchronous calls. */
  op: Operation;
  /** Aborted when the client goes away (used by blocking calls such as `event.from`). */
  signal: AbortSignal;
}

/** Receives the decoded parameters after the session (for calls that take one). */
export type Handler = (ctx: CallContext, args: unknown[]) => unknown;

export interface MessageDef {
  cls: string;
  name: string;
  spec: MessageSpec;
  handler: Handler;
  /** `Async.<name>` is accepted. */
  asyncCapable: boolean;
}

export interface DefineOptions {
  /** Default: operations can be called asynchronously; getters, generated setters, sessions, events and tasks cannot. */
  async?: boolean;
}

export class MessageRegistry {
  private readonly defs = new Map<string, MessageDef>();

  define(qualified: string, handler: Handler, options: DefineOptions = {}): void {
    const dot = qualified.indexOf(".");
    const cls = qualified.slice(0, dot);
    const name = qualified.slice(dot + 1);
    const spec = classInfo(cls).spec.messages.get(name);
    if (!spec) throw new Error(`${qualified} is not a message of the data model`);
    const accessor = name.startsWith("get_") || (spec.implicit && /^(set_|add_|remove_)/.test(name));
    const asyncCapable = options.async ?? (!accessor && !["session", "event", "task"].includes(cls));
    this.defs.set(qualified, { cls, name, spec, handler, asyncCapable });
  }

  get(qualified: string): MessageDef | undefined {
    return this.defs.get(qualified);
  }

  has(qualified: string): boolean {
    return this.defs.has(qualified);
  }

  /** Every implemented method (`Async.` variants are not listed: clients derive class names from this list). */
  names(): string[] {
    return [...this.defs.keys()];
  }
}
