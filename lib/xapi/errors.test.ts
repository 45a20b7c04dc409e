import { describe, expect, it, vi } from "vitest";
import { CLIENT_CODES, XapiError, XapiReadOnlyError, XapiTimeoutError, describeXapiError } from "./errors";

describe("XapiError", () => {
  it("never carries a full session ref", () => {
    const session = "OpaqueRef:0123abcd-4567-89ab-cdef-0123456789ab";
    const invalid = XapiError.fromDescription(["SESSION_INVALID", session]);
    expect(invalid.params[0]).toBe("OpaqueRef:0123…");
    expect(invalid.message).not.toContain("4567-89ab");
    const handle = XapiError.fromDescription(["HANDLE_INVALID", "session", session]);
    expect(handle.params).toEqual(["session", "OpaqueRef:0123…"]);
    // other refs stay usable
    expect(XapiError.fromDescription(["HANDLE_INVALID", "VM", session]).params[1]).toBe(session);
  });

  it("has a kind for client-side errors", () => {
    expect(new XapiReadOnlyError("VM.start")).toMatchObject({ kind: "read-only", code: CLIENT_CODES.readOnly, method: "VM.start" });
    expect(new XapiTimeoutError("slow")).toMatchObject({ kind: "timeout", code: CLIENT_CODES.timeout });
  });

  it("is recognised by another copy of the module, as Next.js bundles lib/xapi more than once", async () => {
    vi.resetModules();
    const copy = await import("./errors");
    expect(copy.XapiError).not.toBe(XapiError);
    const timeout = new XapiTimeoutError("slow");
    expect(timeout instanceof copy.XapiError).toBe(true);
    expect(timeout instanceof copy.XapiTimeoutError).toBe(true);
    expect(timeout instanceof copy.XapiReadOnlyError).toBe(false);
    expect(copy.isXapiError(XapiError.fromDescription(["VM_BAD_POWER_STATE"]), "VM_BAD_POWER_STATE")).toBe(true);
    expect(copy.describeXapiError(new XapiReadOnlyError("VM.start"))).toMatch(/read-only/);
    expect(new Error("plain") instanceof copy.XapiError).toBe(false);
    expect({ name: "XapiError" } instanceof copy.XapiError).toBe(false);
  });
});

