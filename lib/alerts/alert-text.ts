/**
 * An XAPI message in words: its priority as XenCenter and Xen Orchestra name them, a title for its name
 * (api_messages.ml's codes), and its body made readable: a performance alarm's `value:`/`config:` text becomes
 * "CPU usage 95% (alarm above 90% for 60 s)", a certificate warning's XML its message and date. Pure.
 */
import { formatBytes, formatPercent } from "@/lib/ui/format";

export const PRIORITIES = [1, 2, 3, 4, 5] as const;
export type Priority = (typeof PRIORITIES)[number];

/** XAPI's priorities: 1 is the most urgent. */
export const PRIORITY_LABELS: Record<Priority, string> = { 1: "Critical", 2: "Major", 3: "Warning", 4: "Minor", 5: "Information" };

/** Out-of-range priorities (XAPI takes any integer) count as the nearest known one. */
export function priorityOf(value: number): Priority {
  if (!Number.isFinite(value)) return 5;
  return Math.min(5, Math.max(1, Math.round(value))) as Priority;
}

/** Critical and major alerts are the ones the navigation counts until they are seen. */
export const isUrgent = (priority: number) => priorityOf(priority) <= 2;

const TITLES: Record<string, string> = {
  ALARM: "Performance alarm",
  VM_CRASHED: "VM crashed",
  VM_REBOOTED: "VM rebooted",
  VM_SHUTDOWN: "VM shut down",
  VM_STARTED: "VM started",
  VM_MIGRATED: "VM migrated",
  VM_CLONED: "VM cloned",
  VM_RESUMED: "VM resumed",
  VM_SUSPENDED: "VM suspended",
  HOST_CLOCK_SKEW_DETECTED: "Host clock out of sync",
  HOST_SYNC_DATA_FAILED: "Host could not sync its data",
  HOST_SERVER_CERTIFICATE_EXPIRING_30: "Host certificate expires within 30 days",
  HOST_SERVER_CERTIFICATE_EXPIRING_14: "Host certificate expires within 14 days",
  HOST_SERVER_CERTIFICATE_EXPIRING_07: "Host certificate expires within a week",
  HOST_SERVER_CERTIFICATE_EXPIRED: "Host certificate expired",
  PBD_PLUG_FAILED_ON_SERVER_START: "Storage failed to attach when the host started",
  HA_HOST_FAILED: "HA: host failed",
  HA_HOST_WAS_FENCED: "HA: host was fenced",
  HA_POOL_OVERCOMMITTED: "HA: pool overcommitted",
  HA_POOL_DROP_IN_PLAN_EXISTS_FOR: "HA: fewer host failures tolerated",
  HA_NETWORK_BONDING_ERROR: "HA: network bonding error",
  HA_STATEFILE_LOST: "HA: state file lost",
  HA_HEARTBEAT_APPROACHING_TIMEOUT: "HA: heartbeat approaching timeout",
  LICENSE_EXPIRES_SOON: "Licence expires soon",
  LICENSE_DOES_NOT_SUPPORT_POOLING: "Licence does not support pooling",
  MULTIPATH_PERIODIC_ALERT: "Storage path lost",
  BOND_STATUS_CHANGED: "Bond status changed",
  SR_LARGE_SIZE_SCHEDULED_FOR_REPAIR: "Storage scheduled for repair",
  POOL_MASTER_TRANSITION: "New pool master",
  EXTAUTH_INIT_IN_HOST_FAILED: "External authentication failed to start",
  UPDATES_REQUIRE_RECOMMENDED_GUIDANCE: "Updates need an action",
};

