import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm, ConfirmAction, FormRadioGroup, FormSelectField, FormTextField } from "@/lib/ui/action-form";
import { aclsHref, auditHref, groupHref, USERS_PATH } from "@/lib/routes";
import { KIND_LABELS, KIND_SCOPES, RoleBadge, SCOPE_WORDS } from "@/lib/admin/roles";
import { describeGrants, reachableObjects } from "@/lib/admin/user-access";
import { requireAdmin } from "@/lib/auth/current-user";
import { listGroups } from "@/lib/access/groups";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { listUserSessions } from "@/lib/auth/session-management";
import { loadUserAccess } from "@/lib/auth/session-user";
import { getUser } from "@/lib/auth/users";
import { registrySources } from "@/lib/inventory/acl-objects";
import { Banner } from "@/lib/ui/banner";
import { Badge } from "@/lib/ui/badge";
import { ButtonLink } from "@/lib/ui/button";
import { Card, Section } from "@/lib/ui/card";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { RemoveAclButton } from "@/app/(console)/admin/acls/remove-acl-button";
import { changeMembershipAction } from "@/app/(console)/admin/groups/actions";
import { AccountBadges } from "@/app/(console)/admin/users/account-badges";
import { ACCOUNT_TYPES } from "@/app/(console)/admin/users/account-type";
import {
  deleteUserAction,
  endUserSessionsAction,
  resetPasswordAction,
  resetTwoFactorAction,
  setUserDisabledAction,
  updateUserAction,
} from "@/app/(console)/admin/users/actions";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata(props: Props): Promise<Metadata> {
  const actor = await requireAdmin();
  const user = await getUser(actor, (await props.params).id);
  return { title: user ? `User ${user.username}` : "User" };
}

