import Link from "next/link";
import { adminMetadata } from "@/lib/admin/metadata";
import { ActionForm, FormRadioGroup, FormSelectField } from "@/lib/ui/action-form";
import { filterAcls, parseAclListFilter, subjectFilter, type AclListFilter } from "@/lib/admin/acl-filters";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { ObjectPicker } from "@/app/(console)/admin/acls/_components/object-picker";
import { ACLS_PATH, aclsHref, objectHref } from "@/lib/routes";
import { AclObjectName, AclSubjectLink, KIND_LABELS, KIND_SCOPES, ROLE_DESCRIPTIONS, ROLE_LABELS, RoleBadge } from "@/lib/admin/roles";
import { listAcls, type AclDto } from "@/lib/access/acls";
import { ACL_OBJECT_KINDS, ROLES } from "@/lib/access/can";
import { requireAdmin } from "@/lib/auth/current-user";
import { listGroups } from "@/lib/access/groups";
import { listUsers } from "@/lib/auth/users";
import { findAclObject, securableOf, type AclObjectDto } from "@/lib/inventory/acl-objects";
import { ButtonLink } from "@/lib/ui/button";
import { FilterForm } from "@/lib/ui/filter-form";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, EmptyRow, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { SelectField, TextField } from "@/lib/ui/field";
import { formatCount } from "@/lib/ui/format";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { addAclAction, searchAclObjectsAction } from "./actions";
import { RemoveAclButton } from "./remove-acl-button";

export const generateMetadata = adminMetadata("Access");

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AclsPage(props: Props) {
  const actor = await requireAdmin();
  const filter = parseAclListFilter(await props.searchParams);
  const [all, users, groups] = await Promise.all([
    listAcls(actor, { ...subjectFilter(filter.subject), objectKind: filter.kind || undefined, objectUuid: filter.object || undefined }),
    listUsers(actor),
    listGroups(actor),
  ]);
  const acls = filterAcls(all, filter);
  const presetObject = filter.kind && filter.object ? findAclObject(actor, filter.kind, filter.object) : null;
  const filtered = Object.values(filter).some(Boolean);
  // Each ACL's object as it is now: its current name, its pool, its page.
  const objects = new Map(acls.map((acl) => [acl.id, findAclObject(actor, acl.objectKind, acl.objectUuid)]));
  const subjects = [
    ...users.filter((user) => !user.isAdmin).map((user) => ({ value: `user:${user.id}`, label: `User ${user.username}${user.disabled ? " (disabled)" : ""}` })),
    ...groups.map((group) => ({ value: `group:${group.id}`, label: `Group ${group.name}` })),
  ];

  return (
    <>
      <PageHeader title="Access" description="ACLs give a user or a group a role on a pool, host, VM, SR or network. Global administrators need none." />

      {presetObject && (
        <div className="mb-6">
          <ObjectAccess
            target={securableOf(presetObject)}
            objectName={presetObject.name}
            title={`Who has access to ${KIND_LABELS[presetObject.kind]} ${presetObject.name}`}
          />
        </div>
      )}

      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[1fr_26rem]">
        <Section
          title="ACLs"
          description={filtered ? `${formatCount(acls.length, "ACL")} ${acls.length === 1 ? "matches" : "match"} the filter` : formatCount(acls.length, "ACL")}
        >
          <AclFilterForm filter={filter} subjects={subjects} />
          <DataTable label="ACLs">
            <TableHead>
              <tr>
                <HeaderCell>Who</HeaderCell>
                <HeaderCell>Role</HeaderCell>
                <HeaderCell>Object</HeaderCell>
                <HeaderCell>Granted</HeaderCell>
                <HeaderCell>
                  <span className="sr-only">Actions</span>
                </HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {acls.length === 0 && (
                <EmptyRow colSpan={5}>
                  <EmptyState title={filtered ? "No ACL matches" : "No ACLs yet"} icon="shield">
                    {filtered ? "Change or clear the filter." : "Users other than global administrators see nothing until they are given a role."}
                  </EmptyState>
                </EmptyRow>
              )}
              {acls.map((acl) => (
                <TableRow key={acl.id}>
                  <Cell>
                    <AclSubjectLink subject={acl.subject} />
                  </Cell>
                  <Cell>
                    <RoleBadge role={acl.role} />
                  </Cell>
                  <Cell>
                    <AclObjectCell acl={acl} object={objects.get(acl.id) ?? null} />
                  </Cell>
                  <Cell muted>
                    {acl.createdBy}, <LocalTime value={acl.createdAt} format="date" />
                  </Cell>
                  <Cell>
                    <RemoveAclButton
                      aclId={acl.id}
                      subject={acl.subject.type === "user" ? acl.subject.username : `Group ${acl.subject.name}`}
                      object={`${KIND_LABELS[acl.objectKind]} ${objects.get(acl.id)?.name ?? (acl.objectLabel || acl.objectUuid)}`}
                    />
                  </Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
        </Section>

        <Card title="Grant access" description="A subject has one role per object: granting again replaces it.">
          <ActionForm action={addAclAction} submitLabel="Grant" pendingLabel="Granting…" resetOnSuccess>
            <FormSelectField
              label="User or group"
              name="subject"
              required
              placeholder="Choose…"
              options={subjects}
              defaultValue={filter.subject || undefined}
            />
            <ObjectPicker search={searchAclObjectsAction} initial={presetObject} />
            <FormRadioGroup
              legend="Role"
              name="role"
              defaultValue="viewer"
              options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role], hint: ROLE_DESCRIPTIONS[role] }))}
            />
          </ActionForm>
        </Card>
      </div>
    </>
  );
}

