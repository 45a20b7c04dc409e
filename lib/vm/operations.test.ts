/** Why a lifecycle button is disabled: XAPI's allowed_operations decide, the reason explains in words. */
import { describe, expect, it } from "vitest";
import { operationParams, unavailableReason, VM_OPERATION_IDS, VM_OPERATIONS, type VmOperationContext } from "./operations";

const running: VmOperationContext = {
  powerState: "Running",
  allowedOperations: ["clean_shutdown", "hard_shutdown", "clean_reboot", "hard_reboot", "suspend", "pause"],
  currentOperations: [],
  blockedOperations: {},
  stale: false,
  readOnly: false,
};

describe("unavailableReason", () => {
  it("is null exactly for the operations XAPI allows", () => {
    const available = VM_OPERATION_IDS.filter((id) => unavailableReason(id, running) === null);
    expect(available).toEqual(["clean_shutdown", "hard_shutdown", "clean_reboot", "hard_reboot", "suspend", "pause"]);
  });

  it("says which power state the operation needs", () => {
    expect(unavailableReason("start", running)).toBe("The VM is running; only a halted VM can be started");
    expect(unavailableReason("hard_shutdown", { ...running, powerState: "Halted", allowedOperations: ["start"] })).toBe(
      "The VM is halted; only a running, paused or suspended VM can be powered off",
    );
  });

  it("names the operation in progress, a block by an administrator, a disconnected or read-only pool", () => {
    expect(unavailableReason("start", { ...running, powerState: "Halted", allowedOperations: [], currentOperations: ["clean_shutdown"] })).toBe(
      "Another operation is in progress (clean shutdown)",
    );
    expect(unavailableReason("suspend", { ...running, allowedOperations: [], blockedOperations: { suspend: "ADMIN" } })).toBe(
      "An administrator blocked this operation on this VM",
    );
    expect(unavailableReason("clean_shutdown", { ...running, stale: true })).toBe("The pool is not connected: the VM's state is not known");
    expect(unavailableReason("clean_shutdown", { ...running, readOnly: true })).toBe("This pool is registered read-only");
  });
});

describe("the catalogue", () => {
  it("asks before interrupting the guest (shut down, reboot, clean or forced); the forced ones are drastic", () => {
    expect(VM_OPERATION_IDS.filter((id) => VM_OPERATIONS[id].confirm)).toEqual(["clean_shutdown", "hard_shutdown", "clean_reboot", "hard_reboot"]);
    expect(VM_OPERATION_IDS.filter((id) => VM_OPERATIONS[id].drastic)).toEqual(["hard_shutdown", "hard_reboot"]);
  });

  it("keeps the everyday operations in view and the rare ones for the More menu", () => {
    expect(VM_OPERATION_IDS.filter((id) => !VM_OPERATIONS[id].rare)).toEqual(["start", "clean_shutdown", "clean_reboot", "suspend", "resume"]);
  });

  it("knows the power state each operation leaves the VM in", () => {
    for (const id of VM_OPERATION_IDS) {
      const { from, to } = VM_OPERATIONS[id];
      // A reboot leaves the VM as it was; anything else changes its state.
      if (to === null) expect(id).toMatch(/reboot/);
      else expect(from).not.toContain(to);
    }
  });

  it("passes XAPI the parameters each method expects", () => {
    expect(operationParams("start", "OpaqueRef:vm")).toEqual(["OpaqueRef:vm", false, false]);
    expect(operationParams("resume", "OpaqueRef:vm")).toEqual(["OpaqueRef:vm", false, false]);
    expect(operationParams("start_on", "OpaqueRef:vm", "OpaqueRef:host")).toEqual(["OpaqueRef:vm", "OpaqueRef:host", false, false]);
    expect(operationParams("hard_reboot", "OpaqueRef:vm")).toEqual(["OpaqueRef:vm"]);
  });
});
