import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseProvider } from "@/lib/config";
import { createDbClient } from "./client";
import { migrateDatabase } from "./migrate";
import { diffMigrationsToSchema, readMigrationList } from "./schema-engine";
import { testDbFactory, type TestDbFactory } from "@/lib/dev/test/database";

describe.each<DatabaseProvider>(["sqlite", "postgresql"])("migrations on %s", (provider) => {
  let factory: TestDbFactory;
  beforeAll(async () => {
    factory = await testDbFactory(provider);
  });
  afterAll(() => factory?.dispose());

  it("are committed with a lock file naming the provider", () => {
    const list = readMigrationList(provider);
    expect(list.migrationDirectories.length).toBeGreaterThan(0);
    expect(list.lockfile.content).toContain(`provider = "${provider}"`);
  });

  it("match prisma/schema.prisma (run `npm run db:migration -- <name>` if this fails)", async () => {
    expect(await diffMigrationsToSchema(await factory.createEmpty())).toBeNull();
  });

  it("apply to an empty database once, then report nothing pending", async () => {
    const url = await factory.createEmpty();
    const all = readMigrationList(provider).migrationDirectories.map((dir) => dir.path);
    expect(await migrateDatabase(url)).toEqual(all);
    expect(await migrateDatabase(url)).toEqual([]);

    const db = createDbClient(url);
    try {
      const user = await db.user.create({ data: { username: "probe", passwordHash: "x" } });
      expect(await db.user.findUnique({ where: { id: user.id } })).toMatchObject({ username: "probe", isAdmin: false, totpEnabledAt: null });
      if (provider === "sqlite") {
        const [mode] = await db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
        expect(mode!.journal_mode).toBe("wal");
      }
    } finally {
      await db.$disconnect();
    }
  });

  it("give test databases that are independent of each other", async () => {
    const a = await factory.create();
    const b = await factory.create();
    try {
      await a.db.group.create({ data: { name: "only-in-a" } });
      expect(await a.db.group.count()).toBe(1);
      expect(await b.db.group.count()).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