export default async function UserPage(props: Props) {
  const actor = await requireAdmin();
  const { id } = await props.params;
  const [user, access, groups, sessions] = await Promise.all([getUser(actor, id), loadUserAccess(actor, id), listGroups(actor), listUserSessions(actor, id)]);
  if (!user || !access) notFound();
  const self = user.id === actor.id;
  const otherGroups = groups.filter((group) => !user.groups.some((member) => member.id === group.id));

  return (
    <>
      <PageHeader
        title={user.username}
        meta={<AccountBadges user={user} />}
        breadcrumbs={[{ label: "Users", href: USERS_PATH }, { label: user.username }]}
        description={user.displayName || undefined}
        actions={
          <ButtonLink href={auditHref({ user: user.username })} icon="list">
            Audit entries
          </ButtonLink>
        }
      />

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card title="Account">
          <KeyValueList columns={1}>
            <KeyValue label="Created">
              <LocalTime value={user.createdAt} />
            </KeyValue>
            <KeyValue label="Last login">{user.lastLoginAt ? <LocalTime value={user.lastLoginAt} /> : "Never"}</KeyValue>
          </KeyValueList>
          <div className="mt-4 border-t border-line pt-4">
            <ActionForm action={updateUserAction} submitLabel="Save">
              <input type="hidden" name="userId" value={user.id} />
              <FormTextField label="Display name" name="displayName" defaultValue={user.displayName} autoComplete="off" />
              <FormRadioGroup legend="Account type" name="accountType" defaultValue={user.isAdmin ? "admin" : "user"} options={ACCOUNT_TYPES} />
            </ActionForm>
          </div>
        </Card>

        <div className="space-y-4">
          <Card
            title={user.disabled ? "Account disabled" : "Sign-in"}
            description={user.disabled ? "This user cannot log in." : "Disabling ends the user's sessions at once."}
          >
            <ActionForm
              action={setUserDisabledAction}
              submitLabel={user.disabled ? "Enable account" : "Disable account"}
              submitVariant={user.disabled ? "primary" : "secondary"}
            >
              <input type="hidden" name="userId" value={user.id} />
              <input type="hidden" name="disabled" value={user.disabled ? "false" : "true"} />
            </ActionForm>
          </Card>

          <Card title="Reset password" description="The user's sessions end, and they must choose a new password at their next login.">
            <ActionForm action={resetPasswordAction} submitLabel="Reset password" submitVariant="secondary">
              <input type="hidden" name="userId" value={user.id} />
              <FormTextField
                label="Temporary password"
                name="password"
                type="password"
                autoComplete="new-password"
                hint={`Leave both fields empty to generate one. At least ${PASSWORD_MIN_LENGTH} characters.`}
              />
              <FormTextField label="Confirm temporary password" name="confirmPassword" type="password" autoComplete="new-password" />
            </ActionForm>
          </Card>

          <Card
            title="Sessions"
            description={`${formatCount(sessions.length, "active session")}. Ending them signs the user out everywhere; copied cookies stop working too.`}
          >
            {sessions.length > 0 && (
              <ul className="mb-3 divide-y divide-line text-sm">
                {sessions.map((session) => (
                  <li key={session.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                    <span>
                      {session.browser} <span className="font-mono text-muted">{session.address ?? "unknown address"}</span>
                    </span>
                    <span className="text-muted">
                      last seen <LocalTime value={session.lastSeenAt} format="relative" />
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <ActionForm action={endUserSessionsAction} submitLabel="End all sessions" submitVariant="secondary">
              <input type="hidden" name="userId" value={user.id} />
            </ActionForm>
          </Card>

          <Card
            title="Two-factor login"
            description={user.twoFactorEnabled ? "On. Reset it when the user lost their authenticator and recovery codes." : "Off for this user."}
          >
            {user.twoFactorEnabled && (
              <ConfirmAction
                action={resetTwoFactorAction}
                input={{ userId: user.id }}
                triggerLabel="Reset second factor"
                title={`Reset the second factor of ${user.username}?`}
                confirmLabel="Reset"
                doneMessage="Second factor removed: the user signs in with their password and sets up a new one if required."
              >
                Their authenticator and recovery codes stop working. Make sure the request really comes from them.
              </ConfirmAction>
            )}
          </Card>

          <Card title="Delete account">
            <p className="mb-3 text-sm text-muted">Its ACLs and group memberships go with it; its audit entries stay.</p>
            <ConfirmAction
              action={deleteUserAction}
              input={{ userId: user.id }}
              triggerLabel="Delete user"
              title={`Delete ${user.username}?`}
              confirmLabel="Delete"
            >
              {self ? "This is your own account: you will be signed out." : "This cannot be undone."}
            </ConfirmAction>
          </Card>
        </div>
      </div>

      <Section title="Groups" className="mt-6" description="The user also has every ACL of their groups.">
        <Card>
          {user.groups.length === 0 ? (
            <p className="text-sm text-muted">Not a member of any group.</p>
          ) : (
            <ul className="divide-y divide-line">
              {user.groups.map((group) => (
                <li key={group.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <Link href={groupHref(group.id)} className="text-link hover:underline">
                    {group.name}
                  </Link>
                  <ActionForm action={changeMembershipAction} submitLabel="Remove" submitVariant="ghost" inline>
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="groupId" value={group.id} />
                    <input type="hidden" name="userId" value={user.id} />
                  </ActionForm>
                </li>
              ))}
            </ul>
          )}
          {otherGroups.length > 0 && (
            <div className="mt-3 border-t border-line pt-3">
              <ActionForm action={changeMembershipAction} submitLabel="Add to group" submitVariant="secondary" inline>
                <input type="hidden" name="userId" value={user.id} />
                <FormSelectField
                  label="Group"
                  name="groupId"
                  placeholder="Choose a group…"
                  options={otherGroups.map((group) => ({ value: group.id, label: group.name }))}
                  className="min-w-56"
                />
              </ActionForm>
            </div>
          )}
        </Card>
      </Section>

      <UserAccess user={user} access={access} />
    </>
  );
}

/** Everything the user can reach and why: their ACLs, then every object those ACLs reach now. */
function UserAccess({
  user,
  access,
}: {
  user: { id: string; username: string; isAdmin: boolean; disabled: boolean };
  access: NonNullable<Awaited<ReturnType<typeof loadUserAccess>>>;
}) {
  const grantLink = (
    <ButtonLink href={aclsHref({ subject: `user:${user.id}` })} size="sm" icon="plus">
      Grant access
    </ButtonLink>
  );
  if (user.isAdmin) {
    return (
      <Section title="Access" className="mt-6">
        <Banner tone="info" live="none" title="Global administrator">
          {user.username} can see and do everything: every pool and object, users, groups, ACLs and the whole audit log.
          {access.grants.length > 0 && ` Their ${formatCount(access.grants.length, "ACL")} add nothing while they are an administrator.`}
        </Banner>
      </Section>
    );
  }
  const sources = registrySources();
  const grants = describeGrants(access, sources);
  const reachable = reachableObjects(access, sources);
  return (
    <>
      <Section
        title="ACLs"
        className="mt-6"
        description={`${user.disabled ? "The account is disabled; this is what it would reach. " : ""}Their own ACLs and those of their groups.`}
        actions={grantLink}
      >
        {grants.length === 0 ? (
          <Card padded={false}>
            <EmptyState title="No ACL" icon="shield">
              {user.username} sees nothing: no pool, host or VM. Grant them a role on an object, or add them to a group.
            </EmptyState>
          </Card>
        ) : (
          <DataTable label={`ACLs of ${user.username}`}>
            <TableHead>
              <tr>
                <HeaderCell>Object</HeaderCell>
                <HeaderCell>Role</HeaderCell>
                <HeaderCell>Covers</HeaderCell>
                <HeaderCell>Through</HeaderCell>
                <HeaderCell>
                  <span className="sr-only">Actions</span>
                </HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {grants.map(({ grant, object }) => (
                <TableRow key={`${grant.aclId}`}>
                  <Cell>
                    {KIND_LABELS[grant.objectKind]} {object?.name ?? grant.objectLabel}
                    {object ? (
                      <span className="text-muted"> · {object.poolLabel}</span>
                    ) : (
                      <Badge tone="warn" className="ml-1" title={grant.objectUuid}>
                        not in any connected pool
                      </Badge>
                    )}
                  </Cell>
                  <Cell>
                    <RoleBadge role={grant.role} />
                  </Cell>
                  <Cell muted>{KIND_SCOPES[grant.objectKind]}</Cell>
                  <Cell>
                    {grant.via.type === "user" ? (
                      "Direct ACL"
                    ) : (
                      <>
                        Group{" "}
                        <Link href={groupHref(grant.via.groupId)} className="text-link hover:underline">
                          {grant.via.groupName}
                        </Link>
                      </>
                    )}
                  </Cell>
                  <Cell>{grant.via.type === "user" && <RemoveAclButton aclId={grant.aclId} />}</Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
        )}
      </Section>

      {grants.length > 0 && (
        <Section
          title="What they can reach"
          className="mt-6"
          description={`In the connected pools: ${formatCount(reachable.counts.pool, "pool")}, ${formatCount(reachable.counts.host, "host")}, ${formatCount(reachable.counts.vm, "VM")}, ${formatCount(reachable.counts.sr, "SR")}, ${formatCount(reachable.counts.network, "network")}.${reachable.total > reachable.objects.length ? ` The first ${reachable.objects.length} are listed.` : ""}`}
        >
          <DataTable label={`Objects ${user.username} can reach`}>
            <TableHead>
              <tr>
                <HeaderCell>Object</HeaderCell>
                <HeaderCell>Pool</HeaderCell>
                <HeaderCell>Role</HeaderCell>
                <HeaderCell>Why</HeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {reachable.objects.map(({ object, role, reasons }) => (
                <TableRow key={`${object.kind}:${object.uuid}`}>
                  <Cell>
                    {KIND_LABELS[object.kind]} {object.name}
                  </Cell>
                  <Cell muted>{object.poolLabel}</Cell>
                  <Cell>
                    <RoleBadge role={role} />
                  </Cell>
                  <Cell muted>
                    {reasons
                      .map(({ grant, scope }) => `${grant.role} on ${SCOPE_WORDS[scope]}${grant.via.type === "group" ? ` (group ${grant.via.groupName})` : ""}`)
                      .join("; ")}
                  </Cell>
                </TableRow>
              ))}
            </TableBody>
          </DataTable>
        </Section>
      )}
    </>
  );
}
