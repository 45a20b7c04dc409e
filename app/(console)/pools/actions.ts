"use server";
/** Server actions of the pool pages (declared in lib/pools/actions.ts; global admins only). */
import { changePoolEnabled, checkCertificate, editPool, pinCertificate, registerPool, testPoolConnection, unregisterPool } from "@/lib/pools/actions";

/** `{ url, username, password?, fingerprint?, poolId? }` */
export const testConnectionAction = testPoolConnection;
/** `{ label, url, username, password, fingerprint?, readOnly }` */
export const registerPoolAction = registerPool;
/** `{ poolId, label, url, username, password?, fingerprint?, readOnly? }` */
export const editPoolAction = editPool;
/** `{ poolId, enabled }` */
export const setPoolEnabledAction = changePoolEnabled;
/** `{ poolId }` */
export const removePoolAction = unregisterPool;
/** `{ poolId }` */
export const checkCertificateAction = checkCertificate;
/** `{ poolId, fingerprint }` */
export const pinCertificateAction = pinCertificate;
