import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm, ConfirmAction, FormSelectField, FormTextField } from "@/lib/ui/action-form";
import { aclsHref, GROUPS_PATH, userHref } from "@/lib/routes";
import { AclObjectName, KIND_LABELS, KIND_SCOPES, RoleBadge } from "@/lib/admin/roles";
import { listAcls } from "@/lib/access/acls";
import { requireAdmin } from "@/lib/auth/current-user";
import { getGroup } from "@/lib/access/groups";
import { listUsers } from "@/lib/auth/users";
import { Badge } from "@/lib/ui/badge";
import { ButtonLink } from "@/lib/ui/button";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, EmptyRow, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { PageHeader } from "@/lib/ui/page-header";
import { RemoveAclButton } from "@/app/(console)/admin/acls/remove-acl-button";
import { changeMembershipAction, deleteGroupAction, updateGroupAction } from "@/app/(console)/admin/groups/actions";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata(props: Props): Promise<Metadata> {
  const actor = await requireAdmin();
  const group = await getGroup(actor, (await props.params).id);
  return { title: group ? `Group ${group.name}` : "Group" };
}

export default async function GroupPage(props: Props) {
  const actor = await requireAdmin();
  const { id } = await props.params;
  const [group, users, acls] = await Promise.all([getGroup(actor, id), listUsers(actor), listAcls(actor, { groupId: id })]);
  if (!group) notFound();
  const candidates = users.filter((user) => !group.members.some((member) => member.id === user.id));

  return (
    <>
      <PageHeader
        title={group.name}
        breadcrumbs={[{ label: "Groups", href: GROUPS_PATH }, { label: group.name }]}
        description={group.description || undefined}
      />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[1fr_20rem]">
        <Section title="Members" description="Changes apply at each member's next request.">
          <DataTable label={`Members of ${group.name}`}>
            <TableHead>
              <tr>
                <HeaderCell>Username</HeaderCell>
                <HeaderCell>Display name</HeaderCell>
                <HeaderCell>
                  <span className="sr-only">Actions</span>
                </HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {group.members.length === 0 && (
                <EmptyRow colSpan={3}>
                  <EmptyState title="No members" icon="users" />
                </EmptyRow>
              )}
              {group.members.map((member) => (
                <TableRow key={member.id}>
                  <Cell>
                    <Link href={userHref(member.id)} className="text-link hover:underline">
                      {member.username}
                    </Link>
                    {member.disabled && (
                      <Badge tone="error" className="ml-2">
                        Disabled
                      </Badge>
                    )}
                  </Cell>
                  <Cell muted>{member.displayName || "—"}</Cell>
                  <Cell>
                    <ActionForm action={changeMembershipAction} submitLabel="Remove" submitVariant="ghost" inline>
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="groupId" value={group.id} />
                      <input type="hidden" name="userId" value={member.id} />
                    </ActionForm>
                  </Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
          {candidates.length > 0 && (
            <ActionForm action={changeMembershipAction} submitLabel="Add member" submitVariant="secondary" inline>
              <input type="hidden" name="groupId" value={group.id} />
              <FormSelectField
                label="User"
                name="userId"
                placeholder="Choose a user…"
                options={candidates.map((user) => ({ value: user.id, label: user.displayName ? `${user.username} (${user.displayName})` : user.username }))}
                className="min-w-56"
              />
            </ActionForm>
          )}
        </Section>

        <div className="space-y-4">
          <Card title="Group">
            <ActionForm action={updateGroupAction} submitLabel="Save">
              <input type="hidden" name="groupId" value={group.id} />
              <FormTextField label="Name" name="name" required defaultValue={group.name} autoComplete="off" />
              <FormTextField label="Description" name="description" defaultValue={group.description} autoComplete="off" />
            </ActionForm>
          </Card>
          <Card title="Delete group">
            <p className="mb-3 text-sm text-muted">Its ACLs go with it: members lose what they had through the group.</p>
            <ConfirmAction
              action={deleteGroupAction}
              input={{ groupId: group.id }}
              triggerLabel="Delete group"
              title={`Delete group ${group.name}?`}
              confirmLabel="Delete"
            >
              {acls.length === 0 ? "It has no ACL." : acls.length === 1 ? "Its ACL is removed too." : `Its ${acls.length} ACLs are removed too.`} The users
              stay.
            </ConfirmAction>
          </Card>
        </div>
      </div>

      <Section
        title="ACLs of the group"
        className="mt-6"
        actions={
          <ButtonLink href={aclsHref({ subject: `group:${group.id}` })} size="sm" icon="plus">
            Grant access
          </ButtonLink>
        }
      >
        <DataTable label={`ACLs of ${group.name}`}>
          <TableHead>
            <tr>
              <HeaderCell>Object</HeaderCell>
              <HeaderCell>Role</HeaderCell>
              <HeaderCell>Covers</HeaderCell>
              <HeaderCell>
                <span className="sr-only">Actions</span>
              </HeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {acls.length === 0 && (
              <EmptyRow colSpan={4}>
                <EmptyState title="No ACL" icon="shield">
                  The group gives its members nothing yet.
                </EmptyState>
              </EmptyRow>
            )}
            {acls.map((acl) => (
              <TableRow key={acl.id}>
                <Cell>
                  <AclObjectName kind={acl.objectKind} label={acl.objectLabel} uuid={acl.objectUuid} />
                </Cell>
                <Cell>
                  <RoleBadge role={acl.role} />
                </Cell>
                <Cell muted>{KIND_SCOPES[acl.objectKind]}</Cell>
                <Cell>
                  <RemoveAclButton
                    aclId={acl.id}
                    subject={`Group ${group.name}`}
                    object={`${KIND_LABELS[acl.objectKind]} ${acl.objectLabel || acl.objectUuid}`}
                  />
                </Cell>
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      </Section>
    </>
  );
}
