/** The pure side of VM management: input validation, XAPI parameters, why a button is disabled, which disks a delete destroys. */
import { describe, expect, it } from "vitest";
import {
  confirmsName,
  copyParams,
  defaultSnapshotName,
  fieldErrorsOf,
  NULL_REF,
  ownDisks,
  poolMigrateParams,
  VM_MANAGEMENT,
  vmManagementInputSchema,
  type DiskGraph,
} from "./management";
import { operationUnavailableReason, type VmOperationContext } from "./operations";

const UUID = "0b8c1f2e-4a5d-4c3b-9e8f-1a2b3c4d5e6f";

function parse(input: unknown) {
  const result = vmManagementInputSchema.safeParse(input);
  return result.success
    ? { ok: true as const, data: result.data }
    : { ok: false as const, fields: fieldErrorsOf(result.error), first: result.error.issues[0]?.message };
}

describe("input validation", () => {
  it("accepts each operation's input, with names trimmed", () => {
    expect(parse({ operation: "snapshot", vm: UUID, name: "  before upgrade  " })).toEqual({
      ok: true,
      data: { operation: "snapshot", vm: UUID, name: "before upgrade" },
    });
    expect(parse({ operation: "copy", vm: UUID, name: "copy", sr: "" })).toMatchObject({ ok: true, data: { sr: "" } });
    expect(parse({ operation: "copy", vm: UUID, name: "copy", sr: UUID })).toMatchObject({ ok: true, data: { sr: UUID } });
    expect(parse({ operation: "migrate", vm: UUID, host: UUID })).toMatchObject({ ok: true });
    expect(parse({ operation: "edit", vm: UUID, name: "web-01", description: "" })).toMatchObject({ ok: true, data: { description: "" } });
    expect(parse({ operation: "revert", snapshot: UUID })).toMatchObject({ ok: true });
  });

  it("says what is wrong, per field", () => {
    expect(parse({ operation: "clone", vm: UUID, name: "   " })).toEqual({ ok: false, fields: { name: ["Enter a name"] }, first: "Enter a name" });
    expect(parse({ operation: "clone", vm: UUID, name: "x".repeat(256) }).fields).toEqual({ name: ["Use at most 255 characters"] });
    expect(parse({ operation: "clone", vm: UUID, name: "bad\u0007name" }).fields).toEqual({ name: ["Use letters, digits, spaces and punctuation only"] });
    expect(parse({ operation: "edit", vm: UUID, name: "ok", description: "d".repeat(1025) }).fields).toEqual({ description: ["Use at most 1024 characters"] });
    expect(parse({ operation: "edit", vm: UUID, name: "ok", description: "two\nlines" })).toMatchObject({ ok: true });
    expect(parse({ operation: "migrate", vm: UUID }).fields).toEqual({ host: ["A host is required"] });
    expect(parse({ operation: "copy", vm: UUID, name: "c", sr: "<script>" }).fields).toEqual({ sr: expect.arrayContaining(["Not a uuid"]) });
    expect(parse({ operation: "revert", vm: UUID }).fields).toEqual({ snapshot: ["A snapshot is required"] });
  });

  it("refuses unknown operations and input that is not an object", () => {
    expect(parse({ operation: "format_disk", vm: UUID }).first).toBe("Unknown operation");
    expect(parse("delete everything").ok).toBe(false);
    expect(parse(null).ok).toBe(false);
  });
});

describe("names", () => {
  it("proposes '<VM name> <local date and time>' for a snapshot, within XAPI's length", () => {
    expect(defaultSnapshotName("web-01", new Date(2025, 2, 9, 7, 5))).toBe("web-01 2025-03-09 07:05");
    const long = defaultSnapshotName("v".repeat(300), new Date(2025, 0, 1, 0, 0));
    expect(long).toHaveLength(255);
    expect(long.endsWith(" 2025-01-01 00:00")).toBe(true);
  });

  it("a delete is confirmed by the exact name, surrounding spaces aside", () => {
    expect(confirmsName(" web-01 ", "web-01")).toBe(true);
    expect(confirmsName("WEB-01", "web-01")).toBe(false);
    expect(confirmsName("web-0", "web-01")).toBe(false);
    expect(confirmsName("", "web-01")).toBe(false);
  });
});

