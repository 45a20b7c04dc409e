/**
 * Checks that a pool's database is consistent the way a real one is: every ref field names a live object of
 * the right class (or is NULL; fields about classes the simulator does not serve are always NULL), every
 * relation is written on both sides, the VMs resident on a host fit in its memory, and a host that is down has
 * no guests. Used by the tests
 * and offered as `sim.inspect.consistencyErrors()`.
 */
import type { HostRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { isHostLive } from "./host-rules";
import { hostMemory } from "./objects";
import type { SimPool } from "./pool";
import { NULL_REF, type XType } from "./protocol/xapi-types";
import { isServedClass, SERVED_CLASSES, classInfo } from "./records";

/** [set class, set field, ref class, ref field]: `set.field` lists exactly the objects whose `ref.field` names it. */
const RELATIONS: [string, string, string, string][] = [
  ["VM", "VBDs", "VBD", "VM"],
  ["VDI", "VBDs", "VBD", "VDI"],
  ["SR", "VDIs", "VDI", "SR"],
  ["SR", "PBDs", "PBD", "SR"],
  ["host", "PBDs", "PBD", "host"],
  ["host", "resident_VMs", "VM", "resident_on"],
  ["host", "PIFs", "PIF", "host"],
  ["host", "host_CPUs", "host_cpu", "host"],
  ["network", "VIFs", "VIF", "network"],
  ["network", "PIFs", "PIF", "network"],
  ["VM", "VIFs", "VIF", "VM"],
  ["VM", "consoles", "console", "VM"],
  ["VM", "snapshots", "VM", "snapshot_of"],
  ["VM", "children", "VM", "parent"],
  ["VDI", "snapshots", "VDI", "snapshot_of"],
  ["task", "subtasks", "task", "subtask_of"],
];

/** Refs that XAPI itself leaves dangling: a destroyed VM's snapshots keep pointing at it. */
const MAY_DANGLE = new Set(["VM.snapshot_of"]);

export function consistencyErrors(pool: SimPool): string[] {
  const errors: string[] = [];
  const store = pool.store;
  const where = (cls: string, ref: string) => `pool ${pool.name}: ${cls} ${ref}`;
  for (const cls of SERVED_CLASSES) {
    const info = classInfo(cls);
    for (const obj of store.all(cls)) {
      for (const field of info.fields) {
        for (const ref of refsIn(field.type, obj.rec[field.name])) {
          if (ref.value === NULL_REF) continue;
          if (!isServedClass(ref.cls)) {
            errors.push(`${where(cls, obj.ref)}: ${field.name} names a ${ref.cls} (${ref.value}) the simulator does not serve`);
          } else if (!store.getOf(ref.cls, ref.value) && !MAY_DANGLE.has(`${cls}.${field.name}`)) {
            errors.push(`${where(cls, obj.ref)}: ${field.name} names a missing ${ref.cls} ${ref.value}`);
          }
        }
      }
    }
  }
  for (const [setCls, setField, refCls, refField] of RELATIONS) {
    for (const owner of store.all(setCls)) {
      for (const ref of owner.rec[setField] as string[]) {
        const member = store.getOf(refCls, ref);
        if (member && member.rec[refField] !== owner.ref) {
          errors.push(`${where(setCls, owner.ref)}: ${setField} lists ${ref} whose ${refField} is ${member.rec[refField]}`);
        }
      }
    }
    for (const member of store.all(refCls)) {
      const target = member.rec[refField] as string;
      const owner = store.getOf(setCls, target);
      if (owner && !(owner.rec[setField] as string[]).includes(member.ref)) {
        errors.push(`${where(refCls, member.ref)}: ${refField} is ${target} but its ${setField} does not list it`);
      }
    }
  }
  for (const host of store.all<HostRecord>("host")) {
    const { total, used } = hostMemory(pool, host.ref);
    if (used > total) errors.push(`${where("host", host.ref)}: resident VMs take ${used} bytes of ${total}`);
    // A host that is down runs nothing but its control domain's record.
    const guests = host.rec.resident_VMs.filter((ref) => !store.getOf<VmRecord>("VM", ref)?.rec.is_control_domain);
    if (!isHostLive(pool, host.ref) && guests.length > 0) errors.push(`${where("host", host.ref)}: is down but ${guests.length} VMs are resident on it`);
  }
  return errors;
}

function* refsIn(type: XType, value: unknown): Generator<{ cls: string; value: string }> {
  switch (type.k) {
    case "ref":
      yield { cls: type.cls, value: String(value) };
      return;
    case "set":
      for (const item of value as unknown[]) yield* refsIn(type.of, item);
      return;
    case "map":
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        yield* refsIn(type.key, key);
        yield* refsIn(type.val, item);
      }
      return;
  }
}
