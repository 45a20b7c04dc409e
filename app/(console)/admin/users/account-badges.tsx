import type { UserDto } from "@/lib/auth/users";
import { Badge } from "@/lib/ui/badge";

/** Account type and state at a glance: global admin or ACL-based, disabled, waiting for a new password. */
export function AccountBadges({ user }: { user: Pick<UserDto, "isAdmin" | "disabled" | "mustChangePassword" | "twoFactorEnabled"> }) {
  return (
    <span className="flex flex-wrap gap-1">
      {user.isAdmin ? <Badge tone="violet">Global admin</Badge> : <Badge>ACL-based</Badge>}
      {user.disabled && (
        <Badge tone="error" dot>
          Disabled
        </Badge>
      )}
      {user.mustChangePassword && <Badge tone="warn">Must change password</Badge>}
      {user.twoFactorEnabled && <Badge tone="ok">Two-factor</Badge>}
    </span>
  );
}
