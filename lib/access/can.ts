/**
 * The one authorization function of XenDeck: `can(user, action, target?)`. Pure and synchronous; every page,
 * route handler, event stream and server action asks it, and nothing else decides access.
 *
 * Rules (issue 5):
 * - Global admins can do everything. Other users get roles from ACLs: subject (the user, or a group they are
 *   in) × object (a pool, host, VM, SR or network, by XAPI uuid) × role, viewer < operator < admin.
 * - Scope: an ACL on a pool covers every object in the pool; on a VM, the VM, its snapshots, its disks
 *   (VBD/VDI) and interfaces (VIF); on a host, the host only; on an SR, its disks (VDI); on a network, its
 *   interfaces (VIF/PIF). Access follows what the ACL names, so a VM that migrates keeps its access.
 * - The strongest role among the ACLs that apply wins.
 *
 * - Tasks and alerts (XAPI messages) are seen through what they are about: a task through the objects it runs on
 *   (their `current_operations`), an alert through its object; both through their pool. A task is also its
 *   starter's, whatever their ACLs: XenDeck records who started it.
 *
 * The target (`Securable`) carries what the scope needs (its pool, parent VM, SR, network...), filled by the
 * caller from the XAPI cache, so no I/O happens here.
 */
import { memoPerObject } from "@/lib/memo";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Kinds of XAPI objects an ACL can name. */
export const ACL_OBJECT_KINDS = ["pool", "host", "vm", "sr", "network"] as const;
export type AclObjectKind = (typeof ACL_OBJECT_KINDS)[number];

/** A VM as an anchor of access; for a snapshot, `snapshotOf` is the uuid of the VM it was taken from. */
export interface VmAnchor {
  uuid: string;
  snapshotOf?: string | null;
}

/** An object access is decided on, with the relations its scope needs. `poolUuid` is the pool it lives in. */
export type Securable =
  | { kind: "pool"; uuid: string }
  | { kind: "host"; uuid: string; poolUuid: string }
  | { kind: "sr"; uuid: string; poolUuid: string }
  | { kind: "network"; uuid: string; poolUuid: string }
  /** A VM, a template, or a snapshot (`snapshotOf` = its VM). */
  | { kind: "vm"; uuid: string; poolUuid: string; snapshotOf?: string | null }
  /** A disk: its SR and the VMs (or snapshots) that use it through VBDs. */
  | { kind: "vdi"; uuid: string; poolUuid: string; srUuid: string | null; vms: readonly VmAnchor[] }
  /** The attachment of a disk to a VM. */
  | { kind: "vbd"; uuid: string; poolUuid: string; vm: VmAnchor }
  /** A VM's network interface. */
  | { kind: "vif"; uuid: string; poolUuid: string; vm: VmAnchor; networkUuid: string | null }
  /** A host's physical interface. */
  | { kind: "pif"; uuid: string; poolUuid: string; networkUuid: string | null }
  /** A pool's task: the objects it runs on, and the XenDeck user who started it (their user id), if any. */
  | { kind: "task"; uuid: string; poolUuid: string; appliesTo: readonly Securable[]; startedBy: string | null }
  /** An alert (XAPI message): the object it is about, when it names one XenDeck knows. */
  | { kind: "alert"; uuid: string; poolUuid: string; about: Securable | null };

export type SecurableKind = Securable["kind"];

/** How a user holds an ACL: directly, or as a member of a group. */
export type GrantSource = { type: "user" } | { type: "group"; groupId: string; groupName: string };

/** One ACL that applies to a user, as resolved at login/request time (lib/auth/current-user.ts). */
export interface Grant {
  aclId: string;
  objectKind: AclObjectKind;
  objectUuid: string;
  /** The object's name when the ACL was granted. */
  objectLabel: string;
  role: Role;
  via: GrantSource;
}

/** What `can` needs to know about a user. `CurrentUser` is one. */
export interface AccessSubject {
  /** XenDeck's user id: the tasks they started are theirs. */
  id?: string;
  isAdmin: boolean;
  grants: readonly Grant[];
}

