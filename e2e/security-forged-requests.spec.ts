/**
 * Forged requests: the operator and the viewer (both hold their role on pool "production" only) call server
 * actions and route handlers directly, without the UI, for objects and actions outside their rights. Every call
 * must be refused, be in the audit log as refused (read straight from the database), and change nothing: the
 * simulator's VMs keep their state, the database keeps its pools, ACLs and accounts.
 *
 * Server actions are called as the browser calls them (Next-Action header, React's encoding of the arguments),
 * with their ids read from the build under test, so the test follows the code wherever the actions move.
 */
import type { APIRequestContext } from "@playwright/test";
import { actionId, apiAs, auditEntriesOf, callServerAction, formData, lastAuditId, userId, withRunDb, type StoredAuditEntry } from "./support/access";
import { createUser, expect, test } from "./support/fixtures";
import type { RunInfo } from "./support/run-info";

type Restricted = "operator" | "viewer";

const NOT_ALLOWED = "You are not allowed to do this.";
const VM_NOT_FOUND = "This VM does not exist, or you do not have access to it.";

const ACTIONS = {
  vmOperation: ["app/(console)/vms/actions.ts", "vmOperationAction"],
  bulkVmOperation: ["app/(console)/vms/actions.ts", "bulkVmOperationAction"],
  vmManagement: ["app/(console)/vms/[uuid]/actions.ts", "vmManagementAction"],
  testConnection: ["app/(console)/pools/actions.ts", "testConnectionAction"],
  registerPool: ["app/(console)/pools/actions.ts", "registerPoolAction"],
  editPool: ["app/(console)/pools/actions.ts", "editPoolAction"],
  setPoolEnabled: ["app/(console)/pools/actions.ts", "setPoolEnabledAction"],
  removePool: ["app/(console)/pools/actions.ts", "removePoolAction"],
  addAcl: ["app/(console)/admin/acls/actions.ts", "addAclAction"],
  removeAcl: ["app/(console)/admin/acls/actions.ts", "removeAclAction"],
  searchAclObjects: ["app/(console)/admin/acls/actions.ts", "searchAclObjectsAction"],
  createUser: ["app/(console)/admin/users/actions.ts", "createUserAction"],
  updateUser: ["app/(console)/admin/users/actions.ts", "updateUserAction"],
  setUserDisabled: ["app/(console)/admin/users/actions.ts", "setUserDisabledAction"],
  resetPassword: ["app/(console)/admin/users/actions.ts", "resetPasswordAction"],
  deleteUser: ["app/(console)/admin/users/actions.ts", "deleteUserAction"],
  createGroup: ["app/(console)/admin/groups/actions.ts", "createGroupAction"],
  changeMembership: ["app/(console)/admin/groups/actions.ts", "changeMembershipAction"],
  verifyAuditChain: ["app/(console)/audit/actions.ts", "verifyAuditChainAction"],
} as const satisfies Record<string, readonly [string, string]>;

