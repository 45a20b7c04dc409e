import { describe, expect, it } from "vitest";
import { isReadOnlyMethod } from "./read-only";

describe("read-only methods", () => {
  it("allows getters, checks, events and sessions", () => {
    for (const method of [
      "VM.get_all_records",
      "VM.get_power_state",
      "host.get_server_certificate",
      "VM.assert_can_boot_here",
      "host.compute_free_memory",
      "event.from",
      "event.inject",
      "session.login_with_password",
      "session.logout",
      "message.get_since",
    ]) {
      expect(isReadOnlyMethod(method), method).toBe(true);
    }
  });

  it("refuses everything else, including Async calls and setters", () => {
    for (const method of [
      "VM.start",
      "Async.VM.get_record",
      "VM.set_name_label",
      "VM.destroy",
      "task.cancel",
      "task.destroy",
      "pool.designate_new_master",
      "VM_get_record",
      "VM.get_",
      "get_record",
      "",
    ]) {
      expect(isReadOnlyMethod(method), method).toBe(false);
    }
  });
});
