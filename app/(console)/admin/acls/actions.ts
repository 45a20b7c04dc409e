"use server";
/** Server actions of the ACL page (declared in lib/admin/actions.ts; global admins only). */
import { addAclAction as addAcl, removeAclAction as removeAcl, searchAclObjectsAction as searchAclObjects } from "@/lib/admin/actions";

export const addAclAction = addAcl;
export const removeAclAction = removeAcl;
/** The object picker's search. */
export const searchAclObjectsAction = searchAclObjects;
