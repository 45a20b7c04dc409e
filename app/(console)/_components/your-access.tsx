/**
 * For a user who is not a global admin: their role on the object and where it comes from, and what the actions
 * they are not offered need ("Operator here, through pool lab. Delete, clone… need the Admin role."). Global
 * admins see who has access instead (object-access.tsx).
 */
import { explainAccess, type AccessSubject, type Securable } from "@/lib/access/can";
import { accessInWords } from "@/lib/admin/access-words";
import { grantedObjectName } from "@/lib/inventory/acl-objects";

export function YourAccess({ user, target }: { user: AccessSubject; target: Securable }) {
  const explanation = explainAccess(user, target);
  // The granting object by its name now (the ACL keeps the label it was granted with, or none).
  const reasons = explanation.reasons.map((reason) => ({
    ...reason,
    grant: { ...reason.grant, objectLabel: grantedObjectName(user, reason.grant.objectKind, reason.grant.objectUuid) ?? reason.grant.objectLabel },
  }));
  const { role, missing } = accessInWords({ ...explanation, reasons }, target.kind);
  if (!role) return null;
  return (
    <section aria-label="Your access" className="text-xs text-muted">
      <p>
        <span className="font-medium text-fg">Your access:</span> {role}
      </p>
      {missing.length > 0 && <p>{missing.join(" ")}</p>}
    </section>
  );
}
