import { describe, expect, it } from "vitest";
import { estimatedEnd, formatDuration, isRoutineTask, taskVerb } from "./task-text";

describe("tasks in words", () => {
  it("names what a task does, keeping labels XAPI wrote in words", () => {
    expect(taskVerb("Async.VM.copy")).toBe("Copy");
    expect(taskVerb("VM.clean_shutdown")).toBe("Shut down");
    expect(taskVerb("Async.host.evacuate")).toBe("Evacuate host");
    expect(taskVerb("Async.pool.sync_database")).toBe("pool sync database");
    expect(taskVerb("Host is rebooting")).toBe("Host is rebooting");
    expect(taskVerb("")).toBe("Task");
  });

  it("flags the routine tasks Xen Orchestra hides by default", () => {
    expect(isRoutineTask("Async.SR.scan")).toBe(true);
    expect(isRoutineTask("host.call_plugin")).toBe(true);
    expect(isRoutineTask("/rrd_updates")).toBe(true);
    expect(isRoutineTask("Async.VM.copy")).toBe(false);
  });

  it("estimates the end from the pace so far, not too early and not at 0 or 100%", () => {
    expect(estimatedEnd(0, 0.25, 20_000)).toBe(80_000);
    expect(estimatedEnd(0, 0.25, 5_000)).toBeNull();
    expect(estimatedEnd(0, 0, 60_000)).toBeNull();
    expect(estimatedEnd(0, 1, 60_000)).toBeNull();
  });

  it("formats durations", () => {
    expect(formatDuration(42_400)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(2 * 3600_000 + 4 * 60_000)).toBe("2 h 4 min");
    expect(formatDuration(-1)).toBe("—");
  });
});
