"use server";
/** The audit page's chain verification (declared in lib/admin/actions.ts; global admins only). */
import { verifyAuditChainAction as verifyAuditChain } from "@/lib/admin/actions";

export const verifyAuditChainAction = verifyAuditChain;
