import { describe, expect, it } from "vitest";
import { alertTitle, describeAlarm, describeAlert, isUrgent, parseAlarmBody, priorityOf } from "./alert-text";

/** The body perfmon writes (as the simulator and real hosts do). */
const alarm = (name: string, value: string, level: string, extra = "") =>
  `value: ${value}\nconfig:\n<variable>\n\t<name value="${name}"/>\n\t<alarm_trigger_level value="${level}"/>\n${extra}\t<alarm_trigger_period value="60"/>\n\t<alarm_auto_inhibit_period value="3600"/>\n</variable>\n`;

describe("alerts in words", () => {
  it("reads a performance alarm's value and configuration", () => {
    expect(parseAlarmBody(alarm("cpu_usage", "0.953612", "0.9"))).toEqual({
      value: 0.953612,
      config: { variable: "cpu_usage", level: 0.9, sense: "high", period: 60 },
    });
    expect(parseAlarmBody("not an alarm")).toBeNull();
  });

  it("puts alarms into words with their unit and direction", () => {
    expect(describeAlarm(alarm("cpu_usage", "0.953612", "0.9"))).toEqual({ title: "High CPU usage", details: "CPU usage 95% (alarm above 90% for 60 s)" });
    expect(describeAlarm(alarm("memory_free_kib", "1102553.000000", "2097152", '\t<alarm_trigger_sense value="low"/>\n'))).toEqual({
      title: "Low free memory",
      details: "Free memory 1.1 GiB (alarm below 2 GiB for 60 s)",
    });
    expect(describeAlarm(alarm("network_usage", "15719041.754883", "10485760"))!.details).toBe("Network traffic 15 MiB/s (alarm above 10 MiB/s for 60 s)");
    expect(describeAlarm(alarm("physical_utilisation", "0.914778", "0.8"))!.details).toBe("Storage use 91% (alarm above 80% for 60 s)");
    expect(describeAlarm(alarm("sr_io_throughput_total_3f2a", "2097152", "1048576"))!.details).toBe(
      "Storage throughput 2 MiB/s (alarm above 1 MiB/s for 60 s)",
    );
  });

  it("titles known codes, reads unknown ones as words, and shows xapi's XML bodies as a sentence", () => {
    expect(alertTitle("VM_CRASHED")).toBe("VM crashed");
    expect(alertTitle("SOME_NEW_THING")).toBe("Some new thing");
    expect(
      describeAlert(
        "HOST_SERVER_CERTIFICATE_EXPIRING_30",
        "<body><message>TLS server certificate is expiring soon.</message><date>2025-01-20T10:00:00Z</date></body>",
      ),
    ).toEqual({
      title: "Host certificate expires within 30 days",
      details: "TLS server certificate is expiring soon. (2025-01-20)",
    });
    expect(describeAlert("VM_CRASHED", "")).toEqual({ title: "VM crashed", details: null });
    expect(describeAlert("ALARM", "garbage")).toEqual({ title: "Performance alarm", details: "garbage" });
  });

  it("counts priorities 1 and 2 as urgent, and clamps odd priorities", () => {
    expect([1, 2, 3, 4, 5].map(isUrgent)).toEqual([true, true, false, false, false]);
    expect(priorityOf(0)).toBe(1);
    expect(priorityOf(9)).toBe(5);
    expect(priorityOf(Number.NaN)).toBe(5);
  });
});
