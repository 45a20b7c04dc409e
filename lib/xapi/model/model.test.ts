import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultModelPath, loadReference, renderAll, tsType } from "@/lib/dev/generate-xapi-model";
import { classSpec, enumValues } from "./spec";

describe("generated XAPI model", () => {
  it("matches ../shared/xapi/xenapi.json (run `npm run gen:xapi-model` after updating the reference)", () => {
    const rendered = renderAll(loadReference(defaultModelPath()));
    for (const [file, text] of Object.entries(rendered)) expect(readFileSync(file, "utf8"), file).toBe(text);
  });

  it("exposes fields, message signatures and enums", () => {
    const vm = classSpec("VM")!;
    expect(vm.fieldsByName.get("power_state")).toMatchObject({ type: "enum vm_power_state", qualifier: "RO/constructor" });
    expect(vm.fieldsByName.get("name_label")?.qualifier).toBe("RW");
    const snapshot = vm.messages.get("snapshot")!;
    expect(snapshot.params.map((p) => [p.name, p.required])).toEqual([
      ["session_id", true],
      ["vm", true],
      ["new_name", true],
      ["ignore_vdis", false],
    ]);
    expect(enumValues("vm_power_state")).toEqual(["Halted", "Paused", "Running", "Suspended"]);
    expect(classSpec("NoSuchClass")).toBeUndefined();
  });

  it("maps XAPI types to TypeScript", () => {
    expect(tsType("(string -> VM ref) map")).toBe("Record<string, Ref>");
    expect(tsType("enum vm_operations set")).toBe("VmOperations[]");
    expect(tsType("int")).toBe("number");
    expect(tsType("datetime")).toBe("Date");
    expect(tsType("(enum vm_operations -> string) map")).toBe("Record<string, string>");
  });
});
