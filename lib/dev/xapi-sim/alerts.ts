/**
 * Alerts: the `message` class (`message.create`, `get`, `get_since`, `destroy`, `destroy_many`, `destroy_all`...). Real
 * pools raise them for alarms, crashes, clock skew; the background activity and the control API add them.
 */
import type { MessageRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import { genericHandler } from "./generic-messages";
import type { SimPool } from "./pool";
import { classInfo } from "./records";
import { parseXapiDate } from "./protocol/xapi-types";
import type { MessageRegistry } from "./registry";
import type { StoredObject } from "./store";

type Message = StoredObject<MessageRecord>;

/** The store class of each `cls` value a message can be about. */
const CLASS_OF: Record<string, string> = { VM: "VM", Host: "host", SR: "SR", Pool: "pool", VDI: "VDI" };

export function createAlert(pool: SimPool, values: Omit<MessageRecord, "uuid" | "timestamp"> & { timestamp?: Date }): Message {
  const storeClass = CLASS_OF[values.cls];
  if (storeClass && !pool.store.byUuidOf(storeClass, values.obj_uuid)) throw new XapiError("UUID_INVALID", [storeClass, values.obj_uuid]);
  return pool.store.add<MessageRecord>("message", { ...values, timestamp: values.timestamp ?? new Date() });
}

function messagesWhere(pool: SimPool, keep: (m: MessageRecord) => boolean): Map<string, Message> {
  const out = new Map<string, Message>();
  for (const m of pool.store.all<MessageRecord>("message")) if (keep(m.rec)) out.set(m.ref, m);
  return out;
}

export function alertMessages(r: MessageRegistry): void {
  const info = classInfo("message");
  for (const name of ["get_all", "get_all_records", "get_record", "get_by_uuid"]) {
    r.define(`message.${name}`, genericHandler(info, info.spec.messages.get(name)!)!);
  }
  r.define(
    "message.create",
    (ctx, [name, priority, cls, objUuid, body]) =>
      createAlert(ctx.pool, {
        name: String(name),
        priority: Number(priority),
        cls: cls as MessageRecord["cls"],
        obj_uuid: String(objUuid),
        body: String(body),
      }).ref,
  );
  r.define("message.get_since", (ctx, [since]) => messagesWhere(ctx.pool, (m) => m.timestamp > (since as Date)));
  r.define("message.get", (ctx, [cls, objUuid, since]) =>
    messagesWhere(ctx.pool, (m) => m.cls === cls && m.obj_uuid === objUuid && m.timestamp > (since as Date)),
  );
  r.define("message.get_all_records_where", (ctx, [expr]) => {
    // XAPI's query language; the simulator understands the expression clients use to mean "everything".
    if (String(expr).trim() !== "true") throw new XapiError("NOT_IMPLEMENTED", ["message.get_all_records_where"]);
    return messagesWhere(ctx.pool, () => true);
  });
  r.define("message.destroy", (ctx, [self]) => ctx.pool.store.remove(ctx.pool.need<MessageRecord>("message", String(self))));
  // One after the other, as xapi does: an invalid ref stops the loop, the messages before it are gone.
  r.define("message.destroy_many", (ctx, [refs]) => {
    for (const ref of refs as string[]) ctx.pool.store.remove(ctx.pool.need<MessageRecord>("message", ref));
  });
  // Filters: `before` / `after` (ISO 8601 times, exclusive) and `priority`; no filter destroys every message.
  r.define("message.destroy_all", (ctx, [filters]) => {
    const f = filters as Record<string, string>;
    const time = (key: string) => {
      if (f[key] === undefined) return undefined;
      const date = parseXapiDate(f[key]);
      if (!date) throw new XapiError("INVALID_VALUE", [key, f[key]]);
      return date;
    };
    const before = time("before");
    const after = time("after");
    const priority = f.priority === undefined ? undefined : Number(f.priority);
    for (const m of messagesWhere(
      ctx.pool,
      (m) => (!before || m.timestamp < before) && (!after || m.timestamp > after) && (priority === undefined || m.priority === priority),
    ).values()) {
      ctx.pool.store.remove(m);
    }
  });
}
