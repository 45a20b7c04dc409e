/**
 * The ACL page's URL state: `?q=&subject=user:<id>|group:<id>&kind=&object=<uuid>&role=`. Parsing never throws:
 * a value that makes no sense is dropped, so a mangled URL shows the unfiltered list rather than an error.
 */
import { z } from "zod";
import type { AclDto } from "@/lib/access/acls";
import { ACL_OBJECT_KINDS, ROLES, type AclObjectKind, type Role } from "@/lib/access/can";

export interface AclListFilter {
  /** Free text over the subject's and object's names and the object's uuid. */
  q: string;
  /** `user:<id>` or `group:<id>`. */
  subject: string;
  kind: AclObjectKind | "";
  /** An object's XAPI uuid. */
  object: string;
  role: Role | "";
}

const text = (max: number) => z.string().trim().max(max).catch("");
const first = (value: unknown) => (Array.isArray(value) ? value[0] : value) ?? "";

const filterSchema = z.object({
  q: text(200),
  subject: z
    .string()
    .trim()
    .regex(/^(user|group):[A-Za-z0-9-]{1,100}$/)
    .catch(""),
  kind: z.enum(ACL_OBJECT_KINDS).or(z.literal("")).catch(""),
  object: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,100}$/)
    .catch(""),
  role: z.enum(ROLES).or(z.literal("")).catch(""),
});

/** The filter from the page's search params (unknown keys ignored, bad values dropped). */
export function parseAclListFilter(params: Record<string, string | string[] | undefined>): AclListFilter {
  const raw = Object.fromEntries(["q", "subject", "kind", "object", "role"].map((key) => [key, first(params[key])]));
  return filterSchema.parse(raw);
}

/** The subject part of the filter as the repository's filter. */
export function subjectFilter(subject: string): { userId?: string; groupId?: string } {
  const [type, id] = subject.split(":");
  if (!id) return {};
  return type === "user" ? { userId: id } : type === "group" ? { groupId: id } : {};
}

/** What the repository cannot filter on (role, free text), applied to its result. */
export function filterAcls(acls: readonly AclDto[], filter: Pick<AclListFilter, "q" | "role">): AclDto[] {
  const words = filter.q.toLowerCase().split(/\s+/).filter(Boolean);
  return acls.filter((acl) => {
    if (filter.role && acl.role !== filter.role) return false;
    if (words.length === 0) return true;
    const subject = acl.subject.type === "user" ? `${acl.subject.username} ${acl.subject.displayName}` : acl.subject.name;
    const haystack = `${subject}\n${acl.objectLabel}\n${acl.objectUuid}\n${acl.objectKind}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
