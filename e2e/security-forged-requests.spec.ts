/**
 * Forged requests: the operator and the viewer (both hold their role on pool "production" only) call server
 * actions and route handlers directly, without the UI, for objects and actions outside their rights. Every call
 * must be refused, be in the audit log as refused (read straight from the database), and change nothing: the
 * simulator's VMs keep their state, the database keeps its pools, ACLs and accounts.
 *
 * Server actions are called as the browser calls them (Next-Action header, React's encoding of the arguments),
 * with their ids read from the build under test. The list of actions is the build's own: every one is attacked
 * without a session, and a new action without a refusal test of its own in REFUSAL_TESTS fails the suite.
 */
import type { APIRequestContext } from "@playwright/test";
import {
  actionId,
  apiAs,
  auditEntriesOf,
  callServerAction,
  formData,
  lastAuditId,
  serverActions,
  userId,
  withRunDb,
  type StoredAuditEntry,
} from "./support/access";
import { createUser, expect, test } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";
import type { SimControl } from "./support/sim-control";

type Restricted = "operator" | "viewer";

const NOT_ALLOWED = "You are not allowed to do this.";
const VM_NOT_FOUND = "This VM does not exist, or you do not have access to it.";
const ALERT_NOT_FOUND = "This alert does not exist (it may have been dismissed already), or you do not have access to it.";
const TASK_NOT_FOUND = "This task does not exist (it may have finished a while ago), or you do not have access to it.";
const HOST_NOT_FOUND = "This host does not exist, or you do not have access to it.";

/**
 * Every server action, with the test below that attacks it as a signed-in user without the rights. The list is
 * checked against the build: a new action must be attacked here before the suite passes.
 */
const REFUSAL_TESTS = {
  vmOperationAction: "lifecycle operations on VMs of another pool",
  bulkVmOperationAction: "lifecycle operations on VMs of another pool",
  vmManagementAction: "deleting, cloning, renaming or migrating VMs",
  createVmAction: "creating VMs and editing their hardware",
  vmHardwareAction: "creating VMs and editing their hardware",
  testConnectionAction: "pool registration and changes to registered pools",
  registerPoolAction: "pool registration and changes to registered pools",
  editPoolAction: "pool registration and changes to registered pools",
  setPoolEnabledAction: "pool registration and changes to registered pools",
  removePoolAction: "pool registration and changes to registered pools",
  checkCertificateAction: "pool registration and changes to registered pools",
  pinCertificateAction: "pool registration and changes to registered pools",
  addAclAction: "ACL changes are refused",
  removeAclAction: "ACL changes are refused",
  searchAclObjectsAction: "ACL changes are refused",
  createUserAction: "account and group management is refused",
  updateUserAction: "account and group management is refused",
  setUserDisabledAction: "account and group management is refused",
  resetPasswordAction: "account and group management is refused",
  deleteUserAction: "account and group management is refused",
  createGroupAction: "account and group management is refused",
  updateGroupAction: "account and group management is refused",
  deleteGroupAction: "account and group management is refused",
  changeMembershipAction: "account and group management is refused",
  verifyAuditChainAction: "account and group management is refused",
  changePasswordAction: "a password change needs the current password",
  startTwoFactorEnrolmentAction: "own-account actions reach no other account",
  confirmTwoFactorEnrolmentAction: "own-account actions reach no other account",
  regenerateRecoveryCodesAction: "own-account actions reach no other account",
  disableTwoFactorAction: "own-account actions reach no other account",
  endSessionAction: "own-account actions reach no other account",
  endUserSessionsAction: "other users' sessions and second factor, and the security policy, are refused",
  resetTwoFactorAction: "other users' sessions and second factor, and the security policy, are refused",
  setTwoFactorPolicyAction: "other users' sessions and second factor, and the security policy, are refused",
  dismissAlertAction: "dismissing alerts is refused",
  dismissAlertsAction: "dismissing alerts is refused",
  markAlertsSeenAction: "dismissing alerts is refused",
  cancelTaskAction: "cancelling a task of their own pool is refused",
  hostMaintenanceAction: "host maintenance, power, rescans and migration checks are refused",
  hostPowerAction: "host maintenance, power, rescans and migration checks are refused",
  hostEvacuationCheckAction: "host maintenance, power, rescans and migration checks are refused",
  scanSrAction: "host maintenance, power, rescans and migration checks are refused",
  vmPlacementAction: "host maintenance, power, rescans and migration checks are refused",
} as const satisfies Record<string, string>;

type ActionName = keyof typeof REFUSAL_TESTS;

