/**
 * Server start: register the console websocket endpoint (lib/consoles), connect to every registered pool so
 * that pages render from a live cache; the pools are logged out of when the server stops (SIGTERM/SIGINT).
 * Node.js runtime only: the XAPI client needs sockets and the database, so the server-side module is imported
 * only there.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { registerConsoleRoute } = await import("@/lib/consoles/register");
  registerConsoleRoute();
  const { startInventory } = await import("@/lib/live/server-lifecycle");
  await startInventory();
}
