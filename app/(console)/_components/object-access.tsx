/**
 * "Who has access to this object, with which role, through which ACL": a section for the VM, host and pool pages
 * (and the ACL pages). Global admins only; for anyone else it renders nothing, and reads nothing.
 *
 *   import { ObjectAccess } from "@/app/(console)/_components/object-access";
 *   <ObjectAccess target={{ kind: "vm", uuid: vm.uuid, poolUuid, snapshotOf: null }} objectName={vm.name} />
 *
 * `target` is the same `Securable` the page hands to `can()`: every ACL whose scope covers it is listed (an ACL on
 * the VM itself, on its pool, ...), strongest role first.
 */
import "server-only";
import Link from "next/link";
import { listAclsCovering } from "@/lib/access/acls";
import { can, type Securable } from "@/lib/access/can";
import { getCurrentUser } from "@/lib/auth/current-user";
import { listUsers } from "@/lib/auth/users";
import { buttonClasses } from "@/lib/ui/button";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { Section } from "@/lib/ui/card";
import { AclObjectName, AclSubjectLink, RoleBadge, SCOPE_WORDS } from "@/lib/admin/roles";
import { aclsHref, userHref } from "@/lib/routes";

export async function ObjectAccess({
  target,
  objectName,
  title = "Access",
}: {
  target: Securable;
  /** The object's name, for the table's accessible name. */
  objectName?: string;
  title?: string;
}) {
  const actor = await getCurrentUser();
  if (!actor || !can(actor, "acl.manage")) return null;
  const [acls, users] = await Promise.all([listAclsCovering(actor, target), listUsers(actor)]);
  const admins = users.filter((user) => user.isAdmin && !user.disabled);
  const grantable = target.kind === "pool" || target.kind === "host" || target.kind === "vm" || target.kind === "sr" || target.kind === "network";

  return (
    <Section
      title={title}
      description={
        <>
          Who may see or act on this object through an ACL.{" "}
          {admins.length > 0 && (
            <>
              Global administrators can do everything:{" "}
              {admins.map((admin, index) => (
                <span key={admin.id}>
                  {index > 0 && ", "}
                  <Link href={userHref(admin.id)} className="text-link hover:underline">
                    {admin.username}
                  </Link>
                </span>
              ))}
              .
            </>
          )}
        </>
      }
      actions={
        grantable && (
          <Link href={aclsHref({ kind: target.kind, object: target.uuid })} className={buttonClasses("secondary", "sm")}>
            Grant access
          </Link>
        )
      }
    >
      {acls.length === 0 ? (
        <div className="rounded-lg border border-line bg-surface">
          <EmptyState title="No ACL covers this object" icon="shield">
            Only global administrators can see it.
          </EmptyState>
        </div>
      ) : (
        <DataTable label={`Access to ${objectName ?? "this object"}`}>
          <TableHead>
            <tr>
              <HeaderCell>Who</HeaderCell>
              <HeaderCell>Role</HeaderCell>
              <HeaderCell>Through the ACL on</HeaderCell>
              <HeaderCell>Granted by</HeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {acls.map((acl) => (
              <TableRow key={acl.id}>
                <Cell>
                  <AclSubjectLink subject={acl.subject} />
                </Cell>
                <Cell>
                  <RoleBadge role={acl.role} />
                </Cell>
                <Cell>
                  <AclObjectName kind={acl.objectKind} label={acl.objectLabel} uuid={acl.objectUuid} />{" "}
                  <span className="text-muted">({SCOPE_WORDS[acl.scope]})</span>
                </Cell>
                <Cell muted>{acl.createdBy}</Cell>
              </TableRow>
            ))}
          </TableBody>
        </DataTable>
      )}
    </Section>
  );
}
