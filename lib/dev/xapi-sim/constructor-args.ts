/**
 * The record a `create` message takes (`VDI.create(session, {SR, virtual_size, ...})`), read field by field
 * the way xapi's generated dispatcher reads it: each constructor field decoded with its model type
 * (FIELD_TYPE_ERROR [field] when it does not fit), a missing optional field takes the model's default, a
 * missing required one fails with the dispatcher's own exception (an INTERNAL_ERROR naming the field), and
 * fields that are not constructor arguments are ignored.
 */
import { XapiError } from "./errors";
import type { RpcValue } from "./protocol/values";
import { decodeParam } from "./protocol/values";
import { classInfo } from "./records";

/** Constructor arguments per class, required ones marked `*`, as the model documents each `create`. */
export const CONSTRUCTOR_FIELDS: Record<string, string> = {
  VDI: "name_label, name_description, SR*, virtual_size*, type*, sharable*, read_only*, other_config*, xenstore_data, sm_config, tags",
  VBD: "VM*, VDI*, device, userdevice*, bootable*, mode*, type*, unpluggable, empty*, other_config*, currently_attached, qos_algorithm_type*, qos_algorithm_params*",
  VIF: "device*, network*, VM*, MAC*, MTU*, other_config*, currently_attached, qos_algorithm_type*, qos_algorithm_params*, locking_mode, ipv4_allowed, ipv6_allowed, trunks",
};

export function constructorArgs<R>(cls: string, value: unknown): Partial<R> {
  const info = classInfo(cls);
  const struct = new Map((value as Extract<RpcValue, { t: "struct" }>).v);
  const defaults = info.makeDefaults();
  const out: Record<string, unknown> = {};
  for (const entry of CONSTRUCTOR_FIELDS[cls].split(", ")) {
    const required = entry.endsWith("*");
    const name = required ? entry.slice(0, -1) : entry;
    const field = info.fieldsByName.get(name)!;
    const wire = struct.get(name);
    if (wire === undefined) {
      if (required) throw new XapiError("INTERNAL_ERROR", [`Server_helpers.Dispatcher_FieldNotFound("${name}")`]);
      out[name] = defaults[name];
      continue;
    }
    out[name] = decodeParam(field.type, wire, name);
  }
  return out as Partial<R>;
}
