/**
 * Performance alarms as XCP-ng's perfmon daemon raises them: an `ALARM` message (priority 3 unless the
 * variable says otherwise) about the VM, host or SR whose `other_config:perfmon` variable crossed its trigger
 * level, with the body perfmon writes: `value: %f` (six decimals), `config:`, then the variable's configuration
 * as Python's minidom pretty-prints it (tab indents). Clients such as Xen Orchestra parse exactly that.
 */
import type { MessageRecord } from "@/lib/xapi/model/records.generated";
import { createAlert } from "./alerts";
import type { SimPool } from "./pool";
import type { StoredObject } from "./store";

export interface AlarmVariable {
  /** perfmon variable name: cpu_usage, memory_free_kib, network_usage, disk_usage, physical_utilisation, fs_usage... */
  name: string;
  /** The class of object the variable is monitored on. */
  cls: "VM" | "Host" | "SR";
  triggerLevel: number;
  /** `low`: the alarm fires below the level (free memory); `high` (default): above. */
  sense?: "high" | "low";
  triggerPeriod?: number;
  inhibitPeriod?: number;
  priority?: number;
}

/** The variables XenCenter and Xen Orchestra users typically configure, with their usual levels. */
export const ALARM_VARIABLES: readonly AlarmVariable[] = [
  { name: "cpu_usage", cls: "VM", triggerLevel: 0.9 },
  { name: "network_usage", cls: "VM", triggerLevel: 10_485_760 },
  { name: "disk_usage", cls: "VM", triggerLevel: 52_428_800 },
  { name: "cpu_usage", cls: "Host", triggerLevel: 0.85 },
  { name: "memory_free_kib", cls: "Host", triggerLevel: 2_097_152, sense: "low" },
  { name: "physical_utilisation", cls: "SR", triggerLevel: 0.8 },
];

/** The `<variable>` element, as minidom's toprettyxml writes it. */
function variableXml(v: AlarmVariable): string {
  const lines = [`\t<name value="${v.name}"/>`, `\t<alarm_trigger_level value="${v.triggerLevel}"/>`];
  if (v.sense === "low") lines.push(`\t<alarm_trigger_sense value="low"/>`);
  lines.push(`\t<alarm_trigger_period value="${v.triggerPeriod ?? 60}"/>`, `\t<alarm_auto_inhibit_period value="${v.inhibitPeriod ?? 3600}"/>`);
  return `<variable>\n${lines.join("\n")}\n</variable>\n`;
}

export function alarmBody(variable: AlarmVariable, value: number): string {
  return `value: ${value.toFixed(6)}\nconfig:\n${variableXml(variable)}`;
}

/**
 * A value beyond the variable's trigger level; `severity` in [0, 1] says how far (0: just past it, 1: far):
 * fractions stay below 1, free memory above a few MiB, rates up to three times the level.
 */
export function alarmValue(variable: AlarmVariable, severity: number): number {
  const s = Math.min(1, Math.max(0, severity));
  const level = variable.triggerLevel;
  if (variable.sense === "low") return Math.max(4096, Math.round(level * (1 - 0.9 * s)));
  if (level < 1) return level + (0.999 - level) * Math.max(0.02, s);
  return level * (1.05 + 2 * s);
}

export interface AlarmSpec {
  /** Which variable: its name, and its class when the name is monitored on several (cpu_usage: VM or Host). */
  variable: string;
  cls?: AlarmVariable["cls"];
  obj_uuid: string;
  /** Default: a value just past the trigger level. */
  value?: number;
  /** Default: the variable's usual level. */
  triggerLevel?: number;
}

/** Raises an alarm about `obj_uuid`; unknown variables are monitored on `cls` with the given level. */
export function raiseAlarm(pool: SimPool, spec: AlarmSpec): StoredObject<MessageRecord> {
  const known = ALARM_VARIABLES.find((v) => v.name === spec.variable && (spec.cls === undefined || v.cls === spec.cls));
  const base: AlarmVariable = known ?? { name: spec.variable, cls: spec.cls ?? "VM", triggerLevel: spec.triggerLevel ?? 1 };
  const variable = { ...base, triggerLevel: spec.triggerLevel ?? base.triggerLevel };
  const value = spec.value ?? alarmValue(variable, 0.3);
  return createAlert(pool, { name: "ALARM", priority: variable.priority ?? 3, cls: variable.cls, obj_uuid: spec.obj_uuid, body: alarmBody(variable, value) });
}
