/**
 * The audit page's URL state, shared with the export route so that "Export" gives exactly what the page shows:
 *   ?user=&action=&kind=&object=&outcome=&from=&to=&page=&perPage=
 * `from`/`to` are UTC: the form's `datetime-local` values (no zone) are read as UTC, a bare date covers the whole
 * day. Parsing never throws; the repository's schema (lib/audit/query.ts) reports what is still invalid.
 */
import { GLOBAL_ACTIONS, OBJECT_ACTIONS } from "@/lib/access/can";
import type { AuditFilterInput } from "@/lib/audit/query";

export const AUDIT_PER_PAGE_OPTIONS = [25, 50, 100, 200] as const;
export const AUDIT_DEFAULT_PER_PAGE = 50;

/** The filter fields as they appear in the URL and the form. */
export const AUDIT_FILTER_KEYS = ["user", "action", "kind", "object", "outcome", "from", "to"] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

export interface AuditSearch {
  /** The URL's values, trimmed (for the form and for links). */
  values: Record<AuditFilterKey, string>;
  /** What the repository's `queryAudit` / `exportAudit` take. */
  filter: AuditFilterInput;
  page: number;
  perPage: number;
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** A time typed without a zone, read as UTC; `end` makes a bare date cover its whole day. */
export function utcTime(value: string, end: boolean): string {
  if (DATE_ONLY.test(value)) return `${value}T${end ? "23:59:59.999" : "00:00:00.000"}Z`;
  if (LOCAL_DATE_TIME.test(value)) {
    // A whole minute typed as an end includes that minute.
    const minuteOnly = value.length === 16;
    return `${value}${minuteOnly ? (end ? ":59.999" : ":00.000") : ""}Z`;
  }
  return value;
}

const positiveInt = (text: string, fallback: number) => {
  const number = Number.parseInt(text, 10);
  return Number.isFinite(number) && number >= 1 ? Math.min(number, 1_000_000) : fallback;
};

export function parseAuditSearch(params: Record<string, string | string[] | undefined>): AuditSearch {
  const values = Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, first(params[key]).trim().slice(0, 200)])) as Record<AuditFilterKey, string>;
  const perPageText = Number.parseInt(first(params.perPage), 10);
  const perPage = (AUDIT_PER_PAGE_OPTIONS as readonly number[]).includes(perPageText) ? perPageText : AUDIT_DEFAULT_PER_PAGE;
  return {
    values,
    filter: {
      user: values.user,
      action: values.action,
      objectKind: values.kind,
      object: values.object,
      outcome: values.outcome as AuditFilterInput["outcome"],
      from: values.from && utcTime(values.from, false),
      to: values.to && utcTime(values.to, true),
    },
    page: positiveInt(first(params.page), 1),
    perPage,
  };
}

/** The URL parameters for `search` with some values changed (defaults left out so links stay short). */
export function auditSearchParams(
  search: Pick<AuditSearch, "values" | "perPage">,
  overrides: { page?: number; format?: "csv" | "json" } = {},
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key of AUDIT_FILTER_KEYS) if (search.values[key]) params[key] = search.values[key];
  if (search.perPage !== AUDIT_DEFAULT_PER_PAGE) params.perPage = String(search.perPage);
  if (overrides.page && overrides.page > 1) params.page = String(overrides.page);
  if (overrides.format) params.format = overrides.format;
  return params;
}

/** Suggestions for the action filter: the authorization catalogue, the events the app records, and prefixes. */
export const AUDIT_ACTION_SUGGESTIONS: readonly string[] = [
  "auth.*",
  "auth.login",
  "auth.logout",
  "vm.*",
  ...Object.keys(OBJECT_ACTIONS).filter((action) => action.startsWith("vm.") && action !== "vm.view"),
  "pool.*",
  "pool.register",
  "pool.update",
  "pool.enable",
  "pool.disable",
  "pool.remove",
  "user.*",
  "user.create",
  "user.update",
  "user.delete",
  "user.reset_password",
  "user.change_password",
  "group.*",
  "group.create",
  "group.update",
  "group.delete",
  "group.add_member",
  "group.remove_member",
  "acl.*",
  "acl.add",
  "acl.update",
  "acl.remove",
  "audit.*",
  "audit.export",
  "audit.verify",
  ...Object.keys(GLOBAL_ACTIONS),
];
