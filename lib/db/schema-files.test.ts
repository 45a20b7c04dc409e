import { describe, expect, it } from "vitest";
import { derivePostgresSchema, readSchema } from "./schema-files";

describe("PostgreSQL schema variant", () => {
  it("is exactly what db:generate derives from prisma/schema.prisma (run `npm run db:generate` if this fails)", () => {
    expect(readSchema("postgresql")).toBe(derivePostgresSchema(readSchema("sqlite")));
  });

  it("changes only the provider and the client output", () => {
    const variant = derivePostgresSchema(readSchema("sqlite"));
    expect(variant).toContain('provider = "postgresql"');
    expect(variant).toContain('"../../lib/db/generated/postgresql"');
    expect(variant).not.toContain('"sqlite"');
    const modelLines = (text: string) => text.split("\n").filter((line) => !/provider|output|^\/\//.test(line));
    expect(modelLines(variant)).toEqual(modelLines(readSchema("sqlite")));
  });

  it("fails loudly when the source no longer has the expected lines", () => {
    expect(() => derivePostgresSchema('datasource db {\n  provider = "mysql"\n}')).toThrow(/provider = "sqlite"/);
  });
});
