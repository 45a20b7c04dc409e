/**
 * A non-admin's access to an object, in words for the object's page: which role they have there and where it
 * comes from ("Operator here, through pool lab"), and which role what they cannot do needs. Pure: it reads an
 * `explainAccess` answer (lib/access/can.ts) and the action catalogue.
 */
import { OBJECT_ACTIONS, roleAtLeast, ROLES, type AccessExplanation, type ObjectAction, type Role, type SecurableKind } from "@/lib/access/can";

const ROLE_NAMES: Record<Role, string> = { viewer: "Viewer", operator: "Operator", admin: "Admin" };
const KIND_NAMES: Record<string, string> = { pool: "pool", host: "host", vm: "VM", sr: "SR", network: "network" };

/** What the page's user may be missing, as verbs; actions not listed here are said by these (start_on by start). */
const ACTION_WORDS: Partial<Record<ObjectAction, string>> = {
  "vm.start": "start",
  "vm.shutdown.clean": "shut down",
  "vm.reboot.clean": "reboot",
  "vm.suspend": "suspend",
  "vm.pause": "pause",
  "vm.snapshot": "take snapshots",
  "vm.snapshot.delete": "delete snapshots",
  "vm.delete": "delete",
  "vm.clone": "clone",
  "vm.copy": "copy",
  "vm.migrate": "migrate",
  "vm.revert": "revert to a snapshot",
  "vm.edit": "edit",
  "pool.manage": "manage the pool",
  "host.manage": "manage the host",
  "sr.manage": "manage the SR",
  "network.manage": "manage the network",
};

export interface AccessInWords {
  /** "Operator here, through pool lab." (null for a global admin or without access). */
  role: string | null;
  /** "Delete, clone and edit need the Admin role." One sentence per role above the user's. */
  missing: string[];
}

const capitalise = (text: string) => (text ? `${text[0]!.toUpperCase()}${text.slice(1)}` : text);

/** "a", "a and b", "a, b and c". */
function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Where the strongest ACL comes from: "through pool lab", "through group ops's ACL on this VM". */
function source(explanation: AccessExplanation): string {
  const { grant, scope } = explanation.reasons[0]!;
  const kind = KIND_NAMES[grant.objectKind] ?? grant.objectKind;
  const object = scope === "the object itself" ? `this ${kind}` : `${kind} ${grant.objectLabel || grant.objectUuid}`;
  const through =
    grant.via.type === "group" ? `group ${grant.via.groupName}'s ACL on ${object}` : scope === "the object itself" ? `an ACL on ${object}` : object;
  const others = explanation.reasons.length - 1;
  return `through ${through}${others > 0 ? ` (and ${others} other ACL${others === 1 ? "" : "s"})` : ""}`;
}

/** The words for `explanation` of a user's access to an object of `kind`. */
export function accessInWords(explanation: AccessExplanation, kind: SecurableKind): AccessInWords {
  if (explanation.isGlobalAdmin || explanation.role === null) return { role: null, missing: [] };
  const role = explanation.role;
  const missing: string[] = [];
  for (const needed of ROLES) {
    if (roleAtLeast(role, needed)) continue;
    const verbs = (Object.keys(OBJECT_ACTIONS) as ObjectAction[])
      .filter((action) => OBJECT_ACTIONS[action].kind === kind && OBJECT_ACTIONS[action].role === needed)
      .flatMap((action) => ACTION_WORDS[action] ?? []);
    if (verbs.length > 0) missing.push(`${capitalise(joinAnd(verbs))} need${verbs.length === 1 ? "s" : ""} the ${ROLE_NAMES[needed]} role.`);
  }
  return { role: `${ROLE_NAMES[role]} here, ${source(explanation)}.`, missing };
}
