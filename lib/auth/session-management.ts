/**
 * Seeing and ending sessions: users see their own active sessions (browser, address, last seen) and end any of
 * them; global admins see a user's and end them all (authorized by their actions, lib/account/actions.ts and
 * lib/admin/actions.ts). Every ending is audited, and applies at the session's next request on every instance
 * (lib/auth/sessions.ts).
 */
import "server-only";
import { z } from "zod";
import type { RecordChange } from "@/lib/audit/record";
import { can } from "@/lib/access/can";
import { failure, invalidInput, refusal, type ActionResult } from "@/lib/result";
import { getDb } from "@/lib/db/client";
import { lockedMutation } from "@/lib/db/transaction";
import type { CurrentUser } from "./session-user";
import { activeSessions, revokeSession, revokeUserSessions, type SessionDto } from "./sessions";

export type { SessionDto } from "./sessions";

/** The actor's own active sessions, theirs marked `current`. */
export async function listOwnSessions(actor: CurrentUser): Promise<SessionDto[]> {
  return activeSessions(getDb(), actor.id, actor.sessionId);
}

/** A user's active sessions, for global admins (empty for anyone else). */
export async function listUserSessions(actor: CurrentUser, userId: string): Promise<SessionDto[]> {
  if (!can(actor, "users.manage")) return [];
  return activeSessions(getDb(), userId, actor.sessionId);
}

export const endSessionSchema = z.object({ sessionId: z.string().min(1, "No session given").max(100) });

/**
 * Ends one of the actor's own sessions (this one included: that is a logout). Another user's session, or one
 * that has ended, gets the same refusal.
 */
export async function endOwnSession(actor: CurrentUser, input: unknown, record: RecordChange): Promise<ActionResult<{ endedCurrent: boolean }>> {
  const parsed = endSessionSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { sessionId } = parsed.data;
  return lockedMutation("accounts", async (tx) => {
    if (!(await revokeSession(tx, sessionId, "ended-by-user", actor.id))) return refusal("NOT_FOUND", "This session has already ended.");
    // The id is a bearer of the session: the audit log names the session by when it started, not by its id.
    const ended = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { createdAt: true, address: true } });
    const endedCurrent = sessionId === actor.sessionId;
    await record(tx, {
      object: { kind: "user", uuid: actor.id, label: actor.username },
      params: { startedAt: ended.createdAt, from: ended.address, current: endedCurrent },
    });
    return { ok: true, endedCurrent };
  });
}

/** Ends every session of a user (global admins, authorized by the action); they must sign in again. */
export async function endAllUserSessions(userId: string, record: RecordChange): Promise<ActionResult<{ ended: number }>> {
  return lockedMutation("accounts", async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true } });
    if (!user) return failure("This user no longer exists.");
    const ended = await revokeUserSessions(tx, userId, "ended-by-admin");
    await record(tx, { object: { kind: "user", uuid: user.id, label: user.username }, params: { ended } });
    return { ok: true, ended };
  });
}
