import { describe, expect, it } from "vitest";
import { GiB, MiB, parseSize, sizeSchema, sizeText, TiB } from "./sizes";

describe("sizes", () => {
  it("reads what people type, in binary units", () => {
    expect(parseSize("20", "GiB")).toBe(20 * GiB);
    expect(parseSize("2048", "MiB")).toBe(2048 * MiB);
    expect(parseSize("2 GiB", "MiB")).toBe(2 * GiB);
    expect(parseSize("512M", "GiB")).toBe(512 * MiB);
    expect(parseSize("1,5 tb", "GiB")).toBe(1.5 * TiB);
    expect(parseSize(4096, "GiB")).toBe(4096);
    for (const bad of ["", "GiB", "-1 GiB", "2 PB", "1e3", "2 GiB extra"]) expect(parseSize(bad, "GiB"), bad).toBeNull();
  });

  it("writes sizes back as a form proposes them", () => {
    expect(sizeText(2 * GiB)).toBe("2 GiB");
    expect(sizeText(1536 * MiB)).toBe("1.5 GiB");
    expect(sizeText(3 * TiB)).toBe("3 TiB");
    expect(parseSize(sizeText(10 * GiB), "MiB")).toBe(10 * GiB);
  });

  it("gives a message a form can show", () => {
    const schema = sizeSchema("memory", "MiB", 256 * MiB);
    expect(schema.parse("1 GiB")).toBe(GiB);
    expect(schema.safeParse("128").error?.issues[0]?.message).toBe("The memory must be at least 256 MiB");
    expect(schema.safeParse("lots").error?.issues[0]?.message).toMatch(/^Enter the memory as a number with a unit/);
  });
});
