/**
 * Reading the audit log: filtered, paginated pages for the audit page and streamed CSV/JSON exports.
 * Global admins (`audit.read.all`) read every entry; every other user reads only their own.
 */
import "server-only";
import { z } from "zod";
import { can } from "@/lib/access/can";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getDb, type Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { AUDIT_OUTCOMES, recordAudit, toAuditEntryDto, type AuditEntryDto } from "./record";

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => value || undefined);

const optionalDate = z
  .union([z.date(), z.string().trim()])
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === "") return undefined;
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: "custom", message: "Not a valid date" });
      return z.NEVER;
    }
    return date;
  });

/**
 * Filters, as typed in the audit page's form or URL (strings are accepted for every field).
 * `action` ending in `.*` matches a prefix (`vm.*`).
 */
export const auditFilterSchema = z.object({
  /** Username of the actor (exact, case-insensitive). */
  user: optionalText,
  actorId: optionalText,
  action: optionalText,
  objectKind: optionalText,
  objectUuid: optionalText,
  /** An object by its uuid or by its name as the entry recorded it (exact): what the audit page's "Object" takes. */
  object: optionalText,
  outcome: z
    .enum(AUDIT_OUTCOMES)
    .optional()
    .or(z.literal("").transform(() => undefined)),
  from: optionalDate,
  to: optionalDate,
});

export type AuditFilterInput = z.input<typeof auditFilterSchema>;
export type AuditFilter = z.output<typeof auditFilterSchema>;

export interface AuditPage {
  entries: AuditEntryDto[];
  total: number;
  /** 1-based. */
  page: number;
  pageSize: number;
  pageCount: number;
}

export const AUDIT_MAX_PAGE_SIZE = 200;

function whereOf(actor: CurrentUser, filter: AuditFilter): Prisma.AuditEntryWhereInput {
  const conditions: Prisma.AuditEntryWhereInput[] = [];
  if (!can(actor, "audit.read.all")) conditions.push({ actorId: actor.id });
  if (filter.user) conditions.push({ actorUsername: filter.user.toLowerCase() });
  if (filter.actorId) conditions.push({ actorId: filter.actorId });
  if (filter.action) {
    conditions.push(filter.action.endsWith(".*") ? { action: { startsWith: filter.action.slice(0, -1) } } : { action: filter.action });
  }
  if (filter.objectKind) conditions.push({ objectKind: filter.objectKind });
  if (filter.objectUuid) conditions.push({ objectUuid: filter.objectUuid });
  if (filter.object) conditions.push({ OR: [{ objectUuid: filter.object }, { objectLabel: filter.object }] });
  if (filter.outcome) conditions.push({ outcome: filter.outcome });
  if (filter.from) conditions.push({ at: { gte: filter.from } });
  if (filter.to) conditions.push({ at: { lte: filter.to } });
  return { AND: conditions };
}

/**
 * One page of entries matching `filter`, newest first. Invalid filters give `{ ok: false, fieldErrors }`.
 */
export async function queryAudit(
  actor: CurrentUser,
  filterInput: AuditFilterInput,
  paging: { page?: number; pageSize?: number } = {},
  db: Db = getDb(),
): Promise<{ ok: true; result: AuditPage } | { ok: false; error: string; fieldErrors: Record<string, string[]> }> {
  const parsed = auditFilterSchema.safeParse(filterInput);
  if (!parsed.success) {
    return { ok: false, error: "Invalid filter", fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  }
  const pageSize = Math.min(Math.max(Math.trunc(paging.pageSize ?? 50) || 50, 1), AUDIT_MAX_PAGE_SIZE);
  const where = whereOf(actor, parsed.data);
  const total = await db.auditEntry.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(Math.trunc(paging.page ?? 1) || 1, 1), pageCount);
  const rows = await db.auditEntry.findMany({ where, orderBy: { id: "desc" }, skip: (page - 1) * pageSize, take: pageSize });
  return { ok: true, result: { entries: rows.map(toAuditEntryDto), total, page, pageSize, pageCount } };
}

export type AuditExportFormat = "csv" | "json";

const CSV_COLUMNS = [
  "id",
  "at",
  "actorUsername",
  "actorId",
  "address",
  "action",
  "objectKind",
  "objectUuid",
  "objectLabel",
  "poolId",
  "outcome",
  "errorCode",
  "errorText",
  "taskRef",
  "params",
  "prevHash",
  "hash",
] as const;

/** A CSV cell: quoted when needed, and defused when a spreadsheet would read it as a formula. */
function csvCell(value: unknown): string {
  let text = value == null ? "" : value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(entry: AuditEntryDto): string {
  return CSV_COLUMNS.map((column) => csvCell(entry[column])).join(",") + "\r\n";
}

const EXPORT_BATCH = 500;

/**
 * The entries matching `filter`, oldest first, as a CSV or JSON (array) byte stream for a route handler's
 * Response. Read in batches, so exports of any size use little memory. The export itself is audited.
 * @throws on an invalid filter (validate with `auditFilterSchema` first to show field errors).
 */
export async function exportAudit(
  actor: CurrentUser,
  filterInput: AuditFilterInput,
  format: AuditExportFormat,
  context: { address?: string | null } = {},
  db: Db = getDb(),
): Promise<ReadableStream<Uint8Array>> {
  const filter = auditFilterSchema.parse(filterInput);
  const where = whereOf(actor, filter);
  await recordAudit({ actor, address: context.address, action: "audit.export", params: { format, ...filter }, outcome: "ok" }, db);
  const encoder = new TextEncoder();
  let afterId = 0;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      let chunk = "";
      if (!started) {
        chunk += format === "csv" ? CSV_COLUMNS.join(",") + "\r\n" : "[";
      }
      const rows = await db.auditEntry.findMany({ where: { AND: [where, { id: { gt: afterId } }] }, orderBy: { id: "asc" }, take: EXPORT_BATCH });
      for (const row of rows) {
        const entry = toAuditEntryDto(row);
        chunk += format === "csv" ? csvRow(entry) : `${started ? "," : ""}\n${JSON.stringify(entry)}`;
        started = true;
        afterId = row.id;
      }
      started = true;
      if (rows.length < EXPORT_BATCH) {
        done = true;
        if (format === "json") chunk += "\n]\n";
      }
      controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  });
}
