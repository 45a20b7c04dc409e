/**
 * How a console websocket ends, as the browser sees it: a close code (4000-4999 are the application's) with a
 * sentence as the reason. Shared by the proxy and the console widget, which decides from the code whether to
 * reconnect by itself (the VM is rebooting) or to show why it stopped (the user lost access).
 */

export const CONSOLE_CLOSE = {
  /** The console closed on the host: the VM rebooted, stopped or moved. Reconnecting finds the new one. */
  consoleEnded: 4000,
  /** The XenDeck session is over (signed out, expired, account disabled). */
  sessionEnded: 4001,
  /** The user may see the VM but not open its console (or lost that right while it was open). */
  notAllowed: 4003,
  /** No such VM, or one the user may not see (the same answer). */
  notFound: 4004,
  /** Closed after the idle timeout (no keyboard or mouse input). */
  idle: 4008,
  /** The VM is not running, so it has no console now. */
  notRunning: 4009,
  /** Closed after the maximum console duration. */
  maxDuration: 4010,
  /** Too many consoles open (for this user, or on this server). */
  tooMany: 4029,
  /** The host could not be reached or refused to open the console. */
  unavailable: 4502,
  /** XenDeck could not record the console in the audit log, so it does not open it. */
  auditFailed: 4500,
  /** The browser sent something that is not console bytes. */
  badInput: 1003,
  /** The server is stopping. */
  serverStopping: 1001,
} as const;

export type ConsoleCloseCode = (typeof CONSOLE_CLOSE)[keyof typeof CONSOLE_CLOSE];

/** Codes after which reconnecting may work at once (the VM is rebooting, the host hiccupped, the network dropped). */
export const RECONNECTABLE_CLOSE_CODES: ReadonlySet<number> = new Set([
  CONSOLE_CLOSE.consoleEnded,
  CONSOLE_CLOSE.notRunning,
  CONSOLE_CLOSE.unavailable,
  1006,
  1001,
]);

/** What the console widget does after a close: reconnect by itself, offer a button, or explain and stop. */
export interface CloseOutcome {
  reconnect: "auto" | "manual" | "never";
  message: string;
  /** The session is over: the way on is signing in again. */
  signIn?: boolean;
}

/** The widget's reading of a close code (and the server's reason, when it gave one). */
export function closeOutcome(code: number, reason: string): CloseOutcome {
  switch (code) {
    case CONSOLE_CLOSE.consoleEnded:
      return { reconnect: "auto", message: "The console closed (the VM may be rebooting); reconnecting…" };
    case CONSOLE_CLOSE.notRunning:
      return { reconnect: "auto", message: "The VM has no console right now (it is not running); retrying…" };
    case CONSOLE_CLOSE.unavailable:
      return { reconnect: "auto", message: reason || "The host did not open the console; retrying…" };
    case CONSOLE_CLOSE.serverStopping:
      return { reconnect: "auto", message: "XenDeck is restarting; reconnecting…" };
    case 1006:
      return { reconnect: "auto", message: "The connection was lost; reconnecting…" };
    case CONSOLE_CLOSE.sessionEnded:
      return { reconnect: "never", message: reason || "Your session has ended. Sign in again to use the console.", signIn: true };
    case CONSOLE_CLOSE.notAllowed:
    case CONSOLE_CLOSE.notFound:
      return { reconnect: "never", message: reason || "You do not have access to this console." };
    default:
      return { reconnect: "manual", message: reason || "The console was closed." };
  }
}
