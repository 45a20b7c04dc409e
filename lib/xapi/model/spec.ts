/**
 * Typed access to the generated XAPI model (`classes.generated.ts`): the fields and message signatures of
 * the classes XenDeck uses, and every enum. Shared by the client (types) and the simulator (records, dispatch).
 */
import { LruMap } from "../../memo";
import { MODEL } from "./classes.generated";

export type Qualifier = "RW" | "RO/constructor" | "RO/runtime";
export type LifecycleState = "Prototyped_s" | "Published_s" | "Extended_s" | "Changed_s" | "Deprecated_s" | "Removed_s";

/** [name, xapi type, qualifier, default (as written in the model), lifecycle state] */
export type FieldTuple = [string, string, string, string | null, string];
/** [type, name, required] */
export type ParamTuple = [string, string, boolean];
/** [name, params, result type, implicit (generated getter/setter)] */
export type MessageTuple = [string, ParamTuple[], string, boolean];

export interface ModelSpecs {
  classes: Record<string, { fields: FieldTuple[]; messages: MessageTuple[] }>;
  enums: Record<string, string[]>;
  allClassNames: string[];
}

export interface FieldSpec {
  name: string;
  type: string;
  qualifier: Qualifier;
  /** The default as the model writes it (`'{}'`, `'""'`, `'OpaqueRef:NULL'`, `'0'`...), or null. */
  default: string | null;
  lifecycle: LifecycleState;
}

export interface MessageSpec {
  name: string;
  params: { type: string; name: string; required: boolean }[];
  result: string;
  implicit: boolean;
}

export interface ClassSpec {
  name: string;
  fields: FieldSpec[];
  fieldsByName: Map<string, FieldSpec>;
  messages: Map<string, MessageSpec>;
}

/** Specs built on first use, per class name: the model is constant, and the bound holds every class. */
const specs = new LruMap<string, ClassSpec>(Math.max(1, Object.keys(MODEL.classes).length));

/** Every class name in the XAPI data model, modelled or not. */
export const allClassNames: readonly string[] = MODEL.allClassNames;

export function enumValues(name: string): readonly string[] | undefined {
  return MODEL.enums[name];
}

export function classSpec(name: string): ClassSpec | undefined {
  const raw = MODEL.classes[name];
  return raw && specs.resolve(name, () => buildSpec(name, raw));
}

function buildSpec(name: string, raw: (typeof MODEL.classes)[string]): ClassSpec {
  const fields = raw.fields.map(([fname, type, qualifier, def, lifecycle]): FieldSpec => ({
    name: fname,
    type,
    qualifier: qualifier as Qualifier,
    default: def,
    lifecycle: lifecycle as LifecycleState,
  }));
  return {
    name,
    fields,
    fieldsByName: new Map(fields.map((f) => [f.name, f])),
    messages: new Map(
      raw.messages.map(([mname, params, result, implicit]) => [
        mname,
        { name: mname, params: params.map(([type, pname, required]) => ({ type, name: pname, required })), result, implicit },
      ]),
    ),
  };
}
