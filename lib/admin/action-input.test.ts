import { describe, expect, it } from "vitest";
import { z } from "zod";
import { actionInput } from "@/lib/actions/input";
import { invalidInput } from "@/lib/result";
import {
  addAclInput,
  createUserInput,
  generateTemporaryPassword,
  groupInput,
  idSchema,
  membershipInput,
  objectSearchInput,
  resetPasswordInput,
  setUserDisabledInput,
  updateUserInput,
} from "./action-input";

/** What the action pipeline does with an input before its run: the schema on the normalised input. */
const parse =
  <S extends z.ZodType>(schema: S) =>
  (input: unknown) => {
    const parsed = schema.safeParse(actionInput(input));
    return parsed.success ? { ok: true as const, data: parsed.data } : invalidInput(parsed.error);
  };
const parseCreateUser = parse(createUserInput);
const parseUpdateUser = parse(updateUserInput);
const parseSetUserDisabled = parse(setUserDisabledInput);
const parseResetPassword = parse(resetPasswordInput);
const parseGroup = parse(groupInput);
const parseMembership = parse(membershipInput);
const parseAddAcl = parse(addAclInput);
const parseObjectSearch = parse(objectSearchInput);
const parseId = (input: unknown, key: string) => parse(z.object({ [key]: idSchema }))(input);

const form = (fields: Record<string, string | string[]>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) for (const item of [value].flat()) data.append(key, item);
  return data;
};

const UUID = "0b6a3c9e-2f41-4d7a-9c55-1f2e3d4c5b6a";

describe("actionInput", () => {
  it("reads a form's text fields (a repeated one as a list), dropping files and React's action fields", () => {
    const data = form({ name: ["first", "second"], one: "x", $ACTION_ID_abc: "x", $ACTION_KEY: "k" });
    data.append("upload", new Blob(["data"]), "file.txt");
    expect(actionInput(data)).toEqual({ name: ["first", "second"], one: "x" });
  });

  it("bounds huge form values", () => {
    expect((actionInput(form({ a: "x".repeat(1_000_000) })) as { a: string }).a).toHaveLength(10_000);
  });

  it("leaves anything else to the schema (nothing at all becomes an empty object)", () => {
    const forged = { a: "x", b: 3, d: { nested: 1 } };
    expect(actionInput(forged)).toBe(forged);
    expect(actionInput(undefined)).toEqual({});
    expect(actionInput(null)).toEqual({});
  });
});

describe("parseCreateUser", () => {
  const valid = { username: "Olivia", displayName: "Olivia Ops", password: "correct horse 1", confirmPassword: "correct horse 1", accountType: "user" };

  it("gives the repository's input, the account type as isAdmin", () => {
    expect(parseCreateUser(form(valid))).toEqual({
      ok: true,
      data: { username: "Olivia", displayName: "Olivia Ops", password: "correct horse 1", isAdmin: false, mustChangePassword: false },
    });
    expect(parseCreateUser({ ...valid, accountType: "admin" })).toMatchObject({ ok: true, data: { isAdmin: true } });
  });

  it('reads the must-change-password checkbox: sent as "on" when checked, absent when not', () => {
    expect(parseCreateUser(form({ ...valid, mustChangePassword: "on" }))).toMatchObject({ ok: true, data: { mustChangePassword: true } });
    expect(parseCreateUser({ ...valid, mustChangePassword: true })).toMatchObject({ ok: true, data: { mustChangePassword: true } });
    expect(parseCreateUser(form(valid))).toMatchObject({ ok: true, data: { mustChangePassword: false } });
    expect(parseCreateUser({ ...valid, mustChangePassword: "yes please" })).toMatchObject({
      ok: false,
      fieldErrors: { mustChangePassword: expect.any(Array) },
    });
  });

  it("says which field is wrong", () => {
    expect(parseCreateUser({ ...valid, confirmPassword: "something else" })).toMatchObject({
      ok: false,
      fieldErrors: { confirmPassword: ["The passwords do not match"] },
    });
    expect(parseCreateUser({ ...valid, accountType: "root" })).toMatchObject({ ok: false, fieldErrors: { accountType: ["Choose the type of account"] } });
    expect(parseCreateUser(null)).toMatchObject({ ok: false, fieldErrors: { accountType: ["Choose the type of account"] } });
  });
});

describe("parseUpdateUser and parseSetUserDisabled", () => {
  it("reads the id and the changes", () => {
    expect(parseUpdateUser(form({ userId: UUID, displayName: "Vic", accountType: "admin" }))).toEqual({
      ok: true,
      data: { userId: UUID, changes: { displayName: "Vic", isAdmin: true } },
    });
    expect(parseSetUserDisabled({ userId: UUID, disabled: "true" })).toEqual({ ok: true, data: { userId: UUID, disabled: true } });
    expect(parseSetUserDisabled({ userId: UUID, disabled: "false" })).toEqual({ ok: true, data: { userId: UUID, disabled: false } });
  });

  it("refuses ids that are not ids, and flags that are not flags", () => {
    for (const userId of ["", "   ", "../etc/passwd", "x".repeat(101), "a b"]) {
      expect(parseUpdateUser({ userId, displayName: "", accountType: "user" })).toMatchObject({ ok: false, fieldErrors: { userId: expect.any(Array) } });
    }
    expect(parseSetUserDisabled({ userId: UUID, disabled: "on" })).toMatchObject({ ok: false, fieldErrors: { disabled: expect.any(Array) } });
    expect(parseSetUserDisabled({ userId: UUID, disabled: true })).toEqual({ ok: true, data: { userId: UUID, disabled: true } });
    expect(parseSetUserDisabled({ userId: UUID })).toMatchObject({ ok: false });
  });
});

