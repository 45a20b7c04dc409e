/** What a list shows when it has nothing: say why, and what to do about it. */
import type { ReactNode } from "react";
import { Icon, type IconName } from "./icons";

export function EmptyState({
  title,
  icon = "info",
  action,
  children,
}: {
  title: ReactNode;
  icon?: IconName;
  /** A button or link that gets the user out of the empty state ("Clear filters", "Register a pool"). */
  action?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 px-4 py-10 text-center">
      <span className="rounded-full bg-sunken p-2.5 text-muted">
        <Icon name={icon} size={20} />
      </span>
      <p className="font-medium">{title}</p>
      {children && <div className="max-w-md text-sm text-muted">{children}</div>}
      {action && <div className="mt-2">{action}</div>}
    </div>
  );
}
