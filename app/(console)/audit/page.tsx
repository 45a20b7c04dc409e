import type { Metadata } from "next";
import Link from "next/link";
import { AUDIT_ACTION_SUGGESTIONS, AUDIT_PER_PAGE_OPTIONS, auditSearchParams, parseAuditSearch, type AuditSearch } from "@/lib/admin/audit-filters";
import { auditHref, userHref } from "@/lib/routes";
import { queryAudit } from "@/lib/audit/query";
import type { AuditEntryDto, AuditOutcome } from "@/lib/audit/record";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { Badge } from "@/lib/ui/badge";
import { Banner } from "@/lib/ui/banner";
import { Button, ButtonLink, buttonClasses } from "@/lib/ui/button";
import { Card } from "@/lib/ui/card";
import { Cell, DataTable, EmptyRow, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { SelectField, TextField } from "@/lib/ui/field";
import { formatCount, formatDateTime } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { Pagination } from "@/lib/ui/pagination";
import type { Tone } from "@/lib/ui/tone";
import { VerifyChain } from "./verify-chain";

export const metadata: Metadata = { title: "Audit log" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const OUTCOMES: Record<AuditOutcome, { label: string; tone: Tone }> = {
  ok: { label: "OK", tone: "ok" },
  error: { label: "Error", tone: "warn" },
  refused: { label: "Refused", tone: "error" },
};

const OBJECT_KINDS = ["pool", "host", "vm", "sr", "network", "user", "group", "acl", "audit"];

const DAY_MS = 24 * 60 * 60 * 1000;

export default async function AuditPage(props: Props) {
  const actor = await requireUser();
  const isAdmin = can(actor, "audit.read.all");
  const search = parseAuditSearch(await props.searchParams);
  // A server component renders once per request: "today" is counted from this request.
  // eslint-disable-next-line react-hooks/purity
  const dayAgo = new Date(Date.now() - DAY_MS);
  const [answer, recentRefusals] = await Promise.all([
    queryAudit(actor, search.filter, { page: search.page, pageSize: search.perPage }),
    queryAudit(actor, { outcome: "refused", from: dayAgo }, { pageSize: 1 }),
  ]);
  const refusedToday = recentRefusals.ok ? recentRefusals.result.total : 0;
  const href = (overrides: { page?: number; format?: "csv" | "json" } = {}) => auditHref(auditSearchParams(search, overrides));
  const exportHref = (format: "csv" | "json") => `/api/audit/export?${new URLSearchParams(auditSearchParams(search, { format }))}`;
  const filtered = Object.values(search.values).some(Boolean);

  return (
    <>
      <PageHeader
        title={isAdmin ? "Audit log" : "My activity"}
        description={
          isAdmin
            ? "Every change, login and refused action, append-only and hash-chained. Times are UTC."
            : "What you did in XenDeck, including what was refused. Times are UTC."
        }
        actions={
          <>
            <a href={exportHref("csv")} download className={buttonClasses("secondary")}>
              Export CSV
            </a>
            <a href={exportHref("json")} download className={buttonClasses("secondary")}>
              Export JSON
            </a>
          </>
        }
      />

      {isAdmin && (
        <Card className="mb-4" title="Integrity" description="Checks that no entry was changed, inserted or removed since it was written.">
          <VerifyChain />
        </Card>
      )}

      {refusedToday > 0 && search.values.outcome !== "refused" && (
        <Banner
          tone="warning"
          live="none"
          className="mb-4"
          title={`${formatCount(refusedToday, "refused action")} in the last 24 hours`}
          actions={
            <ButtonLink href={auditHref({ outcome: "refused" })} size="sm">
              Show refused actions
            </ButtonLink>
          }
        >
          {isAdmin ? "Requests for things their author may not do: worth a look." : "You tried things your role does not allow."}
        </Banner>
      )}

      <AuditFilterForm search={search} isAdmin={isAdmin} />

      {!answer.ok ? (
        <Banner tone="error" title="This filter is not valid">
          {Object.entries(answer.fieldErrors)
            .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
            .join("; ")}
        </Banner>
      ) : (
        <>
          <DataTable label="Audit entries">
            <TableHead>
              <tr>
                <HeaderCell numeric>#</HeaderCell>
                <HeaderCell>When (UTC)</HeaderCell>
                <HeaderCell>Who</HeaderCell>
                <HeaderCell>Action</HeaderCell>
                <HeaderCell>Object</HeaderCell>
                <HeaderCell>Outcome</HeaderCell>
                <HeaderCell>Details</HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {answer.result.entries.length === 0 && (
                <EmptyRow colSpan={7}>
                  <EmptyState
                    title={filtered ? "No entry matches" : "No entries yet"}
                    icon="list"
                    action={filtered ? <ButtonLink href={auditHref({})}>Clear filters</ButtonLink> : undefined}
                  />
                </EmptyRow>
              )}
              {answer.result.entries.map((entry) => (
                <AuditRow key={entry.id} entry={entry} isAdmin={isAdmin} />
              ))}
            </TableBody>
          </DataTable>
          <Pagination
            page={answer.result.page}
            pages={answer.result.pageCount}
            total={answer.result.total}
            perPage={answer.result.pageSize}
            hrefForPage={(page) => href({ page })}
            label="Audit log pages"
            itemName="entries"
          />
        </>
      )}
    </>
  );
}

function AuditRow({ entry, isAdmin }: { entry: AuditEntryDto; isAdmin: boolean }) {
  const outcome = OUTCOMES[entry.outcome] ?? OUTCOMES.error;
  const params = Object.keys(entry.params).length > 0 ? JSON.stringify(entry.params, null, 1) : null;
  return (
    <TableRow className={entry.outcome === "refused" ? "bg-error-soft/30 hover:bg-hover" : undefined}>
      <Cell numeric muted>
        {entry.id}
      </Cell>
      <Cell className="whitespace-nowrap tabular-nums">{formatDateTime(entry.at, { timeZone: "UTC", seconds: true })}</Cell>
      <Cell>
        {entry.actorUsername ? (
          isAdmin && entry.actorId ? (
            <Link href={userHref(entry.actorId)} className="text-link hover:underline">
              {entry.actorUsername}
            </Link>
          ) : (
            entry.actorUsername
          )
        ) : (
          <span className="text-muted">anonymous</span>
        )}
        {entry.address && <span className="block text-xs text-muted">{entry.address}</span>}
      </Cell>
      <Cell mono>{entry.action}</Cell>
      <Cell>
        {entry.objectKind ? (
          <>
            <span className="text-muted">{entry.objectKind}</span> {entry.objectLabel}
            {entry.objectUuid && (
              <Link
                href={auditHref({ object: entry.objectUuid })}
                className="block font-mono text-xs text-link hover:underline"
                title="Entries about this object"
              >
                {entry.objectUuid}
              </Link>
            )}
          </>
        ) : (
          <span className="text-muted">—</span>
        )}
      </Cell>
      <Cell>
        <Badge tone={outcome.tone} dot>
          {outcome.label}
        </Badge>
        {(entry.errorCode || entry.errorText) && (
          <span className="mt-0.5 block max-w-64 text-xs text-muted">
            {entry.errorCode && <span className="font-mono">{entry.errorCode}</span>}
            {entry.errorCode && entry.errorText && ": "}
            {entry.errorText}
          </span>
        )}
      </Cell>
      <Cell className="max-w-80">
        {entry.taskRef && <span className="block font-mono text-xs text-muted">task {entry.taskRef}</span>}
        {params && (
          <details>
            <summary className="cursor-pointer text-xs text-link">Parameters</summary>
            <pre className="mt-1 max-h-48 overflow-auto rounded bg-sunken p-2 text-xs whitespace-pre-wrap">{params}</pre>
          </details>
        )}
      </Cell>
    </TableRow>
  );
}

/** The filter: a GET form, so the whole state is in the URL (shareable, and the export links follow it). */
function AuditFilterForm({ search, isAdmin }: { search: AuditSearch; isAdmin: boolean }) {
  const { values } = search;
  return (
    <form method="get" role="search" aria-label="Filter the audit log" className="mb-3 flex flex-wrap items-end gap-2">
      {isAdmin && <TextField label="User" name="user" defaultValue={values.user} placeholder="username" className="w-36" autoCapitalize="none" />}
      <TextField label="Action" name="action" defaultValue={values.action} placeholder="vm.start or vm.*" list="audit-actions" className="w-44" />
      <datalist id="audit-actions">
        {AUDIT_ACTION_SUGGESTIONS.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
      <SelectField
        label="Object kind"
        name="kind"
        defaultValue={values.kind}
        placeholder="Any"
        options={OBJECT_KINDS.map((kind) => ({ value: kind, label: kind }))}
      />
      <TextField label="Object" name="object" defaultValue={values.object} placeholder="name or uuid" className="w-64" spellCheck={false} />
      <SelectField
        label="Outcome"
        name="outcome"
        defaultValue={values.outcome}
        placeholder="Any"
        options={Object.entries(OUTCOMES).map(([value, { label }]) => ({ value, label }))}
      />
      <TextField label="From (UTC)" name="from" type="datetime-local" defaultValue={values.from} />
      <TextField label="To (UTC)" name="to" type="datetime-local" defaultValue={values.to} />
      <SelectField
        label="Per page"
        name="perPage"
        defaultValue={String(search.perPage)}
        options={AUDIT_PER_PAGE_OPTIONS.map((count) => ({ value: String(count), label: String(count) }))}
      />
      <Button type="submit">Filter</Button>
      <ButtonLink href={auditHref({})} variant="ghost">
        Clear
      </ButtonLink>
    </form>
  );
}
