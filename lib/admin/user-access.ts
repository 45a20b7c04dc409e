/**
 * "Everything a user can reach and why", for the user's page: their ACLs (own and through groups) with the
 * objects' current names, and every object in the connected pools those ACLs reach, with the role that applies
 * and the ACLs that give it. Pure over the pools' caches; the decisions are `explainAccess`'s (lib/access/can.ts).
 */
import { ACL_OBJECT_KINDS, explainAccess, type AccessReason, type AccessSubject, type AclObjectKind, type Grant, type Role } from "@/lib/access/can";
import { findAclObjectIn, listAclObjectsIn, securableOf, type AclObjectDto, type AclObjectSource } from "@/lib/inventory/acl-objects";

/** Kinds in order of scope, widest first. */
const kindRank = (kind: AclObjectKind) => ACL_OBJECT_KINDS.indexOf(kind);

/** One ACL of the user, with its object as the pools know it now (null when no connected pool has it). */
export interface GrantView {
  grant: Grant;
  object: AclObjectDto | null;
}

/** The user's ACLs: objects with wider scope first, then by name. */
export function describeGrants(subject: AccessSubject, sources: readonly AclObjectSource[]): GrantView[] {
  return subject.grants
    .map((grant) => ({ grant, object: findAclObjectIn(sources, grant.objectKind, grant.objectUuid) }))
    .sort(
      (a, b) =>
        kindRank(a.grant.objectKind) - kindRank(b.grant.objectKind) ||
        (a.object?.name ?? a.grant.objectLabel).localeCompare(b.object?.name ?? b.grant.objectLabel),
    );
}

/** An object the user can reach: the role that applies and every ACL behind it (strongest first). */
export interface ReachableObject {
  object: AclObjectDto;
  role: Role;
  reasons: AccessReason[];
}

export interface Reachable {
  /** At most `limit` objects, pools first, then hosts, VMs, SRs, networks. */
  objects: ReachableObject[];
  total: number;
  /** How many objects of each kind the user reaches. */
  counts: Record<AclObjectKind, number>;
}

/** Every object of `sources` that `subject`'s ACLs reach. Not for global admins (they reach everything). */
export function reachableObjects(subject: AccessSubject, sources: readonly AclObjectSource[], limit = 500): Reachable {
  const counts: Record<AclObjectKind, number> = { pool: 0, host: 0, vm: 0, sr: 0, network: 0 };
  const objects: ReachableObject[] = [];
  let total = 0;
  if (subject.grants.length === 0) return { objects, total, counts };
  // Pools first, then kind by kind: the order listAclObjectsIn gives within each pool.
  const all = listAclObjectsIn(sources).sort((a, b) => kindRank(a.kind) - kindRank(b.kind));
  for (const object of all) {
    const { role, reasons } = explainAccess({ isAdmin: false, grants: subject.grants }, securableOf(object));
    if (!role) continue;
    counts[object.kind]++;
    total++;
    if (objects.length < limit) objects.push({ object, role, reasons });
  }
  return { objects, total, counts };
}