/** Calls a server action as `api`'s user; the page it is posted to does not matter to the action. */
async function forge(api: APIRequestContext, run: RunInfo, name: ActionName, input?: unknown): Promise<string> {
  const { status, body } = await callServerAction(api, run, { id: actionId(run, name), page: "/", args: input === undefined ? [] : [input] });
  expect(status, `${name}: HTTP status`).toBe(200);
  return body;
}

/** The uuid of an SR of `pool` by name (names repeat across pools), found through its first host's PBDs. */
async function srNamed(run: RunInfo, sim: SimControl, pool: string, name: string): Promise<string> {
  const host = await sim.object<{ PBDs: string[] }>("host", run.pools.find((candidate) => candidate.name === pool)!.hosts[0]!.uuid);
  for (const pbd of host.record.PBDs) {
    const sr = await sim.object<{ uuid: string; name_label: string }>("SR", (await sim.object<{ SR: string }>("PBD", pbd)).record.SR);
    if (sr.record.name_label === name) return sr.record.uuid;
  }
  throw new Error(`no SR ${name} in ${pool}`);
}

/** A seeded VM of `pool` in `state`, taken from the end of the list (other specs use the first ones). */
function seededVm(run: RunInfo, pool: string, state: "Running" | "Halted") {
  const found = run.vms.filter((vm) => vm.pool === pool && vm.powerState === state).at(-1);
  if (!found) throw new Error(`no ${state} VM in ${pool}`);
  return found;
}

/**
 * Every row of `before` is still there, unchanged (rows are matched by `id`). Other specs running meanwhile may
 * add rows of their own, so what must not have been added is checked by each test.
 */
function expectRowsUnchanged(before: Record<string, unknown>[], after: Record<string, unknown>[], what: string): void {
  const now = new Map(after.map((row) => [row.id, row]));
  for (const row of before) expect(now.get(row.id), `${what} ${String(row.id)}`).toEqual(row);
}

/** Expects a refused audit entry by `username` for `action` (on `objectUuid`) among `entries`. */
function expectRefused(entries: StoredAuditEntry[], action: string, objectUuid?: string): void {
  const match = entries.find(
    (entry) => entry.action === action && entry.outcome === "refused" && (objectUuid === undefined || entry.objectUuid === objectUuid),
  );
  expect(
    match,
    `a refused ${action}${objectUuid ? ` on ${objectUuid}` : ""} in ${JSON.stringify(entries.map((e) => [e.action, e.outcome, e.objectUuid]))}`,
  ).toBeTruthy();
}