/** Calls a server action as `api`'s user; the page it is posted to does not matter to the action. */
async function forge(api: APIRequestContext, run: RunInfo, action: keyof typeof ACTIONS, ...args: unknown[]): Promise<string> {
  const [file, name] = ACTIONS[action];
  const { status, body } = await callServerAction(api, run, { id: actionId(run, file, name), page: "/", args });
  expect(status, `${name}: HTTP status`).toBe(200);
  return body;
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

      expect(await forge(api, run, "vmOperation", { operation: "start", vm: halted.uuid })).toContain(VM_NOT_FOUND);
      expect(await forge(api, run, "vmOperation", { operation: "hard_shutdown", vm: running.uuid })).toContain(VM_NOT_FOUND);
      expect(await forge(api, run, "bulkVmOperation", { operation: "clean_reboot", vms: [running.uuid] })).toContain(VM_NOT_FOUND);

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

      expect(await forge(api, run, "vmManagement", { operation: "delete", vm: own.uuid, confirmName: own.name })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmManagement", { operation: "delete", vm: foreign.uuid, confirmName: foreign.name })).toContain(VM_NOT_FOUND);
      expect(await forge(api, run, "vmManagement", { operation: "clone", vm: own.uuid, name: `cloned-by-${who}` })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmManagement", { operation: "edit", vm: own.uuid, name: `owned-by-${who}`, description: "" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "vmManagement", { operation: "migrate", vm: own.uuid, host: production.hosts[1]!.uuid })).toContain(NOT_ALLOWED);
      const snapshot = await forge(api, run, "vmManagement", { operation: "snapshot", vm: foreign.uuid, name: `snapshot-by-${who}` });
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

    test("pool registration and changes to registered pools are refused and leave the pools as they were", async ({ run }) => {
      const staging = run.pools.find((pool) => pool.name === "staging")!;
      const production = run.pools.find((pool) => pool.name === "production")!;
      const poolsBefore = withRunDb(run, (db) => db.prepare("SELECT id, label, url, enabled, readOnly FROM Pool ORDER BY id").all());
      const registration = { label: `stolen-${who}`, url: staging.masterUrl, username: run.sim.username, password: run.sim.password, readOnly: false };

      expect(await forge(api, run, "testConnection", { url: staging.masterUrl, username: run.sim.username, password: run.sim.password })).toContain(
        NOT_ALLOWED,
      );
      expect(await forge(api, run, "registerPool", registration)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "editPool", production.id, { ...registration, label: "hijacked" })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "setPoolEnabled", production.id, false)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "removePool", production.id)).toContain(NOT_ALLOWED);

      expectRowsUnchanged(
        poolsBefore,
        withRunDb(run, (db) => db.prepare("SELECT id, label, url, enabled, readOnly FROM Pool ORDER BY id").all()),
        "pool",
      );
      expect(withRunDb(run, (db) => db.prepare("SELECT COUNT(*) AS n FROM Pool WHERE label = ?").get(registration.label)!.n)).toBe(0);
      const refused = auditEntriesOf(run, who, since).filter((entry) => entry.action === "pools.register" && entry.outcome === "refused");
      expect(refused.map((entry) => JSON.parse(entry.params).operation).sort()).toEqual(["disable", "register", "remove", "test", "update"]);
    });

    test("ACL changes are refused: no role on another pool, no ACL removed, no object list", async ({ run, vm }) => {
      const self = userId(run, who);
      const lab = run.pools.find((pool) => pool.name === "lab")!;
      const aclsBefore = withRunDb(run, (db) => db.prepare("SELECT id, userId, groupId, objectKind, objectUuid, role FROM Acl ORDER BY id").all());
      const ownAcl = aclsBefore.find((acl) => acl.userId === self)!;

      const add = formData({ subject: `user:${self}`, objectKind: "pool", objectUuid: lab.uuid, role: "admin" });
      expect(await forge(api, run, "addAcl", null, add)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "removeAcl", null, formData({ aclId: String(ownAcl.id) }))).toContain(NOT_ALLOWED);
      const search = await forge(api, run, "searchAclObjects", { query: "", kind: "" });
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
      // The forged input is kept as evidence.
      expect(JSON.parse(entries.find((entry) => JSON.parse(entry.params).operation === "add")!.params).input).toMatchObject({
        objectUuid: lab.uuid,
        role: "admin",
      });
    });

    test("account and group management is refused: no new admin, no change to anyone, no chain verification", async ({ run }) => {
      const self = userId(run, who);
      const adminId = userId(run, "admin");
      const usersBefore = withRunDb(run, (db) => db.prepare("SELECT id, username, isAdmin, disabled, passwordHash, totpEnabledAt FROM User ORDER BY id").all());
      const groupsBefore = withRunDb(run, (db) => db.prepare("SELECT groupId, userId FROM GroupMember ORDER BY groupId, userId").all());
      const mallory = `mallory-${who}`;

      const create = formData({ username: mallory, password: "mallory-password", confirmPassword: "mallory-password", accountType: "admin" });
      expect(await forge(api, run, "createUser", null, create)).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "updateUser", null, formData({ userId: self, displayName: "", accountType: "admin" }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "setUserDisabled", null, formData({ userId: adminId, disabled: "true" }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "resetPassword", null, formData({ userId: adminId, password: "", confirmPassword: "" }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "deleteUser", { userId: adminId })).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "createGroup", null, formData({ name: `cabal-${who}` }))).toContain(NOT_ALLOWED);
      expect(await forge(api, run, "changeMembership", null, formData({ groupId: "00000000-0000-0000-0000-000000000000", userId: self }))).toContain(
        NOT_ALLOWED,
      );
      expect(await forge(api, run, "verifyAuditChain")).toContain(NOT_ALLOWED);

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
      expect(operations("users.manage")).toEqual(["add-member", "create", "create", "delete", "reset-password", "update", "update"]);
      expectRefused(entries, "audit.read.all");
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
    const body = await forge(anonymous, run, "addAcl", null, formData({ subject: "user:x", objectKind: "pool", objectUuid: "x", role: "admin" }));
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

// Controls: the same forged calls do reach the actions when the rights are there, so the refusals above are
// the authorization at work and not a malformed request.
test.describe("controls", () => {
  test("the operator's forged calls run on their own pool's VMs", async ({ run, sim }) => {
    const api = await apiAs(run, "operator");
    try {
      const target = run.vms.filter((vm) => vm.pool === "production" && vm.powerState === "Halted").at(-2)!;
      expect(await forge(api, run, "vmOperation", { operation: "start", vm: target.uuid })).toContain('"ok":true');
      await expect.poll(async () => (await sim.vm(target.uuid)).record.power_state).toBe("Running");
      expect(await forge(api, run, "vmOperation", { operation: "hard_shutdown", vm: target.uuid })).toContain('"ok":true');
      await expect.poll(async () => (await sim.vm(target.uuid)).record.power_state).toBe("Halted");
      // A management operation within an operator's rights: a snapshot.
      expect(await forge(api, run, "vmManagement", { operation: "snapshot", vm: target.uuid, name: "forged but allowed" })).toContain('"ok":true');
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
      expect(await forge(api, run, "searchAclObjects", { query: dev.uuid, kind: "pool" })).toContain(dev.uuid);
      expect(await forge(api, run, "addAcl", null, formData({ subject: `user:${id}`, objectKind: "pool", objectUuid: dev.uuid, role: "viewer" }))).toContain(
        '"ok":true',
      );
      expect(withRunDb(run, (db) => db.prepare("SELECT role FROM Acl WHERE userId = ? AND objectUuid = ?").get(id, dev.uuid))).toEqual({ role: "viewer" });
    } finally {
      await api.dispose();
    }
  });
});