describe("describeXapiError", () => {
  it("explains a bad power state with the error's parameters", () => {
    const error = XapiError.fromDescription(["VM_BAD_POWER_STATE", "OpaqueRef:vm", "halted", "running"]);
    expect(describeXapiError(error, { action: "start" })).toBe("The VM is running; it must be halted to start it");
    expect(
      describeXapiError(XapiError.fromDescription(["VM_BAD_POWER_STATE", "OpaqueRef:vm", "paused, suspended, running", "halted"]), {
        action: "hard shut down",
        objectName: "web-1",
      }),
    ).toBe("The VM “web-1” is halted; it must be paused, suspended or running to hard shut down it");
  });

  it("uses parameters in other common messages", () => {
    expect(describeXapiError(XapiError.fromDescription(["HOST_NOT_ENOUGH_FREE_MEMORY", String(8 * 2 ** 30), String(2 * 2 ** 30)]))).toBe(
      "The host does not have enough free memory: 8.0 GiB needed, 2.0 GiB available",
    );
    expect(describeXapiError(XapiError.fromDescription(["OTHER_OPERATION_IN_PROGRESS", "VM", "OpaqueRef:v", "clean_shutdown", "OpaqueRef:t"]))).toBe(
      "Another operation (clean shutdown) is in progress on this VM; try again when it has finished",
    );
    expect(describeXapiError(new XapiReadOnlyError("VM.start"))).toMatch(/read-only/);
  });

  it("puts disk, device, memory and vCPU refusals into words", () => {
    const words = (...description: string[]) => describeXapiError(XapiError.fromDescription(description));
    expect(words("VDI_IN_USE", "OpaqueRef:d", "resize")).toBe("The disk is attached to a running VM; detach it (or halt the VM) to resize it");
    expect(words("VDI_IN_USE", "OpaqueRef:d")).toBe("The disk is in use by a running VM or another operation");
    expect(words("SR_BACKEND_FAILURE_44", "", "There is insufficient space", "")).toBe("There is not enough free space on the storage repository");
    expect(words("SR_BACKEND_FAILURE_79", "", "VDI Invalid size", "")).toBe("The storage repository refused this disk size (VDI Invalid size)");
    expect(words("VCPU_MAX_NOT_CORES_PER_SOCKET_MULTIPLE", "3", "2")).toBe("The maximum number of vCPUs (3) must be a multiple of the cores per socket (2)");
    expect(words("INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max", "4")).toBe(
      "Invalid value 4: VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max",
    );
    expect(words("MAC_INVALID", "zz")).toBe("“zz” is not a valid MAC address");
    expect(words("VBD_NOT_UNPLUGGABLE", "OpaqueRef:b")).toBe("This disk cannot be detached while the VM runs (it is marked not unpluggable)");
  });

  it("names the objects an error's refs point at, when the pool's cache knows them", () => {
    const names: Record<string, string> = { "OpaqueRef:vm": "web-01", "OpaqueRef:sr": "Local storage on xcp-lab-02", "OpaqueRef:net": "DMZ" };
    const nameOf = (ref: string) => names[ref];
    const describe = (description: string[]) => describeXapiError(XapiError.fromDescription(description), { nameOf });
    expect(describe(["VM_REQUIRES_SR", "OpaqueRef:vm", "OpaqueRef:sr"])).toBe(
      "The VM “web-01” needs the storage “Local storage on xcp-lab-02”, which the host cannot reach",
    );
    expect(describe(["VM_REQUIRES_NETWORK", "OpaqueRef:vm", "OpaqueRef:net"])).toBe(
      "The VM “web-01” needs the network “DMZ”, which the host has no interface on",
    );
    expect(describe(["HOST_NOT_ENOUGH_FREE_MEMORY", "OpaqueRef:vm"])).toBe("The other hosts do not have enough free memory for the VM “web-01”");
    expect(describe(["NO_HOSTS_AVAILABLE", "OpaqueRef:vm"])).toMatch(/^No other host of the pool can take the VM “web-01” now/);
    expect(describe(["VM_BAD_POWER_STATE", "OpaqueRef:vm", "running", "paused"])).toBe("The VM “web-01” is paused; it must be running for this operation");
    // Unknown refs are left out rather than shown.
    expect(describeXapiError(XapiError.fromDescription(["VM_REQUIRES_SR", "OpaqueRef:x", "OpaqueRef:y"]))).toBe(
      "This VM needs a storage repository, which the host cannot reach",
    );
  });

  it("explains the host maintenance and power refusals", () => {
    expect(describeXapiError(XapiError.fromDescription(["HOST_NOT_DISABLED"]))).toMatch(/must be disabled first/);
    expect(describeXapiError(XapiError.fromDescription(["HOST_DISABLED_UNTIL_REBOOT"]))).toMatch(/once it is back/);
    expect(describeXapiError(XapiError.fromDescription(["HOST_OFFLINE", "OpaqueRef:h"]), { nameOf: () => "xcp-lab-02" })).toBe(
      "The host “xcp-lab-02” is offline",
    );
  });

  it("falls back to the code and parameters, and hides unexpected errors", () => {
    expect(describeXapiError(XapiError.fromDescription(["SOME_NEW_CODE", "p1"]))).toBe("The pool refused the operation: SOME_NEW_CODE (p1)");
    expect(describeXapiError(new XapiTimeoutError("VM.start: no complete answer within 60.0 s"))).toBe("VM.start: no complete answer within 60.0 s");
    expect(describeXapiError(new Error("password=hunter2"))).toBe("Unexpected error while talking to the pool");
  });
});
