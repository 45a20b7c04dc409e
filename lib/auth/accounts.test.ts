import { describe, expect, it } from "vitest";
import * as acls from "@/lib/access/acls";
import { listAcls, listAclsCovering } from "@/lib/access/acls";
import { explainAccess } from "@/lib/access/can";
import * as groups from "@/lib/access/groups";
import { getGroup, listGroups } from "@/lib/access/groups";
import { changePasswordAction } from "@/lib/account/actions";
import { runAction } from "@/lib/actions/define";
import * as admin from "@/lib/admin/actions";
import { recordChangesAs } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";
import { testDatabaseForEachTest } from "@/lib/dev/test/database";
import { authenticate } from "./login";
import { hashPassword } from "./password";
import { loadActor, loadSessionUser, loadUserAccess, type CurrentUser } from "./session-user";
import * as users from "./users";
import { getUser, listUsers } from "./users";

/*
 * The repositories, as the administration actions call them (they authorize, then pass the audit recorder), and
 * the actions themselves where authorization is what is tested.
 */
const as = recordChangesAs;
const createUser = (actor: CurrentUser, input: unknown) => users.createUser(input, as(actor, "user.create"));
const updateUser = (actor: CurrentUser, userId: string, input: unknown) => users.updateUser(userId, input, as(actor, "user.update"));
const deleteUser = (actor: CurrentUser, userId: string) => users.deleteUser(userId, as(actor, "user.delete"));
const resetUserPassword = (actor: CurrentUser, userId: string, input: unknown) => users.resetUserPassword(userId, input, as(actor, "user.reset_password"));
const changeOwnPassword = (actor: CurrentUser, input: Record<string, string>) =>
  runAction(changePasswordAction, { actor, input: input as never }).then((result) => (result.ok ? { ok: true } : result));
const createGroup = (actor: CurrentUser, input: unknown) => groups.createGroup(input, as(actor, "group.create"));
const updateGroup = (actor: CurrentUser, groupId: string, input: unknown) => groups.updateGroup(groupId, input, as(actor, "group.update"));
const deleteGroup = (actor: CurrentUser, groupId: string) => groups.deleteGroup(groupId, as(actor, "group.delete"));
const addGroupMember = (actor: CurrentUser, groupId: string, userId: string) => groups.changeMembership(groupId, userId, true, as(actor, "group.add_member"));
const removeGroupMember = (actor: CurrentUser, groupId: string, userId: string) =>
  groups.changeMembership(groupId, userId, false, as(actor, "group.remove_member"));
const addAcl = (actor: CurrentUser, input: unknown) => acls.addAcl(actor, input, as(actor, "acl.add"));
const removeAcl = (actor: CurrentUser, aclId: string) => acls.removeAcl(aclId, as(actor, "acl.remove"));

const FAST = { logN: 10, r: 8, p: 1 };