/** "VM crashed" for VM_CRASHED; unknown codes read as their words ("Some new code"). */
export function alertTitle(name: string): string {
  const known = TITLES[name];
  if (known) return known;
  const words = name.toLowerCase().replace(/_/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : "Alert";
}

interface AlarmConfig {
  variable: string;
  level: number | null;
  sense: "high" | "low";
  period: number | null;
}

/** A perfmon alarm's body: `value: 0.953612`, `config:`, then `<variable>` with `<name value="…"/>`... */
export function parseAlarmBody(body: string): { value: number; config: AlarmConfig } | null {
  const value = /^\s*value:\s*([-+0-9.eE]+)/m.exec(body);
  const name = /<name\s+value="([^"]*)"/.exec(body);
  if (!value || !name) return null;
  const attribute = (tag: string) => new RegExp(`<${tag}\\s+value="([^"]*)"`).exec(body)?.[1];
  const number = (text: string | undefined) => (text === undefined || text === "" || !Number.isFinite(Number(text)) ? null : Number(text));
  return {
    value: Number(value[1]),
    config: {
      variable: name[1]!,
      level: number(attribute("alarm_trigger_level")),
      sense: attribute("alarm_trigger_sense") === "low" ? "low" : "high",
      period: number(attribute("alarm_trigger_period")),
    },
  };
}

type Measure = { label: string; format: (value: number) => string };

const perSecond = (value: number) => `${formatBytes(value)}/s`;
const MEASURES: Record<string, Measure> = {
  cpu_usage: { label: "CPU usage", format: formatPercent },
  mem_usage: { label: "Memory usage", format: formatPercent },
  memory_free_kib: { label: "Free memory", format: (kib) => formatBytes(kib * 1024) },
  network_usage: { label: "Network traffic", format: perSecond },
  disk_usage: { label: "Disk traffic", format: perSecond },
  physical_utilisation: { label: "Storage use", format: formatPercent },
  fs_usage: { label: "Root file system use", format: formatPercent },
  log_fs_usage: { label: "Log file system use", format: formatPercent },
};

/** The measure of a perfmon variable (`sr_io_throughput_total_<sr>` is a rate too). */
function measureOf(variable: string): Measure {
  if (MEASURES[variable]) return MEASURES[variable];
  if (variable.startsWith("sr_io_throughput")) return { label: "Storage throughput", format: perSecond };
  return { label: variable.replace(/_/g, " "), format: (value) => String(Math.round(value * 1000) / 1000) };
}

/** "CPU usage 95% (alarm above 90% for 60 s)". */
export function describeAlarm(body: string): { title: string; details: string } | null {
  const alarm = parseAlarmBody(body);
  if (!alarm) return null;
  const { config } = alarm;
  const measure = measureOf(config.variable);
  const bound = config.level === null ? "" : ` (alarm ${config.sense === "low" ? "below" : "above"} ${measure.format(config.level)}`;
  const period = config.level !== null && config.period ? ` for ${config.period} s)` : config.level !== null ? ")" : "";
  // "Free memory" → "Low free memory"; acronyms stay ("High CPU usage").
  const words = /^[A-Z][a-z]/.test(measure.label) ? measure.label[0]!.toLowerCase() + measure.label.slice(1) : measure.label;
  const title = `${config.sense === "low" ? "Low" : "High"} ${words}`;
  return { title, details: `${measure.label} ${measure.format(alarm.value)}${bound}${period}` };
}

/** xapi's XML bodies (`<body><message>…</message><date>…</date></body>`) as a sentence. */
function describeXmlBody(body: string): string | null {
  const message = /<message>([\s\S]*?)<\/message>/.exec(body)?.[1]?.trim();
  if (!message) return null;
  const date = /<date>([\s\S]*?)<\/date>/.exec(body)?.[1]?.trim();
  const day = date && /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : date;
  return day ? `${message} (${day})` : message;
}

/** The title and details of an alert, for lists and object pages. */
export function describeAlert(name: string, body: string): { title: string; details: string | null } {
  if (name === "ALARM") {
    const alarm = describeAlarm(body);
    if (alarm) return alarm;
  }
  const text = body.trim();
  if (text.startsWith("<")) return { title: alertTitle(name), details: describeXmlBody(text) };
  return { title: alertTitle(name), details: text || null };
}
