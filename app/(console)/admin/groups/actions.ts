"use server";
/** Server actions of the group pages (declared in lib/admin/actions.ts; global admins only). */
import {
  changeMembershipAction as changeMembership,
  createGroupAction as createGroup,
  deleteGroupAction as deleteGroup,
  updateGroupAction as updateGroup,
} from "@/lib/admin/actions";

export const createGroupAction = createGroup;
export const updateGroupAction = updateGroup;
export const deleteGroupAction = deleteGroup;
/** Adds a user to a group, or removes them (`intent=remove`); used on both the group's and the user's page. */
export const changeMembershipAction = changeMembership;
