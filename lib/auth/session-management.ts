/**
 * Seeing and ending sessions: users see their own active sessions (browser, address, last seen) and end any of
 * them; global admins see a user's and end them all. Every ending is audited, and applies at the session's next
 * request on every instance (lib/auth/sessions.ts).
 */
import "server-only";
import { z } from "zod";
import { recordAnonymousAudit } from "@/lib/audit/anonymous";
import { recordAuditInTransaction, recordChangeInTransaction } from "@/lib/audit/record";
import { can } from "@/lib/access/can";
import { NOT_SIGNED_IN, refuseUnlessAllowed } from "@/lib/access/refusal";
import { failure, invalidInput, type MutationResult } from "@/lib/actions/result";
import { getDb } from "@/lib/db/client";
import { lockedMutation } from "@/lib/db/transaction";
import { currentClientAddress } from "./request-context";
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

/** Ends one of the actor's own sessions (this one included: that is a logout). Another user's session id is "not found". */
export async function endOwnSession(actor: CurrentUser | null, input: unknown): Promise<MutationResult<{ endedCurrent: boolean }>> {
  if (!actor) {
    await recordAnonymousAudit({
      actor: null,
      address: await currentClientAddress(),
      action: "session.end",
      outcome: "refused",
      error: { code: "NOT_SIGNED_IN", message: NOT_SIGNED_IN },
    });
    return failure(NOT_SIGNED_IN);
  }
  const parsed = endSessionSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { sessionId } = parsed.data;
  return lockedMutation("accounts", async (tx) => {
    if (!(await revokeSession(tx, sessionId, "ended-by-user", actor.id))) {
      // Ended already, or not one of the actor's: the same answer either way, and a refusal on record.
      await recordAuditInTransaction(tx, {
        actor,
        address: await currentClientAddress(),
        action: "session.end",
        object: { kind: "user", uuid: actor.id, label: actor.username },
        outcome: "refused",
        error: { code: "NOT_FOUND", message: "No such active session of this user" },
      });
      return failure("This session has already ended.");
    }
    // The id is a bearer of the session: the audit log names the session by when it started, not by its id.
    const ended = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { createdAt: true, address: true } });
    await recordChangeInTransaction(tx, actor, {
      action: "session.end",
      object: { kind: "user", uuid: actor.id, label: actor.username },
      params: { startedAt: ended.createdAt, from: ended.address, current: sessionId === actor.sessionId },
    });
    return { ok: true, endedCurrent: sessionId === actor.sessionId };
  });
}

/** Ends every session of a user (global admins); they must sign in again. */
export async function endAllUserSessions(actor: CurrentUser | null, userId: string): Promise<MutationResult<{ ended: number }>> {
  const refused = await refuseUnlessAllowed(
    actor,
    { action: "users.manage" },
    { object: { kind: "user", uuid: userId }, params: { operation: "end-sessions" } },
  );
  if (refused) return refused;
  return lockedMutation("accounts", async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true } });
    if (!user) return failure("This user no longer exists.");
    const ended = await revokeUserSessions(tx, userId, "ended-by-admin");
    await recordChangeInTransaction(tx, actor!, {
      action: "user.end_sessions",
      object: { kind: "user", uuid: user.id, label: user.username },
      params: { ended },
    });
    return { ok: true, ended };
  });
}
