import Link from "next/link";
import { adminMetadata } from "@/lib/admin/metadata";
import { ActionForm, FormTextField } from "@/lib/ui/action-form";
import { groupHref } from "@/lib/routes";
import { listAcls } from "@/lib/access/acls";
import { requireAdmin } from "@/lib/auth/current-user";
import { listGroups } from "@/lib/access/groups";
import { Card } from "@/lib/ui/card";
import { Cell, DataTable, EmptyRow, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { createGroupAction } from "./actions";

export const generateMetadata = adminMetadata("Groups");

export default async function GroupsPage() {
  const actor = await requireAdmin();
  const [groups, acls] = await Promise.all([listGroups(actor), listAcls(actor)]);
  const aclCount = (groupId: string) => acls.filter((acl) => acl.subject.type === "group" && acl.subject.id === groupId).length;

  return (
    <>
      <PageHeader title="Groups" description="Teams of users: an ACL given to a group applies to each of its members." />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[1fr_20rem]">
        <DataTable label="Groups">
          <TableHead>
            <tr>
              <HeaderCell>Name</HeaderCell>
              <HeaderCell>Description</HeaderCell>
              <HeaderCell numeric>Members</HeaderCell>
              <HeaderCell numeric>ACLs</HeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {groups.length === 0 && (
              <EmptyRow colSpan={4}>
                <EmptyState title="No groups yet" icon="group">
                  Create one to grant a role to a whole team at once.
                </EmptyState>
              </EmptyRow>
            )}
            {groups.map((group) => (
              <TableRow key={group.id}>
                <Cell>
                  <Link href={groupHref(group.id)} className="font-medium text-link hover:underline">
                    {group.name}
                  </Link>
                </Cell>
                <Cell muted>{group.description || "—"}</Cell>
                <Cell numeric>{group.members.length}</Cell>
                <Cell numeric>{aclCount(group.id)}</Cell>
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
        <Card title="New group" description={formatCount(groups.length, "group")}>
          <ActionForm action={createGroupAction} submitLabel="Create group" pendingLabel="Creating…">
            <FormTextField label="Name" name="name" required autoComplete="off" />
            <FormTextField label="Description" name="description" autoComplete="off" />
          </ActionForm>
        </Card>
      </div>
    </>
  );
}