for (const who of ["operator", "viewer"] as const satisfies readonly Restricted[]) {
  test.describe(`forged requests as the ${who}`, () => {
    let api: APIRequestContext;
    let since: number;

    test.beforeEach(async ({ run }) => {
      api = await apiAs(run, who);
      since = lastAuditId(run);
    });
    test.afterEach(async () => api.dispose());

    test("lifecycle operations on VMs of another pool are refused as if the VMs did not exist, and nothing moves", async ({ run, sim }) => {
      const halted = seededVm(run, "dev", "Halted");
      const running = seededVm(run, "dev", "Running");

      expect(await forge(api, run, "vmOperationAction", { operation: "start", vm: halted.uuid })).toContain(VM_NOT_FOUND);
      expect(await forge(api, run, "vmOperationAction", { operation: "hard_shutdown", vm: running.uuid })).toContain(VM_NOT_FOUND);
      expect(await forge(api, run, "bulkVmOperationAction", { operation: "clean_reboot", vms: [running.uuid] })).toContain(VM_NOT_FOUND);

      expect((await sim.vm(halted.uuid)).record.power_state).toBe("Halted");
      expect((await sim.vm(running.uuid)).record.power_state).toBe("Running");
      const entries = auditEntriesOf(run, who, since);
      expectRefused(entries, "vm.start", halted.uuid);
      expectRefused(entries, "vm.shutdown.hard", running.uuid);
      expectRefused(entries, "vm.reboot.clean", running.uuid);
    });

    test("deleting, cloning, renaming or migrating VMs is refused, their own pool's as much as others', and the VMs stay", async ({ run, sim }) => {
      // Production: the pool they hold a role on (the VM is visible: refused as not allowed); dev: not theirs
      // (refused as if the VM did not exist). Halted VMs, which XAPI would let an admin delete.
      const own = run.vms.filter((vm) => vm.pool === "production" && vm.powerState === "Halted").at(-2)!;
      const foreign = seededVm(run, "dev", "Halted");
      const production = run.pools.find((pool) => pool.name === "production")!;
      const before = await Promise.all([own, foreign].map(async (vm) => (await sim.vm(vm.uuid)).record));

      expect(await forge(api, run, "vmManagementAction", { operation: "delete", vm: own.uuid, confirmName: own.name })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmManagementAction", { operation: "delete", vm: foreign.uuid, confirmName: foreign.name })).toContain(VM_NOT_FOUND);
      expect(await forge(api, run, "vmManagementAction", { operation: "clone", vm: own.uuid, name: `cloned-by-${who}` })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmManagementAction", { operation: "edit", vm: own.uuid, name: `owned-by-${who}`, description: "" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmManagementAction", { operation: "migrate", vm: own.uuid, host: production.hosts[1]!.uuid })).toContain(NOT_ALLOWED);
      const snapshot = await forge(api, run, "vmManagementAction", { operation: "snapshot", vm: foreign.uuid, name: `snapshot-by-${who}` });
      expect(snapshot).toContain(VM_NOT_FOUND);

      const after = await Promise.all([own, foreign].map(async (vm) => (await sim.vm(vm.uuid)).record));
      for (const [index, record] of after.entries()) {
        expect(record).toMatchObject({
          name_label: before[index]!.name_label,
          power_state: "Halted",
          VBDs: before[index]!.VBDs,
          snapshots: before[index]!.snapshots,
        });
      }
      const entries = auditEntriesOf(run, who, since);
      expectRefused(entries, "vm.delete", own.uuid);
      expectRefused(entries, "vm.delete", foreign.uuid);
      expectRefused(entries, "vm.clone", own.uuid);
      expectRefused(entries, "vm.edit", own.uuid);
      expectRefused(entries, "vm.migrate", own.uuid);
      expectRefused(entries, "vm.snapshot", foreign.uuid);
    });

    test("creating VMs and editing their hardware are refused, in their own pool as in others, and nothing is made or changed", async ({ run, sim }) => {
      const production = run.pools.find((pool) => pool.name === "production")!;
      const ownTemplate = run.templates.find((template) => template.pool === "production" && template.name === "Debian Bookworm 12")!;
      const foreignTemplate = run.templates.find((template) => template.pool === "dev" && template.name === "Debian Bookworm 12")!;
      const own = run.vms.filter((vm) => vm.pool === "production" && vm.powerState === "Halted").at(-3)!;
      const foreign = seededVm(run, "dev", "Halted");
      const before = await Promise.all([own, foreign].map(async (vm) => (await sim.vm(vm.uuid)).record));
      const name = `forged-by-${who}`;

      const creation = { template: ownTemplate.uuid, name, vcpus: 1, memory: "1 GiB", start: true };
      expect(await forge(api, run, "createVmAction", creation)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "createVmAction", { ...creation, template: foreignTemplate.uuid })).toContain(
        "This template does not exist, or you do not have access to it.",
      );
      const resources = { operation: "resources", vm: own.uuid, vcpus: 16, vcpusMax: 16, memory: "64 GiB", dynamicMin: "64 GiB", dynamicMax: "64 GiB" };
      expect(await forge(api, run, "vmHardwareAction", resources)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmHardwareAction", { operation: "vif.create", vm: own.uuid, network: "00000000-0000-0000-0000-000000000000" })).toContain(
        NOT_ALLOWED,
      );
      expect(await forge(api, run, "vmHardwareAction", { operation: "tags.add", vm: foreign.uuid, tag: name })).toContain(VM_NOT_FOUND);
      // Tags are an operator's: the viewer is refused on their own pool's VM too.
      if (who === "viewer") expect(await forge(api, run, "vmHardwareAction", { operation: "tags.add", vm: own.uuid, tag: name })).toContain(NOT_ALLOWED);

      const after = await Promise.all([own, foreign].map(async (vm) => (await sim.vm(vm.uuid)).record));
      for (const [index, record] of after.entries()) {
        expect(record).toMatchObject({
          VCPUs_max: before[index]!.VCPUs_max,
          memory_static_max: before[index]!.memory_static_max,
          VBDs: before[index]!.VBDs,
          VIFs: before[index]!.VIFs,
          tags: before[index]!.tags,
        });
      }
      await expect(sim.vm(name)).rejects.toThrow(/no VM/);
      const entries = auditEntriesOf(run, who, since);
      expectRefused(entries, "pool.vm.create", production.uuid);
      expectRefused(entries, "pool.vm.create", foreignTemplate.uuid);
      expectRefused(entries, "vm.edit.hardware", own.uuid);
      expectRefused(entries, "vm.edit.tags", foreign.uuid);
    });

    test("pool registration and changes to registered pools are refused and leave the pools as they were", async ({ run }) => {
      const staging = run.pools.find((pool) => pool.name === "staging")!;
      const production = run.pools.find((pool) => pool.name === "production")!;
      const poolsBefore = withRunDb(run, (db) => db.prepare("SELECT id, label, url, enabled, readOnly FROM Pool ORDER BY id").all());
      const registration = { label: `stolen-${who}`, url: staging.masterUrl, username: run.sim.username, password: run.sim.password, readOnly: false };

      const test = { url: staging.masterUrl, username: run.sim.username, password: run.sim.password };
      expect(await forge(api, run, "testConnectionAction", test)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "registerPoolAction", registration)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "editPoolAction", { poolId: production.id, ...registration, label: "hijacked" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "setPoolEnabledAction", { poolId: production.id, enabled: false })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "removePoolAction", { poolId: production.id })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "checkCertificateAction", { poolId: production.id })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "pinCertificateAction", { poolId: production.id, fingerprint: "AB".repeat(32) })).toContain(NOT_ALLOWED);

      expectRowsUnchanged(
        poolsBefore,
        withRunDb(run, (db) => db.prepare("SELECT id, label, url, enabled, readOnly FROM Pool ORDER BY id").all()),
        "pool",
      );
      expect(withRunDb(run, (db) => db.prepare("SELECT COUNT(*) AS n FROM Pool WHERE label = ?").get(registration.label)!.n)).toBe(0);
      const refused = auditEntriesOf(run, who, since).filter((entry) => entry.action === "pools.register" && entry.outcome === "refused");
      expect(refused.map((entry) => JSON.parse(entry.params).operation).sort()).toEqual([
        "check-certificate",
        "disable",
        "pin-certificate",
        "register",
        "remove",
        "test",
        "update",
      ]);
    });

    test("ACL changes are refused: no role on another pool, no ACL removed, no object list", async ({ run, vm }) => {
      const self = userId(run, who);
      const lab = run.pools.find((pool) => pool.name === "lab")!;
      const aclsBefore = withRunDb(run, (db) => db.prepare("SELECT id, userId, groupId, objectKind, objectUuid, role FROM Acl ORDER BY id").all());
      const ownAcl = aclsBefore.find((acl) => acl.userId === self)!;

      const add = formData({ subject: `user:${self}`, objectKind: "pool", objectUuid: lab.uuid, role: "admin" });
      expect(await forge(api, run, "addAclAction", add)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "removeAclAction", formData({ aclId: String(ownAcl.id) }))).toContain(NOT_ALLOWED);
      const search = await forge(api, run, "searchAclObjectsAction", { query: "", kind: "" });
      expect(search).toContain(NOT_ALLOWED);
      expect(search).not.toContain(vm("lab", "web-01").uuid);
      expect(search).not.toContain(lab.uuid);

      expectRowsUnchanged(
        aclsBefore,
        withRunDb(run, (db) => db.prepare("SELECT id, userId, groupId, objectKind, objectUuid, role FROM Acl ORDER BY id").all()),
        "ACL",
      );
      expect(withRunDb(run, (db) => db.prepare("SELECT COUNT(*) AS n FROM Acl WHERE userId = ? AND objectUuid = ?").get(self, lab.uuid)!.n)).toBe(0);
      const entries = auditEntriesOf(run, who, since).filter((entry) => entry.action === "acl.manage" && entry.outcome === "refused");
      expect(entries.map((entry) => JSON.parse(entry.params).operation).sort()).toEqual(["add", "remove", "search-objects"]);
      // What was asked for is kept as evidence.
      const attempt = entries.find((entry) => JSON.parse(entry.params).operation === "add")!;
      expect(attempt.objectUuid).toBe(lab.uuid);
      expect(JSON.parse(attempt.params)).toMatchObject({ subjectId: self, role: "admin" });
    });

    test("account and group management is refused: no new admin, no change to anyone, no chain verification", async ({ run }) => {
      const self = userId(run, who);
      const adminId = userId(run, "admin");
      const usersBefore = withRunDb(run, (db) => db.prepare("SELECT id, username, isAdmin, disabled, passwordHash, totpEnabledAt FROM User ORDER BY id").all());
      const groupsBefore = withRunDb(run, (db) => db.prepare("SELECT groupId, userId FROM GroupMember ORDER BY groupId, userId").all());
      const mallory = `mallory-${who}`;

      const create = formData({ username: mallory, password: "mallory-password", confirmPassword: "mallory-password", accountType: "admin" });
      const someGroup = "00000000-0000-0000-0000-000000000000";
      expect(await forge(api, run, "createUserAction", create)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "updateUserAction", formData({ userId: self, displayName: "", accountType: "admin" }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "setUserDisabledAction", formData({ userId: adminId, disabled: "true" }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "resetPasswordAction", formData({ userId: adminId, password: "", confirmPassword: "" }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "deleteUserAction", { userId: adminId })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "createGroupAction", formData({ name: `cabal-${who}` }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "updateGroupAction", formData({ groupId: someGroup, name: `cabal-${who}` }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "deleteGroupAction", { groupId: someGroup })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "changeMembershipAction", formData({ groupId: someGroup, userId: self }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "verifyAuditChainAction", {})).toContain(NOT_ALLOWED);

      expectRowsUnchanged(
        usersBefore,
        withRunDb(run, (db) => db.prepare("SELECT id, username, isAdmin, disabled, passwordHash, totpEnabledAt FROM User ORDER BY id").all()),
        "user",
      );
      expect(withRunDb(run, (db) => db.prepare("SELECT COUNT(*) AS n FROM User WHERE username = ?").get(mallory)!.n)).toBe(0);
      const memberships = withRunDb(run, (db) => db.prepare("SELECT groupId, userId FROM GroupMember ORDER BY groupId, userId").all());
      expect(memberships.filter((row) => row.userId === self)).toEqual(groupsBefore.filter((row) => row.userId === self));
      expect(withRunDb(run, (db) => db.prepare('SELECT COUNT(*) AS n FROM "Group" WHERE name = ?').get(`cabal-${who}`)!.n)).toBe(0);

      const entries = auditEntriesOf(run, who, since);
      const operations = (action: string) =>
        entries
          .filter((entry) => entry.action === action && entry.outcome === "refused")
          .map((entry) => JSON.parse(entry.params).operation)
          .sort();
      expect(operations("users.manage")).toEqual(["add-member", "create", "create", "delete", "delete", "reset-password", "update", "update", "update"]);
      expectRefused(entries, "audit.read.all");
    });

    test("dismissing alerts is refused: their pool's (admins only) and others' (as if absent), and the alerts stay", async ({ run, sim }) => {
      const own = seededVm(run, "production", "Running");
      const foreign = seededVm(run, "dev", "Running");
      const ownAlert = await sim.object<{ uuid: string }>(
        "message",
        await sim.alert("production", { name: "VM_CRASHED", priority: 4, cls: "VM", obj_uuid: own.uuid }),
      );
      const foreignAlert = await sim.object<{ uuid: string }>(
        "message",
        await sim.alert("dev", { name: "VM_CRASHED", priority: 4, cls: "VM", obj_uuid: foreign.uuid }),
      );

      expect(await forge(api, run, "dismissAlertAction", { alert: ownAlert.record.uuid })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "dismissAlertAction", { alert: foreignAlert.record.uuid })).toContain(ALERT_NOT_FOUND);
      const bulk = await forge(api, run, "dismissAlertsAction", { alerts: [ownAlert.record.uuid, foreignAlert.record.uuid] });
      expect(bulk).toContain(NOT_ALLOWED);
      expect(bulk).toContain('"dismissed":0');

      // Both are still on their pools.
      expect((await sim.object("message", ownAlert.ref)).record).toMatchObject({ uuid: ownAlert.record.uuid });
      expect((await sim.object("message", foreignAlert.ref)).record).toMatchObject({ uuid: foreignAlert.record.uuid });
      const refused = auditEntriesOf(run, who, since).filter((entry) => entry.action === "alert.dismiss" && entry.outcome === "refused");
      expect(refused.map((entry) => entry.objectUuid).sort()).toEqual(
        [ownAlert.record.uuid, ownAlert.record.uuid, foreignAlert.record.uuid, foreignAlert.record.uuid].sort(),
      );

      // Marking alerts seen moves one's own marker only, whatever the request names.
      const adminSeen = () => withRunDb(run, (db) => db.prepare("SELECT alertsSeenAt FROM User WHERE username = 'admin'").get()!.alertsSeenAt);
      const before = adminSeen();
      expect(await forge(api, run, "markAlertsSeenAction", { upTo: new Date().toISOString(), userId: userId(run, "admin") })).toContain('"ok":true');
      expect(adminSeen()).toBe(before);
      expect(withRunDb(run, (db) => db.prepare("SELECT alertsSeenAt FROM User WHERE username = ?").get(who)!.alertsSeenAt)).not.toBeNull();
    });

    test("cancelling a task of their own pool is refused (admins and its starter only), and it runs on", async ({ run, sim }) => {
      // An SR no VM uses: a long rescan there holds up nobody's disk operations.
      const sr = await srNamed(run, sim, "production", "iSCSI SAN (lun-01)");
      const admin = await apiAs(run, "admin");
      // A rescan long enough to be cancelled (only these tests rescan).
      await sim.duration("sr_scan", 60_000);
      const scanning = forge(admin, run, "scanSrAction", { sr });
      try {
        let taskRef = "";
        await expect
          .poll(async () => {
            taskRef = Object.keys((await sim.object<{ current_operations: Record<string, string> }>("SR", sr)).record.current_operations)[0] ?? "";
            return taskRef;
          })
          .not.toBe("");
        const task = await sim.object<{ uuid: string; status: string }>("task", taskRef);
        expect(await forge(api, run, "cancelTaskAction", { task: task.record.uuid })).toContain(NOT_ALLOWED);
        expect(await forge(api, run, "cancelTaskAction", { task: "00000000-0000-0000-0000-000000000000" })).toContain(TASK_NOT_FOUND);
        expect((await sim.object<{ status: string }>("task", taskRef)).record.status).toBe("pending");
        expectRefused(auditEntriesOf(run, who, since), "task.cancel", task.record.uuid);
        // Control: the admin may cancel it.
        expect(await forge(admin, run, "cancelTaskAction", { task: task.record.uuid })).toContain('"ok":true');
        expect(await scanning).toContain("The operation was cancelled");
      } finally {
        await sim.duration("sr_scan", 120);
        await scanning.catch(() => "");
        await admin.dispose();
      }
    });

    test("host maintenance, power, rescans and migration checks are refused, on their pool and elsewhere, and nothing changes", async ({ run, sim }) => {
      const production = run.pools.find((pool) => pool.name === "production")!;
      const dev = run.pools.find((pool) => pool.name === "dev")!;
      const own = production.hosts[2]!;
      const foreign = dev.hosts[2]!;
      const ownSr = await srNamed(run, sim, "production", "NFS storage (nas-01)");
      const vmOfTheirs = seededVm(run, "production", "Running");

      expect(await forge(api, run, "hostMaintenanceAction", { host: own.uuid, operation: "enter" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "hostMaintenanceAction", { host: own.uuid, operation: "disable" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "hostMaintenanceAction", { host: foreign.uuid, operation: "disable" })).toContain(HOST_NOT_FOUND);
      expect(await forge(api, run, "hostPowerAction", { host: own.uuid, operation: "reboot" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "hostPowerAction", { host: foreign.uuid, operation: "shutdown" })).toContain(HOST_NOT_FOUND);
      const check = await forge(api, run, "hostEvacuationCheckAction", { host: own.uuid });
      expect(check).toContain(NOT_ALLOWED);
      expect(check).not.toContain("blocking");
      expect(await forge(api, run, "scanSrAction", { sr: ownSr })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmPlacementAction", { vm: vmOfTheirs.uuid })).toContain(NOT_ALLOWED);

      for (const host of [own, foreign]) expect(await sim.host(host.uuid)).toMatchObject({ record: { enabled: true }, live: true });
      expect((await sim.object<{ current_operations: Record<string, string> }>("SR", ownSr)).record.current_operations).toEqual({});
      const entries = auditEntriesOf(run, who, since);
      expectRefused(entries, "host.maintenance", own.uuid);
      expectRefused(entries, "host.maintenance", foreign.uuid);
      expectRefused(entries, "host.power", own.uuid);
      expectRefused(entries, "host.power", foreign.uuid);
      expectRefused(entries, "sr.scan", ownSr);
      expectRefused(entries, "vm.migrate", vmOfTheirs.uuid);
    });

    test("route handlers answer only with what the user may see", async () => {
      // The audit export is scoped to the user's own entries, whatever the filter asks for.
      const mine = (await (await api.get("/api/audit/export?format=json")).json()) as { actorUsername: string }[];
      expect(mine.length).toBeGreaterThan(0);
      expect(new Set(mine.map((entry) => entry.actorUsername))).toEqual(new Set([who]));
      expect(await (await api.get("/api/audit/export?format=json&user=admin")).json()).toEqual([]);
      const csv = await (await api.get("/api/audit/export?format=csv&user=admin")).text();
      expect(csv.trim().split("\r\n")).toHaveLength(1); // the header only

      // The pool status list holds the user's pool only.
      const pools = (await (await api.get("/api/pools")).json()) as { label: string }[];
      expect(pools.map((pool) => pool.label)).toEqual(["production"]);
    });
  });
}

test("requests without a valid session are refused and audited too", async ({ run, playwright }) => {
  const since = lastAuditId(run);
  // A cookie that decodes to nothing: past the optimistic check in proxy.ts, refused next to the data.
  const anonymous = await playwright.request.newContext({
    baseURL: run.baseUrl,
    extraHTTPHeaders: { Cookie: "next-auth.session-token=forged" },
  });
  try {
    const body = await forge(anonymous, run, "addAclAction", formData({ subject: "user:x", objectKind: "pool", objectUuid: "x", role: "admin" }));
    expect(body).toContain("Your session has ended. Please sign in again.");
    expect((await anonymous.get("/api/audit/export?format=json")).status()).toBe(401);
    const entries = withRunDb(run, (db) =>
      db.prepare("SELECT action, outcome, errorCode FROM AuditEntry WHERE id > ? AND actorUsername IS NULL AND errorCode = 'NOT_SIGNED_IN'").all(since),
    );
    expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(["acl.manage", "audit.read.own"]));
  } finally {
    await anonymous.dispose();
  }
});

test("every server action of the build has a refusal test, and refuses and audits a call without a session", async ({ run, playwright }) => {
  const actions = serverActions(run);
  const untested = actions.map((action) => `${action.filename} ${action.name}`).filter((key) => !(key.split(" ")[1]! in REFUSAL_TESTS));
  expect(untested, "server actions without a refusal test in REFUSAL_TESTS").toEqual([]);
  expect(actions.length).toBeGreaterThanOrEqual(Object.keys(REFUSAL_TESTS).length);

  const since = lastAuditId(run);
  // A session cookie that decodes to nothing (past the optimistic check in proxy.ts, which turns requests without
  // any session cookie away before they reach an action); none of the fixtures' signed-in cookies.
  const anonymous = await playwright.request.newContext({
    baseURL: run.baseUrl,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { Cookie: "next-auth.session-token=forged" },
  });
  try {
    for (const action of actions) {
      const { status, body } = await callServerAction(anonymous, run, { id: action.id, page: "/", args: [{}] });
      expect(status, action.name).toBe(200);
      expect(body, action.name).toContain("Your session has ended. Please sign in again.");
    }
  } finally {
    await anonymous.dispose();
  }
  const refusals = withRunDb(run, (db) =>
    db
      .prepare("SELECT COUNT(*) AS n FROM AuditEntry WHERE id > ? AND actorUsername IS NULL AND outcome = 'refused' AND errorCode = 'NOT_SIGNED_IN'")
      .get(since),
  )!.n as number;
  expect(refusals).toBeGreaterThanOrEqual(actions.length);
});

test("a password change needs the current password: a forged one is refused and audited, and the password stays", async ({ run }) => {
  const api = await apiAs(run, "viewer");
  const since = lastAuditId(run);
  const self = userId(run, "viewer");
  try {
    const hashBefore = withRunDb(run, (db) => db.prepare("SELECT passwordHash FROM User WHERE id = ?").get(self)!.passwordHash);
    const forged = formData({ currentPassword: "a guess", newPassword: "taken-over-password", confirmPassword: "taken-over-password" });
    expect(await forge(api, run, "changePasswordAction", forged)).toContain("The current password is wrong.");
    expect(withRunDb(run, (db) => db.prepare("SELECT passwordHash FROM User WHERE id = ?").get(self)!.passwordHash)).toBe(hashBefore);
    expectRefused(auditEntriesOf(run, "viewer", since), "user.change_password");
  } finally {
    await api.dispose();
  }
});

test("other users' sessions and second factor, and the security policy, are refused: nothing changes", async ({ run }) => {
  const api = await apiAs(run, "viewer");
  const since = lastAuditId(run);
  const adminId = userId(run, "admin");
  const activeSessions = () => withRunDb(run, (db) => db.prepare("SELECT id FROM Session WHERE userId = ? AND revokedAt IS NULL ORDER BY id").all(adminId));
  try {
    const before = activeSessions();
    expect(before.length).toBeGreaterThan(0);
    expect(await forge(api, run, "endUserSessionsAction", { userId: adminId })).toContain(NOT_ALLOWED);
    expect(await forge(api, run, "resetTwoFactorAction", { userId: adminId })).toContain(NOT_ALLOWED);
    expect(await forge(api, run, "setTwoFactorPolicyAction", { policy: "everyone" })).toContain(NOT_ALLOWED);

    expect(activeSessions()).toEqual(before);
    expect(withRunDb(run, (db) => db.prepare("SELECT COUNT(*) AS n FROM Setting").get()!.n)).toBe(0);
    const refused = auditEntriesOf(run, "viewer", since).filter((entry) => entry.action === "users.manage" && entry.outcome === "refused");
    expect(refused.map((entry) => JSON.parse(entry.params).operation ?? JSON.parse(entry.params).policy).sort()).toEqual([
      "end-sessions",
      "everyone",
      "reset-two-factor",
    ]);
  } finally {
    await api.dispose();
  }
});

test("own-account actions reach no other account: another user's session stays, codes are checked", async ({ run }) => {
  const api = await apiAs(run, "viewer");
  const since = lastAuditId(run);
  const adminId = userId(run, "admin");
  const adminSession = withRunDb(run, (db) => db.prepare("SELECT id FROM Session WHERE userId = ? AND revokedAt IS NULL LIMIT 1").get(adminId))!.id;
  const secrets = () =>
    withRunDb(run, (db) => db.prepare("SELECT id, totpSecretEncrypted, totpEnabledAt FROM User WHERE id IN (?, ?)").all(adminId, userId(run, "viewer")));
  try {
    expect(await forge(api, run, "endSessionAction", { sessionId: adminSession })).toContain("This session has already ended.");
    expect(withRunDb(run, (db) => db.prepare("SELECT revokedAt FROM Session WHERE id = ?").get(adminSession))).toEqual({ revokedAt: null });
    expect(await forge(api, run, "confirmTwoFactorEnrolmentAction", { code: "000000" })).toContain("no enrolment is under way");
    expect(await forge(api, run, "regenerateRecoveryCodesAction", { code: "000000" })).toContain("Two-factor login is off.");
    expect(await forge(api, run, "disableTwoFactorAction", { code: "000000" })).toContain("Two-factor login is already off.");
    // Starting an enrolment is the viewer's own business: it touches their row only, and turns nothing on.
    const before = secrets();
    expect(await forge(api, run, "startTwoFactorEnrolmentAction", {})).toContain('"ok":true');
    const after = secrets();
    expect(after.find((row) => row.id === adminId)).toEqual(before.find((row) => row.id === adminId));
    expect(after.every((row) => row.totpEnabledAt === null)).toBe(true);
    expectRefused(auditEntriesOf(run, "viewer", since), "session.end");
  } finally {
    await api.dispose();
  }
});

// Controls: the same forged calls do reach the actions when the rights are there, so the refusals above are
// the authorization at work and not a malformed request.
test.describe("controls", () => {
  test("the operator's forged calls run on their own pool's VMs", async ({ run, sim }) => {
    const api = await apiAs(run, "operator");
    try {
      const target = run.vms.filter((vm) => vm.pool === "production" && vm.powerState === "Halted").at(-2)!;
      expect(await forge(api, run, "vmOperationAction", { operation: "start", vm: target.uuid })).toContain('"ok":true');
      await expect.poll(async () => (await sim.vm(target.uuid)).record.power_state).toBe("Running");
      expect(await forge(api, run, "vmOperationAction", { operation: "hard_shutdown", vm: target.uuid })).toContain('"ok":true');
      await expect.poll(async () => (await sim.vm(target.uuid)).record.power_state).toBe("Halted");
      // A management operation within an operator's rights: a snapshot.
      expect(await forge(api, run, "vmManagementAction", { operation: "snapshot", vm: target.uuid, name: "forged but allowed" })).toContain('"ok":true');
      expect((await sim.vm(target.uuid)).record.snapshots).toHaveLength(1);
    } finally {
      await api.dispose();
    }
  });

  test("the admin's forged form and JSON calls run", async ({ run }, info) => {
    const api = await apiAs(run, "admin");
    const { id } = await createUser({ username: `control-${info.workerIndex}-${Date.now()}`, password: "control-password-1" });
    const dev = run.pools.find((pool) => pool.name === "dev")!;
    try {
      expect(await forge(api, run, "searchAclObjectsAction", { query: dev.uuid, kind: "pool" })).toContain(dev.uuid);
      expect(await forge(api, run, "addAclAction", formData({ subject: `user:${id}`, objectKind: "pool", objectUuid: dev.uuid, role: "viewer" }))).toContain(
        '"ok":true',
      );
      expect(withRunDb(run, (db) => db.prepare("SELECT role FROM Acl WHERE userId = ? AND objectUuid = ?").get(id, dev.uuid))).toEqual({ role: "viewer" });
    } finally {
      await api.dispose();
    }
  });
});
