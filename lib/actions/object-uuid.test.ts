import { describe, expect, it } from "vitest";
import { objectUuidSchema } from "./object-uuid";

describe("objectUuidSchema", () => {
  const vm = objectUuidSchema("A VM");
  const messages = (value: unknown) => vm.safeParse(value).error?.issues.map((issue) => issue.message);

  it("takes a uuid, trimmed", () => {
    expect(vm.parse(" 0c9a56b1-6f0e-4b3c-9b8e-0d3c1f7a2e11 ")).toBe("0c9a56b1-6f0e-4b3c-9b8e-0d3c1f7a2e11");
  });

  it("names what is missing, and refuses anything but a uuid's characters or length", () => {
    expect(messages(undefined)).toEqual(["A VM is required"]);
    expect(messages("  ")?.[0]).toBe("A VM is required");
    expect(messages("OpaqueRef:1")).toEqual(["Not a uuid"]);
    expect(messages("a".repeat(101))).toEqual(["Not a uuid"]);
  });
});
