/**
 * Shortcuts over `can()` that list pages use to stay fast at 10,000 objects: when the user may view the whole
 * pool, every object in it is visible and no per-object check is needed (an ACL on a pool covers everything
 * in it, lib/access/can.ts). Everything still goes through `can()`.
 */
import { can, type AccessSubject } from "@/lib/access/can";
import { poolSecurable } from "./securables";

/** The user may view the pool, hence every object in it. */
export function canViewWholePool(user: AccessSubject, poolUuid: string): boolean {
  return can(user, "pool.view", poolSecurable(poolUuid));
}

/** The user holds no ACL at all (and is not an admin): nothing in any pool is visible. */
export function seesNothing(user: AccessSubject): boolean {
  return !user.isAdmin && user.grants.length === 0;
}
