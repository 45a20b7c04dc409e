/**
 * A tiny scripted XML-RPC server for tests of what the simulator cannot do (answers that no XAPI would send):
 * each test decides, per method, what goes back on the wire, byte for byte if it wants.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { parseMethodCall } from "@/lib/dev/xapi-sim/protocol/xmlrpc";

export const TLS_KEY = readFileSync(new URL("./tls-key.pem", import.meta.url));
export const TLS_CERT = readFileSync(new URL("./tls-cert.pem", import.meta.url));
/** SHA-256 of TLS_CERT, as `openssl x509 -fingerprint -sha256` and Node's `fingerprint256` print it. */
export const TLS_FINGERPRINT = "10:A0:49:19:51:54:F4:5F:E5:97:6F:CF:14:8B:C8:46:5E:6F:C5:D9:7D:11:DA:CE:1B:B9:72:3C:A5:E3:08:DC";

export type Reply = (response: http.ServerResponse, params: unknown[]) => void;

export interface HostileServer {
  url: string;
  /** Methods received, in order. */
  calls: string[];
  on(method: string, reply: Reply): void;
  close(): Promise<void>;
}

/** The XML of an XAPI Success envelope around an already-encoded `<value>` content. */
export function success(valueXml: string): string {
  return `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value>${valueXml}</value></member></struct></value></param></params></methodResponse>`;
}

export const xml =
  (body: string, status = 200): Reply =>
  (response) => {
    response.writeHead(status, { "Content-Type": "text/xml" });
    response.end(body);
  };

export async function startHostileServer(options: { tls?: boolean } = {}): Promise<HostileServer> {
  const replies = new Map<string, Reply>();
  const calls: string[] = [];
  replies.set("session.login_with_password", xml(success("OpaqueRef:11111111-2222-3333-4444-555555555555")));
  replies.set("session.logout", xml(success("")));
  replies.set("host.get_all_records", xml(success("<struct></struct>")));
  const handler: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let call: ReturnType<typeof parseMethodCall>;
      try {
        call = parseMethodCall(Buffer.concat(chunks).toString("utf8"));
      } catch {
        response.writeHead(500).end();
        return;
      }
      const { method, params } = call;
      calls.push(method);
      const reply = replies.get(method);
      if (reply) reply(response, params);
      else
        xml(
          `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>MESSAGE_METHOD_UNKNOWN</value><value>${method}</value></data></array></value></member></struct></value></param></params></methodResponse>`,
        )(response, params);
    });
  };
  const server = options.tls ? https.createServer({ key: TLS_KEY, cert: TLS_CERT }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}/`,
    calls,
    on: (method, reply) => replies.set(method, reply),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
