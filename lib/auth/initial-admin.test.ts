import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { ensureInitialAdmin } from "./initial-admin";
import { authenticate } from "./login";
import { loadActorByUsername } from "./session-user";

const testDb = testDatabaseForEachTest("sqlite");
afterEach(() => {
  delete process.env.XENDECK_ADMIN_PASSWORD;
  resetConfigForTests();
});

describe("ensureInitialAdmin", () => {
  it("creates `admin` with a generated password, returned once, on an empty database", async () => {
    const result = await ensureInitialAdmin();
    expect(result).toEqual({ created: true, username: "admin", generatedPassword: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    if (!result.created || !result.generatedPassword) throw new Error("expected a generated password");
    expect(await testDb().db.user.findUniqueOrThrow({ where: { username: "admin" } })).toMatchObject({
      isAdmin: true,
      disabled: false,
      mustChangePassword: false,
    });
    expect((await authenticate({ username: "admin", password: result.generatedPassword, address: null })).ok).toBe(true);
    expect(await ensureInitialAdmin()).toEqual({ created: false });
    expect(await loadActorByUsername(" Admin ")).toMatchObject({ username: "admin", isAdmin: true, grants: [] });
    expect(await loadActorByUsername("nobody")).toBeNull();
    expect(JSON.stringify(await testDb().db.auditEntry.findMany())).not.toContain(result.generatedPassword);
  });

  it("uses XENDECK_ADMIN_PASSWORD when set, and never touches an existing installation", async () => {
    process.env.XENDECK_ADMIN_PASSWORD = "configured admin password";
    resetConfigForTests();
    expect(await ensureInitialAdmin()).toEqual({ created: true, username: "admin", generatedPassword: null });
    expect((await authenticate({ username: "admin", password: "configured admin password", address: null })).ok).toBe(true);

    process.env.XENDECK_ADMIN_PASSWORD = "another admin password";
    resetConfigForTests();
    expect(await ensureInitialAdmin()).toEqual({ created: false });
    expect((await authenticate({ username: "admin", password: "another admin password", address: null })).ok).toBe(false);
  });

  it("creates one admin even when several instances start at once", async () => {
    const results = await Promise.all([ensureInitialAdmin(), ensureInitialAdmin(), ensureInitialAdmin()]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await testDb().db.user.count()).toBe(1);
  });
});