describe.each(["sqlite", "postgresql"] as const)("accounts on %s", (provider) => {
  const testDb = testDatabaseForEachTest(provider);

  async function seedUser(username: string, isAdmin = false): Promise<CurrentUser> {
    const row = await testDb().db.user.create({ data: { username, isAdmin, passwordHash: await hashPassword("initial password", FAST) } });
    return (await loadActor(row.id))!;
  }

  /** Signs in as `username` and returns the user as their session's requests see them. */
  async function signIn(username: string, password: string): Promise<CurrentUser> {
    const result = await authenticate({ username, password, address: "192.0.2.8" });
    if (!result.ok) throw new Error(`sign-in failed: ${result.code}`);
    return (await loadSessionUser(result.sessionId))!;
  }

  const auditOf = async (action: string) =>
    (await testDb().db.auditEntry.findMany({ where: { action }, orderBy: { id: "asc" } })).map((e) => ({
      actor: e.actorUsername,
      outcome: e.outcome,
      object: e.objectLabel,
      params: JSON.parse(e.params),
      error: e.errorCode,
    }));

  describe("users", () => {
    it("creates users as an admin, without ever returning the password hash", async () => {
      const admin = await seedUser("root", true);
      const result = await createUser(admin, { username: " Alice ", displayName: "Alice A.", password: "alice's password", isAdmin: "on" });
      expect(result).toMatchObject({ ok: true, user: { username: "alice", displayName: "Alice A.", isAdmin: true, disabled: false, groups: [] } });
      expect(JSON.stringify(result)).not.toMatch(/scrypt|alice's password/);
      expect((await authenticate({ username: "alice", password: "alice's password", address: null })).ok).toBe(true);
      expect(await auditOf("user.create")).toEqual([
        {
          actor: "root",
          outcome: "ok",
          object: "alice",
          params: { username: "alice", displayName: "Alice A.", isAdmin: true, mustChangeAtFirstLogin: false },
          error: null,
        },
      ]);
      expect((await loadActor(result.ok ? result.user.id : ""))?.mustChangePassword).toBe(false);
      expect((await listUsers(admin)).map((user) => user.username)).toEqual(["alice", "root"]);
      expect(await verifyAuditChain()).toMatchObject({ ok: true });
    });

    it("creates a user who must replace the admin-chosen password before anything else", async () => {
      const admin = await seedUser("root", true);
      const result = await createUser(admin, { username: "dana", password: "initial password 1", isAdmin: false, mustChangePassword: "on" });
      expect(result).toMatchObject({ ok: true, user: { username: "dana", mustChangePassword: true } });
      const id = result.ok ? result.user.id : "";
      expect((await testDb().db.user.findUniqueOrThrow({ where: { id } })).mustChangePassword).toBe(true);
      // The admin's password lets them in, but only as far as the change-password form (requireUser reads this).
      const dana = await signIn("dana", "initial password 1");
      expect(dana.mustChangePassword).toBe(true);
      expect(await auditOf("user.create")).toEqual([
        {
          actor: "root",
          outcome: "ok",
          object: "dana",
          params: { username: "dana", displayName: "", isAdmin: false, mustChangeAtFirstLogin: true },
          error: null,
        },
      ]);
      expect(JSON.stringify(await testDb().db.auditEntry.findMany())).not.toContain("initial password 1");

      expect(await changeOwnPassword(dana, { currentPassword: "initial password 1", newPassword: "dana's own password" })).toEqual({ ok: true });
      expect((await loadSessionUser(dana.sessionId!))?.mustChangePassword).toBe(false);
      expect(await verifyAuditChain()).toMatchObject({ ok: true });
    });

    it("refuses a must-change flag that is not a flag", async () => {
      const admin = await seedUser("root", true);
      expect(await createUser(admin, { username: "erin", password: "initial password 1", mustChangePassword: "maybe" })).toMatchObject({
        ok: false,
        fieldErrors: { mustChangePassword: [expect.any(String)] },
      });
      expect(await testDb().db.user.findUnique({ where: { username: "erin" } })).toBeNull();
    });

    it("says what is wrong with invalid input and duplicate usernames", async () => {
      const admin = await seedUser("root", true);
      expect(await createUser(admin, { username: "bad name!", password: "short" })).toMatchObject({
        ok: false,
        fieldErrors: { username: [expect.stringMatching(/letters, digits/)], password: ["Password must be at least 10 characters long"] },
      });
      expect(await createUser(admin, { username: "ROOT", password: "long enough password" })).toMatchObject({
        ok: false,
        fieldErrors: { username: ["This username is taken"] },
      });
      expect(await createUser(admin, null)).toMatchObject({ ok: false });
    });

    it("refuses non-admins, and audits the refusal", async () => {
      const mallory = await seedUser("mallory");
      const victim = await seedUser("victim", true);
      const actor = mallory;
      const password = "long enough password";
      const created = { username: "x", password, confirmPassword: password, accountType: "admin" as const };
      expect(await runAction(admin.createUserAction, { actor, input: created })).toEqual({
        ok: false,
        error: "You are not allowed to do this.",
        code: "NOT_ALLOWED",
      });
      expect(await runAction(admin.updateUserAction, { actor, input: { userId: mallory.id, accountType: "admin" } })).toMatchObject({ ok: false });
      expect(await runAction(admin.deleteUserAction, { actor, input: { userId: victim.id } })).toMatchObject({ ok: false });
      const reset = { userId: victim.id, password: "taken over password", confirmPassword: "taken over password" };
      expect(await runAction(admin.resetPasswordAction, { actor, input: reset })).toMatchObject({ ok: false });
      expect(await listUsers(mallory)).toEqual([]);
      expect(await getUser(mallory, victim.id)).toBeNull();
      expect((await getUser(mallory, mallory.id))?.username).toBe("mallory");
      const refusals = await testDb().db.auditEntry.findMany({ where: { outcome: "refused" } });
      expect(refusals.map((e) => [e.action, e.actorUsername, e.errorCode])).toEqual(Array(4).fill(["users.manage", "mallory", "NOT_ALLOWED"]));
      expect((await testDb().db.user.findUniqueOrThrow({ where: { id: mallory.id } })).isAdmin).toBe(false);
    });

    it("never leaves the system without an enabled admin", async () => {
      const root = await seedUser("root", true);
      const lastAdminError = { ok: false, error: expect.stringMatching(/last enabled administrator/) };
      expect(await updateUser(root, root.id, { isAdmin: false })).toMatchObject(lastAdminError);
      expect(await updateUser(root, root.id, { disabled: true })).toMatchObject(lastAdminError);
      expect(await deleteUser(root, root.id)).toMatchObject(lastAdminError);
      expect(await testDb().db.user.findUniqueOrThrow({ where: { id: root.id } })).toMatchObject({ isAdmin: true, disabled: false });
      expect(await auditOf("user.update")).toEqual([]); // rolled back with the change

      const second = await seedUser("second", true);
      expect(await updateUser(root, second.id, { disabled: "true" })).toMatchObject({ ok: true, user: { disabled: true } });
      // A disabled admin does not count: root is still the last enabled one.
      expect(await deleteUser(root, root.id)).toMatchObject(lastAdminError);
      expect(await updateUser(root, second.id, { disabled: false })).toMatchObject({ ok: true });
      expect(await deleteUser(root, second.id)).toEqual({ ok: true });
    });

    it("lets only one of two admins demote the other when both try at once", async () => {
      const a = await seedUser("admin-a", true);
      const b = await seedUser("admin-b", true);
      const results = await Promise.all([updateUser(a, b.id, { isAdmin: false }), updateUser(b, a.id, { isAdmin: false })]);
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(await testDb().db.user.count({ where: { isAdmin: true, disabled: false } })).toBe(1);
      expect(await verifyAuditChain()).toMatchObject({ ok: true });
    });

    it("ends sessions on disable for good, and applies a role change at the next request", async () => {
      const root = await seedUser("root", true);
      const bob = await seedUser("bob");
      const { sessionId } = await signIn("bob", "initial password");
      expect((await loadSessionUser(sessionId!))?.isAdmin).toBe(false);
      await updateUser(root, bob.id, { isAdmin: true });
      expect((await loadSessionUser(sessionId!))?.isAdmin).toBe(true);
      await updateUser(root, bob.id, { disabled: true });
      expect(await loadSessionUser(sessionId!)).toBeNull();
      // Enabling the account again does not bring the old session back.
      await updateUser(root, bob.id, { disabled: false });
      expect(await loadSessionUser(sessionId!)).toBeNull();
      expect(await testDb().db.session.findUniqueOrThrow({ where: { id: sessionId! } })).toMatchObject({ revokedReason: "disabled" });
      expect(await auditOf("user.update")).toEqual([
        { actor: "root", outcome: "ok", object: "bob", params: { isAdmin: true }, error: null },
        { actor: "root", outcome: "ok", object: "bob", params: { disabled: true }, error: null },
        { actor: "root", outcome: "ok", object: "bob", params: { disabled: false }, error: null },
      ]);
    });

    it("resets a password: sessions end and a new password must be chosen; users change their own", async () => {
      const root = await seedUser("root", true);
      await seedUser("carol");
      const carolBefore = await signIn("carol", "initial password");
      expect(await resetUserPassword(root, carolBefore.id, { newPassword: "temporary password" })).toEqual({ ok: true });
      expect(await loadSessionUser(carolBefore.sessionId!)).toBeNull();
      const carolNow = await signIn("carol", "temporary password");
      const carolElsewhere = await signIn("carol", "temporary password");
      expect(carolNow.mustChangePassword).toBe(true);

      expect(await changeOwnPassword(carolNow, { currentPassword: "wrong", newPassword: "carol's own password" })).toMatchObject({
        ok: false,
        fieldErrors: { currentPassword: ["The current password is wrong"] },
      });
      expect(
        await changeOwnPassword(carolNow, { currentPassword: "temporary password", newPassword: "carol's own password", confirmPassword: "typo" }),
      ).toMatchObject({
        ok: false,
        fieldErrors: { confirmPassword: ["The passwords do not match"] },
      });
      expect(await changeOwnPassword(carolNow, { currentPassword: "temporary password", newPassword: "carol's own password" })).toEqual({ ok: true });
      // The browser that changed it stays signed in; the other session ends.
      expect((await loadSessionUser(carolNow.sessionId!))?.mustChangePassword).toBe(false);
      expect(await loadSessionUser(carolElsewhere.sessionId!)).toBeNull();
      expect((await authenticate({ username: "carol", password: "carol's own password", address: null })).ok).toBe(true);
      expect((await auditOf("user.change_password")).map((e) => [e.actor, e.outcome, e.error, e.params])).toEqual([
        ["carol", "refused", "WRONG_PASSWORD", {}],
        ["carol", "ok", null, { otherSessionsEnded: 1 }],
      ]);
      expect(JSON.stringify(await testDb().db.auditEntry.findMany())).not.toMatch(/temporary password|carol's own password/);
    });

    it("deletes a user with their ACLs and memberships, keeping their audit entries", async () => {
      const root = await seedUser("root", true);
      const dave = await seedUser("dave");
      const group = await createGroup(root, { name: "ops" });
      if (!group.ok) throw new Error(group.error);
      await addGroupMember(root, group.group.id, dave.id);
      await addAcl(root, { subjectType: "user", subjectId: dave.id, objectKind: "vm", objectUuid: "vm-1", role: "operator" });
      const { sessionId } = await signIn("dave", "initial password");
      expect(await deleteUser(root, dave.id)).toEqual({ ok: true });
      expect(await loadSessionUser(sessionId!)).toBeNull();
      expect(await testDb().db.acl.count()).toBe(0);
      expect(await testDb().db.groupMember.count()).toBe(0);
      expect(await testDb().db.auditEntry.count({ where: { actorId: dave.id } })).toBe(1);
      expect(await deleteUser(root, dave.id)).toMatchObject({ ok: false, error: "This user no longer exists." });
    });
  });

  describe("groups and ACLs", () => {
    it("grants through groups, and membership changes apply at the next request", async () => {
      const root = await seedUser("root", true);
      const erin = await seedUser("erin");
      const created = await createGroup(root, { name: "web team", description: "runs the web VMs" });
      if (!created.ok) throw new Error(created.error);
      const groupId = created.group.id;
      expect(await createGroup(root, { name: "web team" })).toMatchObject({ ok: false, fieldErrors: { name: ["A group with this name exists"] } });

      const acl = await addAcl(root, {
        subjectType: "group",
        subjectId: groupId,
        objectKind: "pool",
        objectUuid: "pool-1",
        objectLabel: "lab",
        role: "operator",
      });
      expect(acl).toMatchObject({ ok: true, replaced: false, acl: { subject: { type: "group", name: "web team" }, role: "operator", createdBy: "root" } });

      const vm = { kind: "vm", uuid: "vm-7", poolUuid: "pool-1" } as const;
      expect(explainAccess((await loadActor(erin.id))!, vm).role).toBeNull();
      expect(await addGroupMember(root, groupId, erin.id)).toEqual({ ok: true });
      expect(await addGroupMember(root, groupId, erin.id)).toEqual({ ok: true }); // already a member: no-op
      const explained = explainAccess((await loadActor(erin.id))!, vm);
      expect(explained.role).toBe("operator");
      expect(explained.reasons[0]).toMatchObject({ scope: "its pool", grant: { via: { type: "group", groupName: "web team" } } });
      expect((await getGroup(root, groupId))?.members.map((member) => member.username)).toEqual(["erin"]);

      expect(await removeGroupMember(root, groupId, erin.id)).toEqual({ ok: true });
      expect(explainAccess((await loadActor(erin.id))!, vm).role).toBeNull();
      // Every request is recorded; the one that found erin already a member says it changed nothing.
      expect((await auditOf("group.add_member")).map((entry) => entry.params.changed)).toEqual([true, false]);
      expect((await auditOf("group.remove_member")).map((entry) => entry.params.changed)).toEqual([true]);

      expect(await updateGroup(root, groupId, { name: "web", description: "" })).toMatchObject({ ok: true, group: { name: "web" } });
      expect(await deleteGroup(root, groupId)).toEqual({ ok: true });
      expect(await testDb().db.acl.count()).toBe(0);
      expect(await listGroups(root)).toEqual([]);
      expect(await verifyAuditChain()).toMatchObject({ ok: true });
    });

    it("re-reads a user's grants only once the access version moved, which every ACL, group and membership write moves", async () => {
      const root = await seedUser("root", true);
      const kim = await seedUser("kim");
      await addAcl(root, { subjectType: "user", subjectId: kim.id, objectKind: "vm", objectUuid: "vm-1", role: "viewer" });
      const first = (await loadActor(kim.id))!.grants;
      expect(first.map((grant) => grant.objectUuid)).toEqual(["vm-1"]);
      // Nothing changed: the same (frozen) grants, not read again.
      expect((await loadActor(kim.id))!.grants).toBe(first);
      expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);

      // An ACL written straight into the database, without the version bump, is not seen; nor after other
      // audited changes (the audit log is not what versions the grants)...
      await testDb().db.acl.create({ data: { userId: kim.id, objectKind: "vm", objectUuid: "vm-2", role: "viewer", createdBy: "test" } });
      expect((await loadActor(kim.id))!.grants).toBe(first);
      expect(await updateUser(root, kim.id, { displayName: "Kim" })).toMatchObject({ ok: true });
      expect((await loadActor(kim.id))!.grants).toBe(first);
      // ...until a repository write moves the version, whoever it concerns.
      await addAcl(root, { subjectType: "user", subjectId: root.id, objectKind: "vm", objectUuid: "vm-3", role: "viewer" });
      const second = (await loadActor(kim.id))!.grants;
      expect(second.map((grant) => grant.objectUuid)).toEqual(["vm-1", "vm-2"]);
      expect((await loadActor(kim.id))!.grants).toBe(second);

      // Each kind of write applies at the next request: a group grant, a membership, a rename, a removal.
      const created = await createGroup(root, { name: "ops" });
      if (!created.ok) throw new Error(created.error);
      await addAcl(root, { subjectType: "group", subjectId: created.group.id, objectKind: "pool", objectUuid: "pool-1", role: "operator" });
      expect((await loadActor(kim.id))!.grants).toEqual(second); // read again (the version moved), the same
      await addGroupMember(root, created.group.id, kim.id);
      expect((await loadActor(kim.id))!.grants.map((grant) => grant.objectUuid)).toEqual(["vm-1", "vm-2", "pool-1"]);
      await updateGroup(root, created.group.id, { name: "operations" });
      expect((await loadActor(kim.id))!.grants.at(-1)?.via).toEqual({ type: "group", groupId: created.group.id, groupName: "operations" });
      const aclId = first[0]!.aclId;
      expect(await removeAcl(root, aclId)).toEqual({ ok: true });
      expect((await loadActor(kim.id))!.grants.map((grant) => grant.objectUuid)).toEqual(["vm-2", "pool-1"]);
      await removeGroupMember(root, created.group.id, kim.id);
      expect((await loadActor(kim.id))!.grants.map((grant) => grant.objectUuid)).toEqual(["vm-2"]);
      await addGroupMember(root, created.group.id, kim.id);
      await deleteGroup(root, created.group.id);
      expect((await loadActor(kim.id))!.grants.map((grant) => grant.objectUuid)).toEqual(["vm-2"]);
    });

    it("moves the access version with a deleted user's ACLs and memberships, in the same transaction", async () => {
      const root = await seedUser("root", true);
      const lee = await seedUser("lee");
      const version = async () => (await testDb().db.accessVersion.findUnique({ where: { id: 1 } }))?.version ?? 0;
      const before = await version();
      expect(await deleteUser(root, lee.id)).toEqual({ ok: true });
      expect(await version()).toBe(before + 1);
      // A refused change rolls the bump back with it.
      expect(await deleteUser(root, root.id)).toMatchObject({ ok: false });
      expect(await version()).toBe(before + 1);
    });

    it("keeps one ACL per subject and object, replacing its role", async () => {
      const root = await seedUser("root", true);
      const fay = await seedUser("fay");
      const input = { subjectType: "user", subjectId: fay.id, objectKind: "vm", objectUuid: "vm-1", objectLabel: "db-1", role: "viewer" };
      const first = await addAcl(root, input);
      const second = await addAcl(root, { ...input, role: "admin", objectLabel: "" });
      expect(second).toMatchObject({ ok: true, replaced: true, acl: { role: "admin", objectLabel: "db-1" } });
      if (!first.ok || !second.ok) throw new Error("expected success");
      expect(second.acl.id).toBe(first.acl.id);
      expect((await auditOf("acl.update"))[0]).toMatchObject({ object: "db-1", params: { role: "admin", previousRole: "viewer" } });

      expect(await addAcl(root, { ...input, role: "owner", objectKind: "template", objectUuid: "x y" })).toMatchObject({
        ok: false,
        fieldErrors: { role: expect.any(Array), objectKind: expect.any(Array), objectUuid: ["Not a XAPI uuid"] },
      });
      expect(await addAcl(root, { ...input, subjectId: "no-such-user" })).toMatchObject({
        ok: false,
        fieldErrors: { subjectId: ["This user no longer exists"] },
      });

      expect((await listAcls(root, { userId: fay.id })).map((acl) => acl.role)).toEqual(["admin"]);
      expect(await removeAcl(root, second.acl.id)).toEqual({ ok: true });
      expect(await removeAcl(root, second.acl.id)).toMatchObject({ ok: false });
      expect(await listAcls(root)).toEqual([]);
    });

    it("lists the ACLs that reach an object, with why", async () => {
      const root = await seedUser("root", true);
      const gus = await seedUser("gus");
      await addAcl(root, { subjectType: "user", subjectId: gus.id, objectKind: "pool", objectUuid: "pool-1", role: "viewer" });
      await addAcl(root, { subjectType: "user", subjectId: gus.id, objectKind: "vm", objectUuid: "vm-1", role: "operator" });
      await addAcl(root, { subjectType: "user", subjectId: gus.id, objectKind: "vm", objectUuid: "vm-2", role: "admin" });
      const snapshot = { kind: "vm", uuid: "snap-1", poolUuid: "pool-1", snapshotOf: "vm-1" } as const;
      expect((await listAclsCovering(root, snapshot)).map((acl) => [acl.objectUuid, acl.role, acl.scope])).toEqual([
        ["vm-1", "operator", "the VM it is a snapshot of"],
        ["pool-1", "viewer", "its pool"],
      ]);
    });

    it("keeps ACL management to admins and shows users only their own access", async () => {
      const root = await seedUser("root", true);
      const hal = await seedUser("hal");
      const ivy = await seedUser("ivy");
      const actor = hal;
      const acl = { subject: `user:${hal.id}`, objectKind: "pool", objectUuid: "pool-1", role: "admin" } as const;
      expect(await runAction(admin.addAclAction, { actor, input: acl })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
      expect(await runAction(admin.removeAclAction, { actor, input: { aclId: "any" } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
      expect(await runAction(admin.createGroupAction, { actor, input: { name: "mine" } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
      expect(await runAction(admin.changeMembershipAction, { actor, input: { groupId: "g", userId: hal.id } })).toMatchObject({ ok: false });
      expect(await listAcls(hal)).toEqual([]);
      expect(await listAclsCovering(hal, { kind: "pool", uuid: "pool-1" })).toEqual([]);
      expect(await listGroups(hal)).toEqual([]);
      expect((await auditOf("acl.manage")).map((e) => e.outcome)).toEqual(["refused", "refused"]);
      expect(await testDb().db.acl.count()).toBe(0);

      expect((await loadUserAccess(root, hal.id))?.username).toBe("hal");
      expect((await loadUserAccess(hal, hal.id))?.username).toBe("hal");
      expect(await loadUserAccess(hal, ivy.id)).toBeNull();
    });
  });
});