describe("XAPI parameters", () => {
  it("copies onto a chosen SR, or keeps each disk's SR with a NULL ref", () => {
    expect(copyParams("OpaqueRef:vm", "copy", "OpaqueRef:sr")).toEqual(["OpaqueRef:vm", "copy", "OpaqueRef:sr"]);
    expect(copyParams("OpaqueRef:vm", "copy", null)).toEqual(["OpaqueRef:vm", "copy", NULL_REF]);
  });

  it("migrates within the pool with no options", () => {
    expect(poolMigrateParams("OpaqueRef:vm", "OpaqueRef:host")).toEqual(["OpaqueRef:vm", "OpaqueRef:host", {}]);
  });
});

describe("why a management button is disabled", () => {
  const halted: VmOperationContext = {
    powerState: "Halted",
    allowedOperations: ["start", "clone", "copy", "snapshot", "destroy"],
    currentOperations: [],
    blockedOperations: {},
    stale: false,
    readOnly: false,
  };
  const running: VmOperationContext = { ...halted, powerState: "Running", allowedOperations: ["clean_shutdown", "snapshot", "pool_migrate"] };

  it("follows allowed_operations, and names the power state the operation needs", () => {
    expect(operationUnavailableReason(VM_MANAGEMENT.clone, halted)).toBeNull();
    expect(operationUnavailableReason(VM_MANAGEMENT.delete, halted)).toBeNull();
    expect(operationUnavailableReason(VM_MANAGEMENT.migrate, halted)).toBe("The VM is halted; only a running VM can be migrated");
    expect(operationUnavailableReason(VM_MANAGEMENT.delete, running)).toBe("The VM is running; only a halted VM can be deleted");
    expect(operationUnavailableReason(VM_MANAGEMENT.copy, running)).toBe("The VM is running; only a halted VM can be copied");
    expect(operationUnavailableReason(VM_MANAGEMENT.snapshot, running)).toBeNull();
    expect(operationUnavailableReason(VM_MANAGEMENT.migrate, running)).toBeNull();
  });

  it("edits whatever the power state, but never on a read-only or disconnected pool", () => {
    expect(operationUnavailableReason(VM_MANAGEMENT.edit, { ...running, allowedOperations: [] })).toBeNull();
    expect(operationUnavailableReason(VM_MANAGEMENT.edit, { ...running, readOnly: true })).toBe("This pool is registered read-only");
    expect(operationUnavailableReason(VM_MANAGEMENT.snapshot, { ...running, stale: true })).toBe("The pool is not connected: the VM's state is not known");
  });

  it("speaks of the snapshot for snapshot operations", () => {
    const snapshot: VmOperationContext = { ...halted, allowedOperations: ["clone", "copy", "destroy"], blockedOperations: { revert: "admin" } };
    expect(operationUnavailableReason(VM_MANAGEMENT.revert, snapshot)).toBe("An administrator blocked this operation on this snapshot");
    expect(operationUnavailableReason(VM_MANAGEMENT.delete_snapshot, snapshot)).toBeNull();
  });
});

describe("which disks a delete destroys", () => {
  /** A pool: VBDs as [vm, type, vdi] and the control domain's refs. */
  function graph(vbds: [vm: string, type: string, vdi: string][], controlDomains: string[] = []): DiskGraph {
    return {
      vbdsOfVm: (vm) => vbds.filter(([owner]) => owner === vm).map(([, type, vdi]) => ({ type, VDI: vdi, empty: vdi === NULL_REF })),
      vbdsOfVdi: (vdi) => vbds.filter(([, , disk]) => disk === vdi).map(([owner]) => ({ VM: owner })),
      isControlDomain: (vm) => controlDomains.includes(vm),
    };
  }

  it("takes the VM's own disks and leaves ISO images, empty drives and disks shared with other VMs", () => {
    const pool = graph([
      ["vm", "Disk", "root"],
      ["vm", "Disk", "data"],
      ["vm", "CD", "debian.iso"],
      ["vm", "CD", NULL_REF],
      ["vm", "Disk", "shared"],
      ["other", "Disk", "shared"],
      ["other", "CD", "debian.iso"],
    ]);
    expect(ownDisks("vm", pool)).toEqual(["root", "data"]);
    expect(ownDisks("other", pool)).toEqual([]);
  });

  it("a disk the control domain has plugged still belongs to the VM", () => {
    expect(
      ownDisks(
        "vm",
        graph(
          [
            ["vm", "Disk", "root"],
            ["dom0", "Disk", "root"],
          ],
          ["dom0"],
        ),
      ),
    ).toEqual(["root"]);
  });

  it("a disk plugged twice into the same VM is destroyed once", () => {
    expect(
      ownDisks(
        "vm",
        graph([
          ["vm", "Disk", "root"],
          ["vm", "Disk", "root"],
        ]),
      ),
    ).toEqual(["root"]);
  });
});