/** Actions on one object, each with the kind of object it applies to and the minimal role it needs. */
export const OBJECT_ACTIONS = {
  "pool.view": { kind: "pool", role: "viewer" },
  "pool.manage": { kind: "pool", role: "admin" },
  /** A new VM from a template of the pool; its SRs, networks, ISOs and host must be visible to the user too. */
  "pool.vm.create": { kind: "pool", role: "admin" },

  "host.view": { kind: "host", role: "viewer" },
  "host.manage": { kind: "host", role: "admin" },
  /** The host's own console (its control domain's): a root login prompt on the host. */
  "host.console": { kind: "host", role: "admin" },
  /** Enable, disable, enter and leave maintenance mode (evacuate). */
  "host.maintenance": { kind: "host", role: "admin" },
  /** Reboot, shut down. */
  "host.power": { kind: "host", role: "admin" },

  "sr.view": { kind: "sr", role: "viewer" },
  "sr.manage": { kind: "sr", role: "admin" },
  "sr.scan": { kind: "sr", role: "admin" },

  "network.view": { kind: "network", role: "viewer" },
  "network.manage": { kind: "network", role: "admin" },

  "vm.view": { kind: "vm", role: "viewer" },
  "vm.start": { kind: "vm", role: "operator" },
  /** Also check `host.view` on the chosen host. */
  "vm.start_on": { kind: "vm", role: "operator" },
  "vm.shutdown.clean": { kind: "vm", role: "operator" },
  "vm.shutdown.hard": { kind: "vm", role: "operator" },
  "vm.reboot.clean": { kind: "vm", role: "operator" },
  "vm.reboot.hard": { kind: "vm", role: "operator" },
  "vm.suspend": { kind: "vm", role: "operator" },
  "vm.resume": { kind: "vm", role: "operator" },
  "vm.pause": { kind: "vm", role: "operator" },
  "vm.unpause": { kind: "vm", role: "operator" },
  "vm.snapshot": { kind: "vm", role: "operator" },
  /** Opening the VM's console (screen, keyboard, mouse). */
  "vm.console": { kind: "vm", role: "operator" },
  /** Deleting a snapshot (target: the snapshot): taking one before an upgrade and removing it after is an operator's job. */
  "vm.snapshot.delete": { kind: "vm", role: "operator" },
  /** Deleting a VM. */
  "vm.delete": { kind: "vm", role: "admin" },
  "vm.clone": { kind: "vm", role: "admin" },
  "vm.copy": { kind: "vm", role: "admin" },
  /** Also check `host.view` (or more) on the destination. */
  "vm.migrate": { kind: "vm", role: "admin" },
  /** Target: the snapshot to revert to. */
  "vm.revert": { kind: "vm", role: "admin" },
  "vm.edit": { kind: "vm", role: "admin" },
  /** vCPUs, memory, disks and network interfaces; a new disk's SR or interface's network must be visible too. */
  "vm.edit.hardware": { kind: "vm", role: "admin" },
  "vm.edit.tags": { kind: "vm", role: "operator" },
  /** Insert or eject an ISO (visible to the user) in the CD drive: a day-to-day operation, like power. */
  "vm.cd": { kind: "vm", role: "operator" },

  "vdi.view": { kind: "vdi", role: "viewer" },
  "vdi.manage": { kind: "vdi", role: "admin" },
  "vbd.view": { kind: "vbd", role: "viewer" },
  "vif.view": { kind: "vif", role: "viewer" },
  "pif.view": { kind: "pif", role: "viewer" },

  /** Its starter may view and cancel it too, whatever their role. */
  "task.view": { kind: "task", role: "viewer" },
  "task.cancel": { kind: "task", role: "admin" },
  "alert.view": { kind: "alert", role: "viewer" },
  "alert.dismiss": { kind: "alert", role: "admin" },
} as const satisfies Record<string, { kind: SecurableKind; role: Role }>;

/** Actions that concern no single object. `true` = every signed-in user; `false` = global admins only. */
export const GLOBAL_ACTIONS = {
  "pools.register": false,
  "users.manage": false,
  "acl.manage": false,
  "audit.read.all": false,
  /** Read one's own audit entries. */
  "audit.read.own": true,
} as const satisfies Record<string, boolean>;

export type ObjectAction = keyof typeof OBJECT_ACTIONS;
export type GlobalAction = keyof typeof GLOBAL_ACTIONS;
export type Action = ObjectAction | GlobalAction;

const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** True when `role` is at least `minimum`. */
export function roleAtLeast(role: Role | null, minimum: Role): boolean {
  return role !== null && ROLE_RANK[role] >= ROLE_RANK[minimum];
}

export function isObjectAction(action: string): action is ObjectAction {
  return Object.hasOwn(OBJECT_ACTIONS, action);
}

export function isGlobalAction(action: string): action is GlobalAction {
  return Object.hasOwn(GLOBAL_ACTIONS, action);
}

/** Why an ACL on `kind`/`uuid` applies to a target, in words for the ACL pages. */
export type ScopeReason =
  "the object itself" | "its pool" | "its VM" | "the VM it is a snapshot of" | "a VM using it" | "its SR" | "its network" | "what it is about";

/** An object whose ACLs apply to a target, and why. */
export interface ScopeAnchor {
  kind: AclObjectKind;
  uuid: string;
  reason: ScopeReason;
}

type AnchorVisitor = (kind: AclObjectKind, uuid: string | null | undefined, reason: ScopeReason) => void;

function visitVm(vm: VmAnchor, direct: ScopeReason, visit: AnchorVisitor): void {
  visit("vm", vm.uuid, direct);
  if (vm.snapshotOf) visit("vm", vm.snapshotOf, direct === "the object itself" ? "the VM it is a snapshot of" : direct);
}

/**
 * Calls `visit` for each object whose ACLs apply to `target`: THIS is where the scope rules live. (A visitor
 * rather than a returned list: list pages run it for thousands of objects, and it then allocates nothing.)
 */
