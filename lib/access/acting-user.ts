/**
 * The first step of every administration server action and route handler: who is asking. A request without a
 * valid session is refused, and the refusal audited, like any other refused action: server actions are public
 * endpoints that anyone can POST to. What the user may do is then decided by the repositories (`can` through
 * `refuseUnlessAllowed`), which audit their own refusals.
 */
import "server-only";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/current-user";
import { refuseUnlessAllowed } from "@/lib/access/refusal";
import type { MutationFailure } from "@/lib/actions/result";

type RefusalArguments = Parameters<typeof refuseUnlessAllowed>;

/** The signed-in user, or the audited refusal to return when there is none. */
export async function actingUser(permission: RefusalArguments[1], audit?: RefusalArguments[2]): Promise<CurrentUser | MutationFailure> {
  const actor = await getCurrentUser();
  return actor ?? (await refuseUnlessAllowed(null, permission, audit))!;
}

/** Like `actingUser`, but also refuses (and audits) users who may not perform `permission`. */
export async function allowedUser(permission: RefusalArguments[1], audit?: RefusalArguments[2]): Promise<CurrentUser | MutationFailure> {
  const actor = await getCurrentUser();
  return (await refuseUnlessAllowed(actor, permission, audit)) ?? actor!;
}

export function isRefusal(value: CurrentUser | MutationFailure): value is MutationFailure {
  return "ok" in value && value.ok === false;
}
