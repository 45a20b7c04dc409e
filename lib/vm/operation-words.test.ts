/** The words for an operation in progress on a VM (VM list and page). */
import { describe, expect, it } from "vitest";
import { operationInProgress } from "./operation-words";

describe("operationInProgress", () => {
  it("uses the catalogue's words for XenDeck's own operations", () => {
    expect(operationInProgress("start")).toBe("Starting…");
    expect(operationInProgress("clean_shutdown")).toBe("Shutting down…");
    expect(operationInProgress("hard_shutdown")).toBe("Forcing shutdown…");
    expect(operationInProgress("pool_migrate")).toBe("Migrating…");
    expect(operationInProgress("revert")).toBe("Reverting…");
    expect(operationInProgress("destroy")).toBe("Deleting…");
  });

  it("knows XAPI's other VM operations and reads an unknown one aloud", () => {
    expect(operationInProgress("migrate_send")).toBe("Migrating…");
    expect(operationInProgress("assert_operation_valid")).toBe("Assert operation valid…");
    expect(operationInProgress("")).toBe("Busy…");
  });
});
