/**
 * `npm start` / `npm run dev`: serves XenDeck on PORT (default 3000) and HOSTNAME (default all interfaces).
 *
 *   node --import tsx lib/server/main.ts [--dev]
 *
 * SIGTERM/SIGINT: the server stops accepting requests, the app logs out of its pools (instrumentation.ts),
 * then the process exits.
 */
import { fileURLToPath } from "node:url";
import { startXenDeckServer } from "./http-server";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** How long the app has to log out of its pools after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 3_000;

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT || 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}
const hostname = process.env.HOSTNAME || undefined;

const running = await startXenDeckServer({ dir: ROOT, port, hostname, dev });
console.log(`XenDeck ${dev ? "(development) " : ""}listening on http://${hostname ?? "localhost"}:${running.port}`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  void running.close();
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
