/**
 * The consoles open in this server process, and the watch kept over them. Every CHECK_INTERVAL_MS each one is
 * re-authorized as if it were opened now: its session cookie goes through the session check again (an account
 * disabled, a session revoked or expired ends it) and the user's rights are re-read (an ACL removed ends it),
 * so a revoked right closes an open console within seconds. Idle consoles (no keyboard or mouse input) and
 * consoles open past the maximum duration are closed too. One check per distinct session per round, so many
 * consoles of one browser cost one database read.
 */
import "server-only";
import { can, type AccessSubject } from "@/lib/access/can";
import { userFromSessionCookies, type CookieReader } from "@/lib/auth/current-user";
import { getConfig } from "@/lib/config";
import { CONSOLE_CLOSE } from "./close-codes";
import { locateConsoleVm } from "./locate";

export const CHECK_INTERVAL_MS = 2_000;

export interface OpenConsole {
  id: string;
  userId: string;
  /** The Cookie header the console was opened with: the session it belongs to. */
  cookieHeader: string;
  readCookies: CookieReader;
  vmUuid: string;
  openedAt: number;
  /** Last keyboard or mouse input. */
  lastInputAt: number;
  close(code: number, reason: string, auditReason: string): void;
  /** Bytes relayed so far, and whether the console is being read (false while the browser lags behind). */
  stats(): { toBrowser: number; fromBrowser: number; flowing: boolean };
}

/** What the periodic check decides about one console: keep it, or close it with a code, sentence and audit reason. */
export type ConsoleVerdict = null | { code: number; reason: string; auditReason: string };

/** Idle and maximum-duration limits (seconds, 0 = none) applied to one console at `now`. */
export function timeVerdict(entry: Pick<OpenConsole, "openedAt" | "lastInputAt">, now: number, limits = getConfig().consoles): ConsoleVerdict {
  if (limits.maxDurationSeconds > 0 && now - entry.openedAt >= limits.maxDurationSeconds * 1000)
    return { code: CONSOLE_CLOSE.maxDuration, reason: "The console reached its maximum duration.", auditReason: "maximum duration" };
  if (limits.idleTimeoutSeconds > 0 && now - entry.lastInputAt >= limits.idleTimeoutSeconds * 1000)
    return { code: CONSOLE_CLOSE.idle, reason: "The console was closed after a period without input.", auditReason: "idle timeout" };
  return null;
}

/** Whether `user` (null: no valid session any more) may still have this VM's console open. */
export function accessVerdict(user: (AccessSubject & { mustChangePassword?: boolean }) | null, vmUuid: string): ConsoleVerdict {
  if (!user || user.mustChangePassword) return { code: CONSOLE_CLOSE.sessionEnded, reason: "Your session has ended.", auditReason: "session ended" };
  const located = locateConsoleVm(vmUuid);
  // A VM that left the cache (deleted, pool disconnected): its console ends on its own; nothing to decide.
  if (!located) return null;
  if (!can(user, located.permission, located.target))
    return { code: CONSOLE_CLOSE.notAllowed, reason: "You no longer have access to this console.", auditReason: "access revoked" };
  return null;
}

class OpenConsoles {
  private readonly consoles = new Set<OpenConsole>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  get size(): number {
    return this.consoles.size;
  }

  countFor(userId: string): number {
    let count = 0;
    for (const entry of this.consoles) if (entry.userId === userId) count++;
    return count;
  }

  add(entry: OpenConsole): void {
    this.consoles.add(entry);
    this.timer ??= setInterval(() => void this.check(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  delete(entry: OpenConsole): void {
    this.consoles.delete(entry);
    if (this.consoles.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** A snapshot of every open console (tests, benchmarks). */
  list(): readonly OpenConsole[] {
    return [...this.consoles];
  }

  /** Closes every console (server shutdown). */
  closeAll(code: number, reason: string, auditReason: string): void {
    for (const entry of [...this.consoles]) entry.close(code, reason, auditReason);
  }

  /** One round of checks (also called directly by tests that do not want to wait for the timer). */
  async check(now = Date.now()): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const bySession = new Map<string, OpenConsole[]>();
      for (const entry of this.consoles) {
        const verdict = timeVerdict(entry, now);
        if (verdict) {
          entry.close(verdict.code, verdict.reason, verdict.auditReason);
          continue;
        }
        const group = bySession.get(entry.cookieHeader);
        if (group) group.push(entry);
        else bySession.set(entry.cookieHeader, [entry]);
      }
      for (const group of bySession.values()) {
        const user = await userFromSessionCookies(group[0]!.readCookies).catch((error: unknown) => {
          // The database is unreachable: the consoles stay open (refusing everyone would be an outage); next round retries.
          console.error(`[xendeck consoles] could not re-check a console session: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        });
        if (user === undefined) continue;
        for (const entry of group) {
          const verdict = accessVerdict(user, entry.vmUuid);
          if (verdict) entry.close(verdict.code, verdict.reason, verdict.auditReason);
        }
      }
    } finally {
      this.checking = false;
    }
  }
}

const GLOBAL_KEY = Symbol.for("xendeck.consoles.open");
type GlobalWithConsoles = typeof globalThis & { [GLOBAL_KEY]?: OpenConsoles };

/** The open consoles of this process. */
export function openConsoles(): OpenConsoles {
  return ((globalThis as GlobalWithConsoles)[GLOBAL_KEY] ??= new OpenConsoles());
}
