/**
 * How roles, ACL scopes, subjects and objects are presented on the access pages: names, one-line meanings,
 * badges, links. The rules themselves live in lib/access/can.ts; this only puts them into words.
 */
import Link from "next/link";
import type { AclSubjectDto } from "@/lib/access/acls";
import type { AclObjectKind, Role, ScopeReason } from "@/lib/access/can";
import { Badge } from "@/lib/ui/badge";
import type { Tone } from "@/lib/ui/tone";
import { groupHref, userHref } from "@/lib/routes";

export const ROLE_LABELS: Record<Role, string> = { viewer: "Viewer", operator: "Operator", admin: "Admin" };

/** What each role allows, as the ACL form explains it. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "sees the object and its details, its alerts and its tasks",
  operator: "viewer + start, stop, reboot, suspend, pause and snapshot",
  admin:
    "operator + everything else on the object: delete, clone, copy, migrate, revert, edit; host maintenance and power, SR rescans; dismiss its alerts, cancel its tasks",
};

const ROLE_TONES: Record<Role, Tone> = { viewer: "neutral", operator: "info", admin: "violet" };

export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={ROLE_TONES[role]}>{ROLE_LABELS[role]}</Badge>;
}

export const KIND_LABELS: Record<AclObjectKind, string> = { pool: "Pool", host: "Host", vm: "VM", sr: "SR", network: "Network" };

/** What an ACL on an object of this kind covers (issue 5's scope rules). */
export const KIND_SCOPES: Record<AclObjectKind, string> = {
  pool: "the pool and every host, VM, SR and network in it",
  host: "the host",
  vm: "the VM, its snapshots, disks and interfaces",
  sr: "the SR and its disks",
  network: "the network and its interfaces",
};

/** Why an ACL applies to an object, as a short phrase after "on …". */
export const SCOPE_WORDS: Record<ScopeReason, string> = {
  "the object itself": "this object",
  "its pool": "its pool",
  "its VM": "its VM",
  "the VM it is a snapshot of": "the VM it is a snapshot of",
  "a VM using it": "a VM using it",
  "its SR": "its SR",
  "its network": "its network",
  "what it is about": "what it is about",
};

/** An ACL's object: "VM web-01", or its uuid when it had no name. */
export function AclObjectName({ kind, label, uuid }: { kind: AclObjectKind; label: string; uuid: string }) {
  return (
    <>
      {KIND_LABELS[kind]} {label || <span className="font-mono text-xs">{uuid}</span>}
    </>
  );
}

/** An ACL's subject, linked to its page: "olivia" or "night-shift (group)". */
export function AclSubjectLink({ subject }: { subject: AclSubjectDto }) {
  if (subject.type === "user") {
    return (
      <Link href={userHref(subject.id)} className="text-link hover:underline">
        {subject.username}
      </Link>
    );
  }
  return (
    <>
      <Link href={groupHref(subject.id)} className="text-link hover:underline">
        {subject.name}
      </Link>{" "}
      <span className="text-muted">(group)</span>
    </>
  );
}