function visitScope(target: Securable, visit: AnchorVisitor): void {
  if (target.kind === "pool") return visit("pool", target.uuid, "the object itself");
  visit("pool", target.poolUuid, "its pool");
  switch (target.kind) {
    case "host":
    case "sr":
    case "network":
      return visit(target.kind, target.uuid, "the object itself");
    case "vm":
      return visitVm(target, "the object itself", visit);
    case "vdi":
      visit("sr", target.srUuid, "its SR");
      for (const vm of target.vms) visitVm(vm, "a VM using it", visit);
      return;
    case "vbd":
      return visitVm(target.vm, "its VM", visit);
    case "vif":
      visitVm(target.vm, "its VM", visit);
      return visit("network", target.networkUuid, "its network");
    case "pif":
      return visit("network", target.networkUuid, "its network");
    case "task":
      for (const object of target.appliesTo) visitAbout(object, visit);
      return;
    case "alert":
      if (target.about) visitAbout(target.about, visit);
      return;
  }
}

/** The scope of what a task or an alert is about: every ACL that reaches that object reaches it too. */
function visitAbout(object: Securable, visit: AnchorVisitor): void {
  visitScope(object, (kind, uuid, reason) => visit(kind, uuid, reason === "its pool" ? reason : "what it is about"));
}

/** The objects whose ACLs apply to `target`, and why. */
export function scopeAnchors(target: Securable): ScopeAnchor[] {
  const anchors: ScopeAnchor[] = [];
  visitScope(target, (kind, uuid, reason) => {
    if (uuid) anchors.push({ kind, uuid, reason });
  });
  return anchors;
}

type RoleIndex = Record<AclObjectKind, Map<string, number>>;

/**
 * Strongest role rank per ACL object, built once per grants array (lists check thousands of objects). Grants
 * arrays are frozen (lib/auth/session-user.ts): a change of rights is a new array.
 */
const roleIndex = memoPerObject((grants: readonly Grant[]): RoleIndex => {
  const index: RoleIndex = { pool: new Map(), host: new Map(), vm: new Map(), sr: new Map(), network: new Map() };
  for (const grant of grants) {
    const byUuid = index[grant.objectKind];
    byUuid.set(grant.objectUuid, Math.max(byUuid.get(grant.objectUuid) ?? 0, ROLE_RANK[grant.role]));
  }
  return index;
});

const ROLE_BY_RANK: (Role | null)[] = [null, "viewer", "operator", "admin"];

/** The strongest role `user` holds on `target` through ACLs (null = no access). Global admins are not special here. */
export function effectiveRole(user: AccessSubject, target: Securable): Role | null {
  if (user.grants.length === 0) return null;
  const index = roleIndex(user.grants);
  let rank = 0;
  visitScope(target, (kind, uuid) => {
    if (uuid) rank = Math.max(rank, index[kind].get(uuid) ?? 0);
  });
  return ROLE_BY_RANK[rank]!;
}

/**
 * May `user` perform `action` (on `target`)? False for an unknown action, a missing target, or a target of
 * another kind than the action's.
 */
export function can(user: AccessSubject | null | undefined, action: GlobalAction): boolean;
export function can(user: AccessSubject | null | undefined, action: ObjectAction, target: Securable): boolean;
export function can(user: AccessSubject | null | undefined, action: Action, target?: Securable): boolean;
export function can(user: AccessSubject | null | undefined, action: Action, target?: Securable): boolean {
  if (!user) return false;
  if (isGlobalAction(action)) return user.isAdmin || GLOBAL_ACTIONS[action];
  if (!isObjectAction(action)) return false;
  const rule = OBJECT_ACTIONS[action];
  if (!target || target.kind !== rule.kind) return false;
  if (user.isAdmin) return true;
  if (target.kind === "task" && target.startedBy !== null && user.id !== undefined && target.startedBy === user.id) return true;
  return roleAtLeast(effectiveRole(user, target), rule.role);
}

/** One ACL that gives access to a target, and why it applies. */
export interface AccessReason {
  grant: Grant;
  scope: ScopeReason;
}

export interface AccessExplanation {
  /** The role that applies (for a global admin: "admin"); null when the user has no access. */
  role: Role | null;
  isGlobalAdmin: boolean;
  /** Every ACL that applies, strongest first. */
  reasons: AccessReason[];
}

/** Which role `user` has on `target` and through which ACLs: the "who has access and why" of the ACL pages. */
export function explainAccess(user: AccessSubject, target: Securable): AccessExplanation {
  const anchors = scopeAnchors(target);
  const reasons: AccessReason[] = [];
  for (const grant of user.grants) {
    const anchor = anchors.find((candidate) => candidate.kind === grant.objectKind && candidate.uuid === grant.objectUuid);
    if (anchor) reasons.push({ grant, scope: anchor.reason });
  }
  reasons.sort((a, b) => ROLE_RANK[b.grant.role] - ROLE_RANK[a.grant.role]);
  const role = user.isAdmin ? "admin" : (reasons[0]?.grant.role ?? null);
  return { role, isGlobalAdmin: user.isAdmin, reasons };
}
