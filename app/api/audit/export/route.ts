/**
 * GET /api/audit/export?format=csv|json&<the audit page's filters>: the matching audit entries as a download,
 * streamed. Global admins export any entries; everyone else only their own (the repository scopes the query).
 * The export is itself audited; a refused one too.
 */
import type { NextRequest } from "next/server";
import { isRouteRefusal, routeUser } from "@/lib/actions/route";
import { parseAuditSearch } from "@/lib/admin/audit-filters";
import { auditFilterSchema, exportAudit } from "@/lib/audit/query";
import { currentClientAddress } from "@/lib/auth/request-context";

export const dynamic = "force-dynamic";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" } as const;

const problem = (status: number, error: string, fieldErrors?: Record<string, string[]>) =>
  Response.json({ error, ...(fieldErrors ? { fieldErrors } : {}) }, { status, headers: { "Cache-Control": "no-store" } });

export async function GET(request: NextRequest): Promise<Response> {
  const query = request.nextUrl.searchParams;
  const format = query.get("format") ?? "csv";
  const actor = await routeUser("audit.read.own", { object: { kind: "audit" }, params: { operation: "export", format } });
  if (isRouteRefusal(actor)) return problem(actor.status, actor.error);
  if (format !== "csv" && format !== "json") return problem(400, "The format must be csv or json.");

  const search = parseAuditSearch(Object.fromEntries(query));
  const parsed = auditFilterSchema.safeParse(search.filter);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? "filter"), [issue.message]]));
    return problem(400, "Invalid filter.", fieldErrors);
  }
  const stream = await exportAudit(actor, search.filter, format, { address: await currentClientAddress() });
  const stamp = new Date()
    .toISOString()
    .replaceAll(":", "")
    .replace(/\.\d+Z$/, "Z");
  return new Response(stream, {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="xendeck-audit-${stamp}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