describe("parseResetPassword", () => {
  it("uses the typed password when both fields match", () => {
    expect(parseResetPassword({ userId: UUID, password: "temporary pw 1", confirmPassword: "temporary pw 1" })).toEqual({
      ok: true,
      data: { userId: UUID, newPassword: "temporary pw 1", generated: false },
    });
    expect(parseResetPassword({ userId: UUID, password: "temporary pw 1", confirmPassword: "" })).toMatchObject({
      ok: false,
      fieldErrors: { confirmPassword: ["The passwords do not match"] },
    });
  });

  it("generates a password when both fields are empty", () => {
    const parsed = parseResetPassword(form({ userId: UUID, password: "", confirmPassword: "" }));
    expect(parsed).toMatchObject({ ok: true, data: { userId: UUID, generated: true } });
    expect(parsed.ok && parsed.data.newPassword).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
  });

  it("generates a different readable password every time", () => {
    const passwords = new Set(Array.from({ length: 50 }, generateTemporaryPassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).not.toMatch(/[01lIoO]/);
  });
});

describe("groups and memberships", () => {
  it("reads names, descriptions and ids", () => {
    expect(parseGroup({ name: "ops", description: "Operators" })).toEqual({ ok: true, data: { name: "ops", description: "Operators" } });
    expect(parseGroup({ groupId: UUID, name: "ops" })).toEqual({ ok: true, data: { groupId: UUID, name: "ops", description: "" } });
    expect(parseGroup({ groupId: "no way", name: "ops" })).toMatchObject({ ok: false, fieldErrors: { groupId: ["Not a valid id"] } });
    expect(parseMembership({ groupId: UUID, userId: UUID })).toEqual({ ok: true, data: { groupId: UUID, userId: UUID, intent: "add" } });
    expect(parseMembership({ groupId: UUID })).toMatchObject({ ok: false, fieldErrors: { userId: ["Missing id"] } });
    expect(parseId({ aclId: UUID }, "aclId")).toEqual({ ok: true, data: { aclId: UUID } });
    expect(parseId({ aclId: 7 }, "aclId")).toMatchObject({ ok: false, fieldErrors: { aclId: expect.any(Array) } });
    expect(parseId({}, "aclId")).toMatchObject({ ok: false, fieldErrors: { aclId: ["Missing id"] } });
  });
});

describe("parseAddAcl", () => {
  const valid = { subject: `group:${UUID}`, objectKind: "vm", objectUuid: UUID, role: "operator" };

  it("splits the subject and keeps the object and role", () => {
    expect(parseAddAcl(form(valid))).toEqual({
      ok: true,
      data: { subjectType: "group", subjectId: UUID, objectKind: "vm", objectUuid: UUID, role: "operator" },
    });
    expect(parseAddAcl({ ...valid, subject: `user:${UUID}` })).toMatchObject({ ok: true, data: { subjectType: "user" } });
  });

  it("refuses other subjects, kinds, uuids and roles", () => {
    expect(parseAddAcl({ ...valid, subject: `team:${UUID}` })).toMatchObject({ ok: false, fieldErrors: { subject: ["Choose a user or a group"] } });
    expect(parseAddAcl({ ...valid, subject: "user:" })).toMatchObject({ ok: false, fieldErrors: { subject: expect.any(Array) } });
    expect(parseAddAcl({ ...valid, objectKind: "vdi" })).toMatchObject({ ok: false, fieldErrors: { objectKind: ["Choose a pool, host, VM, SR or network"] } });
    expect(parseAddAcl({ ...valid, objectUuid: "<script>" })).toMatchObject({ ok: false, fieldErrors: { objectUuid: ["Not a XAPI uuid"] } });
    expect(parseAddAcl({ ...valid, role: "owner" })).toMatchObject({ ok: false, fieldErrors: { role: ["Choose viewer, operator or admin"] } });
    expect(parseAddAcl(undefined)).toMatchObject({
      ok: false,
      fieldErrors: { subject: expect.any(Array), objectKind: expect.any(Array), role: expect.any(Array) },
    });
  });
});

describe("parseObjectSearch", () => {
  it("reads text and an optional kind", () => {
    expect(parseObjectSearch({ query: "web", kind: "vm" })).toEqual({ ok: true, data: { query: "web", kind: "vm" } });
    expect(parseObjectSearch({})).toEqual({ ok: true, data: { query: "", kind: "" } });
    expect(parseObjectSearch({ query: "x".repeat(201) })).toMatchObject({ ok: false, fieldErrors: { query: ["Search text is too long"] } });
    expect(parseObjectSearch({ kind: "task" })).toMatchObject({ ok: false });
  });
});
