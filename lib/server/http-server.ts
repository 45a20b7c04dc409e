/**
 * XenDeck's HTTP server: Next.js's request handler inside a plain Node.js server, in the same process. It exists
 * for what `next start` cannot do:
 *
 * - **The client's address.** Every request gets `x-xendeck-peer-address` = the TCP peer of its socket (whatever
 *   the client sent under that name is replaced), so the app reads an address no client can forge
 *   (lib/auth/request-context.ts decides, with XENDECK_TRUSTED_PROXIES, which address is the client's).
 * - **Security headers** on every response, with a per-request CSP nonce (./security-headers.ts), and a 400 for
 *   URLs whose path cannot be decoded (./request-url.ts), which Next would answer with a 500.
 * - **Websocket upgrades** for VM consoles: a path registered in `UPGRADE_ROUTES` (lib/upgrade-routes.ts, filled from
 *   Next's bundle by instrumentation.ts) gets the raw upgrade; the rest (the dev server's hot reload) goes to Next.
 *
 * Kept thin on purpose: no app logic here, only routing of sockets.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import next from "next";
import { PEER_ADDRESS_HEADER } from "../auth/peer-address";
import { answerBadRequest, hasDecodablePath } from "./request-url";
import { securityHeaderApplier } from "./security-headers";
import { UPGRADE_ROUTES } from "@/lib/upgrade-routes";

export { PEER_ADDRESS_HEADER };

export { UPGRADE_ROUTES, type UpgradeRoute } from "@/lib/upgrade-routes";

function stampPeerAddress(request: IncomingMessage): void {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
}

export interface XenDeckServerOptions {
  /** The project directory (where .next and next.config.mjs are). */
  dir: string;
  port: number;
  hostname?: string;
  dev?: boolean;
}

export interface XenDeckServer {
  server: Server;
  port: number;
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>;
}

export async function startXenDeckServer(options: XenDeckServerOptions): Promise<XenDeckServer> {
  const app = next({ dev: options.dev ?? false, dir: options.dir, hostname: options.hostname, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  const applySecurityHeaders = securityHeaderApplier({ dev: options.dev ?? false, publicUrl: process.env.NEXTAUTH_URL?.trim() || null });
  const server = createServer((request, response) => {
    stampPeerAddress(request);
    applySecurityHeaders(request, response);
    if (!hasDecodablePath(request.url)) return answerBadRequest(response);
    void handle(request, response);
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    stampPeerAddress(request);
    const path = (request.url ?? "/").split("?")[0]!;
    for (const [prefix, route] of UPGRADE_ROUTES) if (path.startsWith(prefix)) return route(request, socket, head);
    void nextUpgrade(request, socket, head);
  });
  // Live updates are long-lived server-sent event streams: no request timeout; idle keep-alive like `next start`.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
