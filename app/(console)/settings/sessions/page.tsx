import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { listOwnSessions } from "@/lib/auth/session-management";
import { ActionForm } from "@/lib/ui/action-form";
import { Badge } from "@/lib/ui/badge";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { endSessionAction } from "./actions";

export const metadata: Metadata = { title: "Sessions" };

/** Where one is signed in: each browser's session, and a button to end it (a stolen cookie stops working at once). */
export default async function SessionsPage() {
  const user = await requireUser();
  const sessions = await listOwnSessions(user);
  return (
    <>
      <PageHeader title="Sessions" description="The browsers signed in to your account. End a session you do not recognise, then change your password." />
      <DataTable label="Your sessions">
        <TableHead>
          <tr>
            <HeaderCell>Browser</HeaderCell>
            <HeaderCell>Address</HeaderCell>
            <HeaderCell>Signed in</HeaderCell>
            <HeaderCell>Last seen</HeaderCell>
            <HeaderCell>
              <span className="sr-only">Actions</span>
            </HeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {sessions.map((session) => (
            <TableRow key={session.id}>
              <Cell>
                {session.browser}
                {session.current && (
                  <Badge tone="info" className="ml-2">
                    This browser
                  </Badge>
                )}
              </Cell>
              <Cell mono>{session.address ?? "unknown"}</Cell>
              <Cell>
                <LocalTime value={session.createdAt} />
              </Cell>
              <Cell>
                <LocalTime value={session.lastSeenAt} format="relative" />
              </Cell>
              <Cell>
                <ActionForm action={endSessionAction} submitLabel={session.current ? "Log out" : "End session"} submitVariant="secondary" inline>
                  <input type="hidden" name="sessionId" value={session.id} />
                </ActionForm>
              </Cell>
            </TableRow>
          ))}
        </TableBody>
      </DataTable>
    </>
  );
}
