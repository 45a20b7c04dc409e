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
