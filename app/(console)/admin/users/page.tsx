import Link from "next/link";
import { adminMetadata } from "@/lib/admin/metadata";
import { userHref } from "@/lib/routes";
import { requireAdmin } from "@/lib/auth/current-user";
import { listUsers } from "@/lib/auth/users";
import { Badge } from "@/lib/ui/badge";
import { ButtonLink } from "@/lib/ui/button";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { formatCount } from "@/lib/ui/format";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { AccountBadges } from "./account-badges";

export const generateMetadata = adminMetadata("Users");

export default async function UsersPage() {
  const actor = await requireAdmin();
  const users = await listUsers(actor);
  const admins = users.filter((user) => user.isAdmin && !user.disabled).length;

  return (
    <>
      <PageHeader
        title="Users"
        description={`${formatCount(users.length, "account")}, ${formatCount(admins, "enabled global administrator")}. Other accounts get their rights from ACLs.`}
        actions={
          <ButtonLink href="/admin/users/new" variant="primary" icon="plus">
            New user
          </ButtonLink>
        }
      />
      <DataTable label="Users">
        <TableHead>
          <tr>
            <HeaderCell>Username</HeaderCell>
            <HeaderCell>Display name</HeaderCell>
            <HeaderCell>Account</HeaderCell>
            <HeaderCell>Groups</HeaderCell>
            <HeaderCell>Last login</HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {users.map((user) => (
            <TableRow key={user.id}>
              <Cell>
                <Link href={userHref(user.id)} className="font-medium text-link hover:underline">
                  {user.username}
                </Link>
                {user.id === actor.id && <span className="text-muted"> (you)</span>}
              </Cell>
              <Cell muted={!user.displayName}>{user.displayName || "—"}</Cell>
              <Cell>
                <AccountBadges user={user} />
              </Cell>
              <Cell>
                {user.groups.length === 0 ? (
                  <span className="text-muted">—</span>
                ) : (
                  <span className="flex flex-wrap gap-1">
                    {user.groups.map((group) => (
                      <Badge key={group.id}>{group.name}</Badge>
                    ))}
                  </span>
                )}
              </Cell>
              <Cell muted>{user.lastLoginAt ? <LocalTime value={user.lastLoginAt} format="relative" /> : "Never"}</Cell>
            </TableRow>
          ))}
        </TableBody>
      </DataTable>
    </>
  );
}
