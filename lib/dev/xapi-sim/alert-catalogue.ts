/**
 * Alerts a real pool raises, with their names, priorities (api_messages.ml) and bodies as xapi and perfmon write
 * them: performance alarms (see alarms.ts), a crashed VM, a host clock out of sync (db_gc.ml's text), storage that
 * failed to plug at boot, a server certificate about to expire (expiry_alert.ml's XML body). The data set seeds
 * a few and the background activity keeps adding them.
 */
import { ALARM_VARIABLES, alarmBody, alarmValue, type AlarmVariable } from "./alarms";

export interface AlertSubject {
  /** name_label of the object the alert is about. */
  name: string;
  /** name_label of its pool. */
  pool: string;
  /** Time the alert is raised at. */
  at: Date;
}

export interface AlertTemplate {
  name: string;
  priority: number;
  cls: "VM" | "Host" | "SR" | "Pool";
  /** `severity` in [0, 1) (a random draw) makes each alert a little different. */
  body: (severity: number, about: AlertSubject) => string;
}

const alarm = (cls: AlarmVariable["cls"], name: string): AlertTemplate => {
  const variable = ALARM_VARIABLES.find((v) => v.cls === cls && v.name === name)!;
  return { name: "ALARM", priority: variable.priority ?? 3, cls, body: (severity) => alarmBody(variable, alarmValue(variable, severity)) };
};

const DAY = 24 * 3600 * 1000;

export const ALERTS: readonly AlertTemplate[] = [
  alarm("VM", "cpu_usage"),
  alarm("VM", "network_usage"),
  alarm("Host", "memory_free_kib"),
  alarm("Host", "cpu_usage"),
  alarm("SR", "physical_utilisation"),
  { name: "VM_CRASHED", priority: 2, cls: "VM", body: () => "" },
  {
    name: "HOST_CLOCK_SKEW_DETECTED",
    priority: 3,
    cls: "Host",
    body: (_, about) =>
      `The clock on server '${about.name}' may not be synchronized with the other servers in pool '${about.pool}'. This could lead to errors when performing VM lifecycle operations, and will also affect the times recorded against archived performance data gathered from this server.`,
  },
  { name: "PBD_PLUG_FAILED_ON_SERVER_START", priority: 3, cls: "Host", body: () => "" },
  {
    name: "HOST_SERVER_CERTIFICATE_EXPIRING_30",
    priority: 3,
    cls: "Host",
    body: (severity, about) => {
      const expiry = new Date(about.at.getTime() + Math.round(15 + 14 * severity) * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");
      return `<body><message>TLS server certificate is expiring soon.</message><date>${expiry}</date></body>`;
    },
  },
];
