import Link from "next/link";
import { adminMetadata } from "@/lib/admin/metadata";
import { ActionForm, FormRadioGroup, FormSelectField } from "@/lib/ui/action-form";
import { filterAcls, parseAclListFilter, subjectFilter, type AclListFilter } from "@/lib/admin/acl-filters";
import { ObjectAccess } from "@/app/(console)/_components/object-access";
import { ObjectPicker } from "@/app/(console)/admin/acls/_components/object-picker";
import { aclsHref } from "@/lib/routes";
import { AclObjectName, AclSubjectLink, KIND_LABELS, KIND_SCOPES, ROLE_DESCRIPTIONS, ROLE_LABELS, RoleBadge } from "@/lib/admin/roles";
import { listAcls } from "@/lib/access/acls";
import { ACL_OBJECT_KINDS, ROLES } from "@/lib/access/can";
import { requireAdmin } from "@/lib/auth/current-user";
import { listGroups } from "@/lib/access/groups";
import { listUsers } from "@/lib/auth/users";
import { findAclObject, securableOf } from "@/lib/inventory/acl-objects";
import { Button, ButtonLink } from "@/lib/ui/button";
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
        <Section title="ACLs" description={formatCount(acls.length, "ACL") + (filtered ? " match the filter" : "")}>
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
                    <Link href={aclsHref({ kind: acl.objectKind, object: acl.objectUuid })} className="hover:underline" title={KIND_SCOPES[acl.objectKind]}>
                      <AclObjectName kind={acl.objectKind} label={acl.objectLabel} uuid={acl.objectUuid} />
                    </Link>
                  </Cell>
                  <Cell muted>
                    {acl.createdBy}, <LocalTime value={acl.createdAt} format="date" />
                  </Cell>
                  <Cell>
                    <RemoveAclButton aclId={acl.id} />
                  </Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
        </Section>

        <Card title="Grant access" description="A subject has one role per object: granting again replaces it.">
          <ActionForm action={addAclAction} submitLabel="Grant" pendingLabel="Granting…">
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

/** The list's filter: a plain GET form, so the state lives in the URL. */
function AclFilterForm({ filter, subjects }: { filter: AclListFilter; subjects: { value: string; label: string }[] }) {
  return (
    <form method="get" role="search" aria-label="Filter ACLs" className="mb-3 flex flex-wrap items-end gap-2">
      <TextField label="Search" name="q" type="search" defaultValue={filter.q} placeholder="Name or uuid" className="min-w-40 flex-1" />
      <SelectField label="Who" name="subject" defaultValue={filter.subject} placeholder="Anyone" options={subjects} />
      <SelectField
        label="Kind"
        name="kind"
        defaultValue={filter.kind}
        placeholder="Any kind"
        options={ACL_OBJECT_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
      />
      <SelectField
        label="Role"
        name="role"
        defaultValue={filter.role}
        placeholder="Any role"
        options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))}
      />
      {filter.object && <input type="hidden" name="object" value={filter.object} />}
      <Button type="submit">Filter</Button>
      <ButtonLink href={aclsHref({})} variant="ghost">
        Clear
      </ButtonLink>
    </form>
  );
}
