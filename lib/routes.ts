/** The app's routes that code links or redirects to, in one place (client-safe: plain strings). */
export const LOGIN_PATH = "/login";
/** Where a user whose password was reset must go first (`requireUser` redirects there). */
export const CHANGE_PASSWORD_PATH = "/settings/password";
/** Where a user the two-factor policy applies to enrols (`requireUser` redirects there). */
export const TWO_FACTOR_PATH = "/settings/two-factor";
/** Where users see and end their sessions. */
export const SESSIONS_PATH = "/settings/sessions";
/** The console-wide security settings (admins). */
export const SECURITY_PATH = "/admin/security";

import type { AclListFilter } from "./admin/acl-filters";

export const USERS_PATH = "/admin/users";
export const GROUPS_PATH = "/admin/groups";
export const ACLS_PATH = "/admin/acls";
export const AUDIT_PATH = "/audit";

export const userHref = (userId: string) => `${USERS_PATH}/${encodeURIComponent(userId)}`;
export const groupHref = (groupId: string) => `${GROUPS_PATH}/${encodeURIComponent(groupId)}`;

/** `path` with the non-empty `params` as its query string. */
function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The ACL page filtered (and its add form preset) by `filter`. */
export const aclsHref = (filter: Partial<AclListFilter>) => withQuery(ACLS_PATH, filter);

/** The audit log filtered by `filter` (keys as in the audit page's URL, see audit-filters.ts). */
export const auditHref = (filter: Record<string, string | null | undefined>) => withQuery(AUDIT_PATH, filter);