/** An ACL's object: its kind and current name, linked to its page, with its pool; and the other ACLs on it. */
function AclObjectCell({ acl, object }: { acl: AclDto; object: AclObjectDto | null }) {
  const href = object ? objectHref(acl.objectKind, acl.objectUuid, object.poolId) : null;
  const name = <AclObjectName kind={acl.objectKind} label={object?.name ?? acl.objectLabel} uuid={acl.objectUuid} />;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5" title={KIND_SCOPES[acl.objectKind]}>
      {href ? (
        <Link href={href} className="text-link hover:underline">
          {name}
        </Link>
      ) : (
        <span>{name}</span>
      )}
      {object ? (
        acl.objectKind !== "pool" && <span className="text-muted">· {object.poolLabel}</span>
      ) : (
        <span className="text-xs text-muted">(not in any connected pool)</span>
      )}
      <Link href={aclsHref({ kind: acl.objectKind, object: acl.objectUuid })} className="text-xs text-muted hover:text-fg hover:underline">
        all its ACLs
      </Link>
    </span>
  );
}

/** The list's filter: it applies as it changes, and the state lives in the URL. */
function AclFilterForm({ filter, subjects }: { filter: AclListFilter; subjects: { value: string; label: string }[] }) {
  const current = aclsHref(filter).split("?")[1] ?? "";
  return (
    <FilterForm action={ACLS_PATH} current={current} label="Filter ACLs" className="mb-3 flex flex-wrap items-end gap-2">
      <TextField label="Search" name="q" type="search" defaultValue={filter.q} placeholder="Name or uuid" className="min-w-32 flex-1" />
      <SelectField label="Who" name="subject" defaultValue={filter.subject} placeholder="Anyone" options={subjects} className="w-44" />
      <SelectField
        label="Kind"
        name="kind"
        defaultValue={filter.kind}
        placeholder="Any kind"
        options={ACL_OBJECT_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
        className="w-28"
      />
      <SelectField
        label="Role"
        name="role"
        defaultValue={filter.role}
        placeholder="Any role"
        options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))}
        className="w-28"
      />
      {filter.object && <input type="hidden" name="object" value={filter.object} />}
      {Object.values(filter).some(Boolean) && (
        <ButtonLink href={aclsHref({})} variant="ghost">
          Clear
        </ButtonLink>
      )}
    </FilterForm>
  );
}
