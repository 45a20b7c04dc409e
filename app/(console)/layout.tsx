import { getShellUser } from "@/lib/auth/shell-user";
import { ConsoleShell } from "@/lib/ui/shell/console-shell";

/**
 * Every page behind login renders inside the console shell. The user comes from `getShellUser()` (see
 * lib/auth/shell-user.ts); the layout only decides what the frame shows. Layouts do not re-run on every client
 * navigation, so each page and server action still checks the session and permissions itself.
 */
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await getShellUser();
  return <ConsoleShell user={user}>{children}</ConsoleShell>;
}
